"""Typed and forged input that once got silence or a traceback, one case at a time."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.db.models import Draft, LogbookEntry, OutageKind
from bot.drafts import DraftState
from bot.epz.outages import NoticeInput
from bot.handlers.alerts import FALSE_ALARM
from bot.handlers.outage_followup import PROGRESS
from bot.logbook.service import Author
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    LEADER,
    OFFICER,
    STRANGER,
    UNIT_CHAT,
    UNIT_CONTACT,
    Desktop,
    buttons_of,
    text_of,
)

BIG = "9" * 20
APOLOGY = (
    "Xin lỗi, đã có lỗi khi xử lý yêu cầu này. Lỗi đã được ghi lại để quản trị viên kiểm tra; "
    "đồng chí vui lòng thử lại sau ít phút."
)
NO_LONGER_VALID = (
    "Nút này không còn hiệu lực. Đồng chí hãy dùng tin nhắn mới nhất hoặc gõ lại lệnh."
)
DRAFT_CLOSED = "Xin lỗi, đã có lỗi ở bước này."


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def has(fragment: str):  # type: ignore[no-untyped-def]
    return lambda message: fragment in text_of(message)


async def ask(
    desktop: Desktop, user: int, typed: str, expect: str, chat: int = GROUP
) -> dict[str, Any]:
    mark = desktop.emu.mark()
    desktop.say(user, typed, chat_id=chat)
    return await desktop.answer(chat, mark, has(expect))


async def forge(
    desktop: Desktop, user: int, data: str | None, message: dict[str, Any] | None, chat: int
) -> dict[str, Any]:
    """Press with any data on a real message, as a modified client can; return the answer."""
    query = desktop.emu.forge_press(chat, message["message_id"] if message else None, user, data)
    return await desktop.emu.wait_for_answer(query)


@pytest.mark.parametrize(
    ("user", "typed", "expect"),
    [
        # "²".isdigit() is true, int("²") fails.
        (OFFICER, "/roster ²", "“²” không phải số ngày"),
        (OFFICER, "/roster ١٢", "“١٢” không phải số ngày"),
        # A real date the logbook's shift arithmetic cannot reach.
        (OFFICER, "/logbook 9999-12-31", "Không đọc được ngày '9999-12-31'"),
        (OFFICER, "/report 0001-01-01", "“0001-01-01” không phải là ngày"),
        (OFFICER, "/stats 9999-12-31", "/stats week"),
        (OFFICER, "/stats 9999-12", "/stats week"),
        (OFFICER, "/export logbook 9999-12-31", "/export logbook today pdf"),
        # Twenty digits overflow SQLite's INTEGER.
        (OFFICER, f"/measure {BIG}", "/measure"),
        (OFFICER, f"/export outage {BIG}", "/export logbook today pdf"),
        (OFFICER, f"/gatelog {BIG}", "/gatelog"),
    ],
)
async def test_typed_arguments_get_what_is_expected(
    desktop: Desktop, caplog: pytest.LogCaptureFixture, user: int, typed: str, expect: str
) -> None:
    await ask(desktop, user, typed, expect)
    await desktop.settle()
    assert errors(caplog) == []


async def shift_answer(desktop: Desktop) -> dict[str, Any]:
    """A bot message that carries no buttons of the features pressed below."""
    return await ask(desktop, OFFICER, "/shift", "Ca trực ngày")


@pytest.mark.parametrize(
    "data",
    [
        f"ap:{BIG}:1",
        f"rj:1:{BIG}",
        f"gd:{BIG}:yes",
        f"cf:{BIG}",
        f"pr:new:{BIG}",
        f"ur:new:{BIG}",
        f"rq:ack:{BIG}",
        f"rc:ok:{BIG}",
        f"ep:ok:{BIG}",
        f"ho:ok:{BIG}",
        f"im:new:{BIG}",
        f"al:fa:{BIG}",
        f"al:inc:{BIG}",
        "lb:2026-02-30:0",
        "lb:9999-12-31:0",
        "lb:2026-11-25:0",
        "lang:xx",
        "dr:person:²",
        "",
        None,
        "zz:1",
    ],
)
async def test_forged_buttons_are_answered_and_change_nothing(
    desktop: Desktop, caplog: pytest.LogCaptureFixture, data: str | None
) -> None:
    message = await shift_answer(desktop)
    answer = await forge(desktop, LEADER, data, message, GROUP)
    assert answer == {**answer, "text": NO_LONGER_VALID, "show_alert": True}
    await desktop.settle()
    after = desktop.emu.bot_messages(GROUP)
    # Nothing was rewritten (a forged "lb:" once turned this into a logbook page).
    assert next(m for m in after if m["message_id"] == message["message_id"])["_edits"] == 0
    assert after[-1]["message_id"] == message["message_id"]
    assert errors(caplog) == []


async def test_a_press_without_its_message_is_answered(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    answer = await forge(desktop, OFFICER, "lb:2026-11-25:1", None, OFFICER)
    assert answer["text"] == NO_LONGER_VALID
    assert errors(caplog) == []


async def test_a_forged_false_alarm_opens_no_draft(desktop: Desktop) -> None:
    message = await shift_answer(desktop)
    answer = await forge(desktop, OFFICER, f"al:fa:{BIG}", message, GROUP)
    assert answer["text"] == NO_LONGER_VALID
    assert desktop.desk.drafts.get(OFFICER, GROUP) is None


async def test_a_failing_conversation_step_closes_it_and_says_so(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    # A draft an older version left in a shape this one cannot take.
    desktop.desk.drafts.save(DraftState(OFFICER, OFFICER, FALSE_ALARM, "reason", {}))
    await ask(desktop, OFFICER, "con mèo trên hàng rào", DRAFT_CLOSED, chat=OFFICER)
    await desktop.settle()
    assert len(errors(caplog)) == 1
    assert "update " in errors(caplog)[0].getMessage()
    assert "con mèo" not in errors(caplog)[0].getMessage()
    with Session(desktop.engine) as session:
        assert session.exec(select(Draft)).all() == []
    # The person's next messages go where they would without the draft, without an error.
    await ask(desktop, OFFICER, "/shift", "Ca trực ngày", chat=OFFICER)
    await desktop.settle()
    assert len(errors(caplog)) == 1


async def test_an_error_is_logged_then_the_person_hears_it_in_their_language(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    with Session(desktop.engine) as session:
        session.execute(text("DROP TABLE handover"))
        session.commit()
    await ask(desktop, CLERK, "/pending", APOLOGY)
    await desktop.settle()
    [record] = errors(caplog)
    assert record.getMessage().startswith("Unhandled error while handling update ")
    assert f"from user {CLERK} in chat {GROUP}" in record.getMessage()
    assert "/pending" not in record.getMessage()


async def test_a_failing_button_is_answered_with_the_apology(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    choose = await ask(desktop, LEADER, "/lang", "Chọn ngôn ngữ", chat=LEADER)
    with Session(desktop.engine) as session:
        session.execute(text("DROP TABLE user_preference"))
        session.commit()
    answer = await forge(desktop, LEADER, "lang:en", choose, LEADER)
    assert answer["text"] == APOLOGY and answer["show_alert"]
    await desktop.settle()
    assert len(errors(caplog)) == 1


async def test_the_gate_fails_closed(desktop: Desktop, caplog: pytest.LogCaptureFixture) -> None:
    # The gate records every refusal; without its table it cannot decide.
    with Session(desktop.engine) as session:
        session.execute(text("DROP TABLE audit_event"))
        session.commit()
    desktop.say(STRANGER, "/help", chat_id=STRANGER)
    await desktop.settle()
    # Nothing of the desk reaches the stranger (the help used to, after the gate failed).
    assert desktop.emu.bot_messages(STRANGER) == []
    # A press is still answered, with no more than the apology.
    message = await ask(desktop, UNIT_CONTACT, "/lang", "Chọn ngôn ngữ", chat=UNIT_CHAT)
    answer = await forge(desktop, STRANGER, buttons_of(message)[0][1], message, UNIT_CHAT)
    assert answer["text"] == APOLOGY
    assert len(errors(caplog)) == 2
    assert all("access check failed" in r.getMessage() for r in errors(caplog))


async def test_an_update_the_library_cannot_read_is_skipped_once(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    unreadable = [
        desktop.emu.inject_raw("poll_answer", {"poll_id": "p1"}),
        desktop.emu.inject_raw("message", "junk"),
    ]
    # Behind them, the desk goes on: the next command is answered.
    await ask(desktop, OFFICER, "/shift", "Ca trực ngày")
    await desktop.settle()
    assert desktop.emu.pending_updates() == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    skipped = [w for w in warnings if w.startswith("Skipped update")]
    assert [w.split()[2] for w in skipped] == [str(u) for u in unreadable]
    assert errors(caplog) == []


async def test_two_progress_notes_of_an_outage_on_one_day_are_both_logged(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    now = desktop.clock.now()
    outage = desktop.desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.CAMERA,
            description="Camera C01 mất tín hiệu",
            cameras=["C01"],
            effect="",
            expected_fix=now.date() + dt.timedelta(days=3),
            tech_contact="Anh Tuấn 0909 123 456",
        ),
        Author(OFFICER, "Phạm Thị Dung"),  # put in for the enterprise, as received by phone
        now,
    ).value
    assert outage is not None
    for note in ("Đã thay nguồn camera", "Doanh nghiệp đang chờ linh kiện"):
        # What "Write progress" under the daily follow-up starts.
        desktop.desk.drafts.save(
            DraftState(OFFICER, OFFICER, PROGRESS, "note", {"outage": outage.id})
        )
        await ask(desktop, OFFICER, note, "Đã ghi vào sổ nhật ký.", chat=OFFICER)
        desktop.clock.advance(dt.timedelta(hours=2))
    await desktop.settle()
    with Session(desktop.engine) as session:
        entries = [e.work_performed for e in session.exec(select(LogbookEntry)).all()]
    assert sum("Đã thay nguồn camera" in e for e in entries) == 1
    assert sum("đang chờ linh kiện" in e for e in entries) == 1
    assert errors(caplog) == []


async def test_an_unreadable_draft_is_dropped_not_failed_on(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    desktop.desk.drafts.save(DraftState(OFFICER, GROUP, FALSE_ALARM, "reason", {"alert": 1}))
    with Session(desktop.engine) as session:
        session.execute(text("UPDATE draft SET data = '{not json'"))
        session.commit()
    desktop.say(OFFICER, "con mèo trên hàng rào")
    await ask(desktop, OFFICER, "/shift", "Ca trực ngày")
    await desktop.settle()
    assert desktop.desk.drafts.get(OFFICER, GROUP) is None
    assert errors(caplog) == []
