"""The interim supervision measure of an EPZ outage: decided by the branch head, no one else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.db.models import LogbookEntry, Proposal
from tests.e2e.conftest import (
    GROUP,
    LEADER,
    OFF_DUTY,
    OFFICER,
    TEAM_CHAT,
    UNIT_CHAT,
    Desktop,
    buttons_of,
    launch,
    text_of,
)
from tests.e2e.test_epz import enrol, reviewed, say

MEASURE = "Cử công chức giám sát trực tiếp tại cổng chính đến khi khắc phục"


@pytest.fixture
async def desktop(migrated_url: str) -> AsyncIterator[Desktop]:
    """The branch managing the enterprise has a head (not on today's roster)."""
    units = [
        {
            "key": "hq-kv1",
            "name": "Chi cục HQ CK cảng Sài Gòn KV1",
            "chat_id": UNIT_CHAT,
            "head": OFF_DUTY,
        },
        {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": TEAM_CHAT},
    ]
    async with launch(migrated_url, units=units) as desktop:
        yield desktop


async def propose_measure(desktop: Desktop) -> dict[str, Any]:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    question = await say(desktop, "/measure 1", "do Hoàng Văn Em quyết định", OFFICER, OFFICER)
    assert "sự cố số 1 của Công ty TNHH ABC Việt Nam" in text_of(question)
    await say(desktop, MEASURE, "Đã gửi Chi cục trưởng", OFFICER, OFFICER)
    await desktop.settle()
    return next(m for m in desktop.emu.bot_messages(GROUP) if MEASURE in text_of(m))


async def tap(desktop: Desktop, card: dict[str, Any], user: int, data: str) -> dict[str, Any]:
    query = desktop.emu.press_button(GROUP, card["message_id"], user, data)
    return await desktop.emu.wait_for_answer(query)


def proposal(desktop: Desktop) -> Proposal:
    with Session(desktop.engine) as session:
        return session.exec(select(Proposal)).one()


async def test_the_branch_head_approves_and_the_outage_shows_it(desktop: Desktop) -> None:
    card = await propose_measure(desktop)
    assert "Biện pháp giám sát trong thời gian DNCX gián đoạn ca-mê-ra" in text_of(card)
    assert "chờ Chi cục trưởng quyết định" in text_of(card)
    assert ("✅ Duyệt", "ap:1:1") in buttons_of(card)
    # The head is asked directly too, with the same buttons.
    asked = desktop.emu.bot_messages(OFF_DUTY)[-1]
    assert MEASURE in text_of(asked) and ("✅ Duyệt", "ap:1:1") in buttons_of(asked)

    pending = text_of(await say(desktop, "/pending", "Việc đang chờ", OFFICER, OFFICER))
    assert "Chờ Chi cục trưởng quyết định (biện pháp giám sát tạm thời DNCX)" in pending
    assert "Chờ lãnh đạo ca trực" not in pending

    answer = await tap(desktop, card, OFF_DUTY, "ap:1:1")
    assert answer["text"] == "Đã duyệt."
    await desktop.settle()
    edited = next(
        m for m in desktop.emu.bot_messages(GROUP) if m["message_id"] == card["message_id"]
    )
    assert "đã duyệt — Hoàng Văn Em" in text_of(edited) and buttons_of(edited) == []
    with Session(desktop.engine) as session:
        directions = [e.direction for e in session.exec(select(LogbookEntry)) if e.direction]
    assert any("do Hoàng Văn Em quyết định: " + MEASURE in direction for direction in directions)
    told = desktop.emu.bot_messages(OFFICER)[-1]
    assert text_of(told).startswith("✅ Biện pháp giám sát tạm thời đối với Công ty TNHH ABC")
    # It is the branch's own decision: no request goes to any unit.
    assert desktop.emu.bot_messages(UNIT_CHAT) == []

    view = await say(desktop, "/epz", "Doanh nghiệp chế xuất", OFFICER, OFFICER)
    assert f"🛡 biện pháp tạm thời: {MEASURE} (đã duyệt, Hoàng Văn Em)" in text_of(view)


async def test_the_shift_leader_is_refused_with_a_pop_up_and_audited(desktop: Desktop) -> None:
    card = await propose_measure(desktop)
    popup = await tap(desktop, card, LEADER, "ap:1:1")
    assert popup["show_alert"] is True
    assert (
        "Chỉ Chi cục trưởng Chi cục HQ CK cảng Sài Gòn KV1 (Hoàng Văn Em) quyết định "
        "biện pháp giám sát tạm thời" in str(popup["text"])
    )
    refused = await tap(desktop, card, LEADER, "rj:1:1")
    assert refused["show_alert"] is True
    assert [a.user_id for a in desktop.desk.audit.lines("denied")] == [LEADER, LEADER]
    await desktop.settle()
    assert proposal(desktop).status == "pending"
    assert not any("Đã duyệt" in text_of(m) for m in desktop.emu.bot_messages(GROUP))

    # The head rejects it with a reason; the outage shows why.
    await tap(desktop, card, OFF_DUTY, "rj:1:1")
    await say(desktop, "Cần niêm phong cổng phụ", "Đã không duyệt", GROUP, OFF_DUTY)
    assert proposal(desktop).status == "rejected"
    view = await say(desktop, "/epz", "Doanh nghiệp chế xuất", OFFICER, OFFICER)
    assert "(không duyệt, Hoàng Văn Em: Cần niêm phong cổng phụ)" in text_of(view)


async def test_only_the_assigned_officer_proposes(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    answer = await say(desktop, "/measure 1", "Chỉ công chức được phân công", LEADER, LEADER)
    assert "(Phạm Thị Dung)" in text_of(answer)
    unknown = await say(desktop, "/measure 7", "Không có sự cố số 7", OFFICER, OFFICER)
    assert "Gõ /measure kèm số" in text_of(unknown)
    with Session(desktop.engine) as session:
        assert session.exec(select(Proposal)).all() == []
