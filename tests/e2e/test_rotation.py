"""The monthly EPZ rotation end to end: the plan, the reminders, done / not done / findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.db.models import LogbookEntry, RotationCheck
from bot.epz.rotation import working_days
from tests.e2e.conftest import (
    ENTERPRISE,
    GROUP,
    OFF_DUTY,
    OFFICER,
    Desktop,
    buttons_of,
    launch,
    text_of,
)

ICT = dt.timezone(dt.timedelta(hours=7))
ENTERPRISES: list[dict[str, Any]] = [
    {**ENTERPRISE, "cameras": [{"number": "C01", "name": "Cổng chính", "kind": "gate"}]},
    {"key": "dncx-binh", "name": "Công ty Bình Minh", "tax_code": "0311111113"},
    {"key": "dncx-cuong", "name": "Công ty Cường Thịnh", "tax_code": "0312222227"},
    {"key": "dncx-dai", "name": "Công ty Đại Dương", "tax_code": "0313333331"},
]


@pytest.fixture
async def desktop(migrated_url: str) -> AsyncIterator[Desktop]:
    """Four enterprises, one with its own officer; the others spread over two officers."""
    async with launch(
        migrated_url,
        enterprises=ENTERPRISES,
        epz={"rotation": {"officers": [OFFICER, OFF_DUTY]}},
    ) as desktop:
        await desktop.settle()
        yield desktop


def checks(desktop: Desktop, month: dt.date) -> list[RotationCheck]:
    with Session(desktop.engine) as session:
        return list(session.exec(select(RotationCheck).where(RotationCheck.month == month)).all())


def plans(desktop: Desktop) -> list[str]:
    return [
        text_of(m)
        for m in desktop.emu.bot_messages(GROUP)
        if "Kế hoạch giám sát xoay vòng" in text_of(m)
    ]


def entries(desktop: Desktop) -> list[LogbookEntry]:
    with Session(desktop.engine) as session:
        return list(session.exec(select(LogbookEntry)).all())


def local(check: RotationCheck) -> dt.datetime:
    return check.due_at.astimezone(ICT)


async def press(
    desktop: Desktop, chat: int, message: dict[str, Any], data: str, user: int | None = None
) -> dict[str, Any]:
    mark = desktop.emu.mark()
    query = desktop.emu.press_button(chat, message["message_id"], user or chat, data)
    await desktop.emu.wait_for_answer(query)
    return await desktop.answer(chat, mark)


async def reminder(desktop: Desktop, chat: int, at: dt.datetime) -> dict[str, Any]:
    desktop.clock.set(at)
    await desktop.settle()
    message = desktop.emu.bot_messages(chat)[-1]
    assert "Đến giờ kiểm tra xoay vòng" in text_of(message)
    return message


async def test_every_enterprise_once_each_month_and_never_planned_twice(
    desktop: Desktop,
) -> None:
    # Started on 25/11 with no plan yet: November's is made at once, from today on.
    november = checks(desktop, dt.date(2026, 11, 1))
    assert sorted(c.enterprise for c in november) == sorted(e["key"] for e in ENTERPRISES)
    assert [local(c).date() for c in sorted(november, key=lambda c: c.due_at)] == [
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
    ]
    assert len(plans(desktop)) == 1

    # 1 December, 08:00 (the first working day): December's plan is posted and logged.
    desktop.clock.set(dt.datetime(2026, 12, 1, 8, 0, tzinfo=ICT))
    await desktop.settle()
    december = sorted(checks(desktop, dt.date(2026, 12, 1)), key=lambda c: c.due_at)
    assert sorted(c.enterprise for c in december) == sorted(e["key"] for e in ENTERPRISES)
    days = [local(c).date() for c in december]
    workdays = working_days(desktop.desk.outages.calendar, dt.date(2026, 12, 1))
    assert len(set(days)) == 4 and all(day in workdays for day in days)
    assert days[0] == dt.date(2026, 12, 1) and days[-1] >= dt.date(2026, 12, 21)
    assert {local(c).time() for c in december} == {dt.time(9, 30)}
    officers = {c.enterprise: c.officer_id for c in december}
    assert officers["dncx-abc"] == OFFICER
    assert sorted(officers[k] for k in ("dncx-binh", "dncx-cuong", "dncx-dai")) == sorted(
        [OFFICER, OFF_DUTY, OFF_DUTY]
    )
    plan = plans(desktop)[-1]
    assert "tháng 12/2026" in plan
    assert "Thứ Ba, 01/12 09:30 — Công ty TNHH ABC Việt Nam — Phạm Thị Dung" in plan
    assert any("tháng 12/2026" in e.work_performed for e in entries(desktop))

    # A restart, and planning again by hand, add no second plan and no second check.
    await desktop.restart()
    await desktop.settle()
    assert desktop.desk.rotation.plan(dt.date(2026, 12, 1), desktop.clock.now()) == []
    await desktop.settle()
    assert len(checks(desktop, dt.date(2026, 12, 1))) == 4
    assert len(plans(desktop)) == 2

    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/epz", chat_id=OFFICER)
    view = text_of(await desktop.answer(OFFICER, mark))
    assert "Kế hoạch xoay vòng tháng 12/2026" in view
    assert "⏳ kiểm tra xoay vòng 01/12/2026 09:30 (Phạm Thị Dung): đã lên kế hoạch" in view


async def test_reminders_and_done_not_done_findings(desktop: Desktop) -> None:
    # The reminders are deadlines in the database: a restart in between loses none.
    await desktop.restart()
    # 09:15, a quarter of an hour before the 09:30 check: the assigned officer is reminded.
    first = await reminder(desktop, OFFICER, dt.datetime(2026, 11, 25, 9, 15, tzinfo=ICT))
    assert "Công ty TNHH ABC Việt Nam" in text_of(first) and "09:30" in text_of(first)
    assert [data for _, data in buttons_of(first)] == ["rc:ok:1", "rc:no:1", "rc:fd:1"]
    done = await press(desktop, OFFICER, first, "rc:ok:1")
    assert text_of(done) == "Đã ghi vào sổ nhật ký: đã kiểm tra."
    assert any(
        "Kiểm tra xoay vòng Công ty TNHH ABC Việt Nam" in e.work_performed
        and e.work_performed.endswith("đã kiểm tra.")
        for e in entries(desktop)
    )
    again = await press(desktop, OFFICER, first, "rc:no:1")
    assert "đã được ghi nhận (đã kiểm tra, Phạm Thị Dung); không có gì thay đổi" in text_of(again)
    assert checks(desktop, dt.date(2026, 11, 1))[0].outcome == "done"

    # The next day's check is the other officer's; not done is noted and the group told.
    second = await reminder(desktop, OFF_DUTY, dt.datetime(2026, 11, 26, 9, 15, tzinfo=ICT))
    await press(desktop, OFF_DUTY, second, "rc:no:2")
    await desktop.settle()
    assert any(
        "Công ty Bình Minh" in text_of(m) and "chưa thực hiện" in text_of(m)
        for m in desktop.emu.bot_messages(GROUP)
    )

    # Findings are written; an empty answer is refused and asked again.
    third = await reminder(desktop, OFFICER, dt.datetime(2026, 11, 27, 9, 15, tzinfo=ICT))
    question = await press(desktop, OFFICER, third, "rc:fd:3")
    assert "Ghi nội dung phát hiện khi kiểm tra Công ty Cường Thịnh" in text_of(question)
    mark = desktop.emu.mark()
    desktop.say(OFFICER, " ", chat_id=OFFICER)
    empty = await desktop.answer(OFFICER, mark)
    assert "Nội dung phát hiện không được để trống" in text_of(empty)
    assert {c.id: c.outcome for c in checks(desktop, dt.date(2026, 11, 1))}[3] == "planned"
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Camera kho quay lệch, không thấy cửa kho", chat_id=OFFICER)
    recorded = await desktop.answer(OFFICER, mark)
    assert text_of(recorded) == "Đã ghi vào sổ nhật ký: có phát hiện."
    finding = next(e for e in entries(desktop) if "có phát hiện" in e.incident)
    assert "Camera kho quay lệch" in finding.incident and finding.incident_refs == "MST 0312222227"
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/epz", chat_id=OFFICER)
    view = text_of(await desktop.answer(OFFICER, mark))
    assert "✅ kiểm tra xoay vòng 25/11/2026 09:30 (Phạm Thị Dung): đã kiểm tra" in view
    assert "⚠️ kiểm tra xoay vòng 26/11/2026 09:30 (Hoàng Văn Em): chưa thực hiện" in view
    assert (
        "🔎 kiểm tra xoay vòng 27/11/2026 09:30 (Phạm Thị Dung): có phát hiện — Camera kho" in view
    )

    # November's last check, still open in December, can no longer be recorded.
    fourth = await reminder(desktop, OFF_DUTY, dt.datetime(2026, 11, 30, 9, 15, tzinfo=ICT))
    desktop.clock.set(dt.datetime(2026, 12, 1, 10, 0, tzinfo=ICT))
    await desktop.settle()
    unrecorded = [
        text_of(m) for m in desktop.emu.bot_messages(GROUP) if "chưa được ghi nhận" in text_of(m)
    ]
    assert unrecorded == [
        "⚠️ Các lượt kiểm tra xoay vòng tháng 11/2026 chưa được ghi nhận: "
        "Thứ Hai, 30/11 09:30 — Công ty Đại Dương — Hoàng Văn Em."
    ]
    assert any("chưa được ghi nhận" in e.notes for e in entries(desktop))
    late = await press(desktop, OFF_DUTY, fourth, "rc:ok:4")
    assert "thuộc kế hoạch xoay vòng tháng 11/2026, đã kết thúc" in text_of(late)
    assert {c.id: c.outcome for c in checks(desktop, dt.date(2026, 11, 1))}[4] == "planned"
