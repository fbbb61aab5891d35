"""EPZ outages through their service alone: the repair deadline counted on Vietnamese working
days, the reminder and the overdue notice at their moments, restoration stopping the clocks,
and each step taken only by whom it is for. No Telegram; a real database; the clock by hand."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select

from bot.db.models import Deadline, EpzOutage, OutageKind, OutageStatus, OutboxMessage
from bot.desk import Desk
from bot.epz.outages import NoticeInput
from bot.logbook.service import Author
from bot.steps import Refusal
from tests.documents.shift import build_desk
from tests.e2e.conftest import GROUP, OFFICER, STRANGER

ICT = dt.timezone(dt.timedelta(hours=7))
CONTACT = 3001
CONTACT_AUTHOR = Author(CONTACT, "Trần Minh Tuấn")
OFFICER_AUTHOR = Author(OFFICER, "Phạm Thị Dung")
STRANGER_AUTHOR = Author(STRANGER, "Người lạ")


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=ICT)


# Wednesday 26/08/2026, the week before National Day: 29/08 – 02/09 are days off.
NOTICE_AT = at(8, 26, 10)


@pytest.fixture
def desk(migrated_url: str) -> Iterator[Desk]:
    """The e2e desk, with the enterprise's contact enrolled by its officer."""
    desk = build_desk(migrated_url)
    invite = desk.enrolment.issue("dncx-abc", OFFICER, at(8, 20, 9))
    desk.enrolment.redeem(invite.code, CONTACT, CONTACT_AUTHOR.name, at(8, 20, 10))
    yield desk
    desk.engine.dispose()


def notify(desk: Desk, kind: OutageKind) -> EpzOutage:
    notice = NoticeInput(
        enterprise="dncx-abc", kind=kind, description="Mất tín hiệu", cameras=["C01"]
    )
    outage = desk.outages.notify(notice, CONTACT_AUTHOR, NOTICE_AT).value
    assert outage is not None
    return outage


def texts_to(desk: Desk, chat: int) -> list[str]:
    with Session(desk.engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat)
            .order_by(col(OutboxMessage.id))
        ).all()
    return [json.loads(row.payload).get("text", "") for row in rows]


def buttons_to(desk: Desk, chat: int) -> list[str]:
    with Session(desk.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat)).all()
    return [
        button["callback_data"]
        for row in rows
        for line in json.loads(row.payload).get("buttons") or []
        for button in line
    ]


@pytest.mark.parametrize(
    ("kind", "deadline"),
    [
        # 10 working days: 27, 28/08, then 03/09 after the National Day break, … 14/09.
        (OutageKind.CAMERA, dt.date(2026, 9, 14)),
        # The transmission line's 3: 27/08, 28/08 and 03/09.
        (OutageKind.TRANSMISSION, dt.date(2026, 9, 3)),
    ],
)
def test_a_fault_gets_its_repair_days_counted_on_vietnamese_working_days(
    desk: Desk, kind: OutageKind, deadline: dt.date
) -> None:
    outage = notify(desk, kind)
    assert outage.deadline == deadline
    [card] = [t for t in texts_to(desk, GROUP) if "Mất tín hiệu" in t]
    assert f"hết ngày {deadline:%d/%m/%Y}" in card


def test_the_reminder_and_the_overdue_notice_fire_at_their_moments(desk: Desk) -> None:
    outage = notify(desk, OutageKind.TRANSMISSION)
    number = outage.id

    def reminders() -> list[str]:
        return [t for t in texts_to(desk, CONTACT) if t.startswith("⏳ Nhắc: sự cố số")]

    def overdue_in_group() -> list[str]:
        return [t for t in texts_to(desk, GROUP) if "đã quá hạn khắc phục ngày 03/09/2026" in t]

    # The working day before the deadline (Friday 28/08, not Wednesday 02/09, a day off).
    desk.timers.fire_due(at(8, 28, 8, 59))
    assert reminders() == []
    desk.timers.fire_due(at(8, 28, 9, 0))
    [reminder] = reminders()
    assert "03/09/2026" in reminder

    desk.timers.fire_due(at(9, 3, 23, 59))
    assert overdue_in_group() == []
    desk.timers.fire_due(at(9, 4, 0, 0))
    assert len(overdue_in_group()) == 1
    assert any(f"Sự cố số {number} chưa được khắc phục" in t for t in texts_to(desk, CONTACT))
    assert f"ep:ex:{number}" in buttons_to(desk, CONTACT)


def test_restoration_stops_the_clocks(desk: Desk) -> None:
    outage = notify(desk, OutageKind.TRANSMISSION)
    assert outage.id is not None
    assert desk.outages.report_restored(outage.id, CONTACT_AUTHOR, at(8, 27, 11)).ok
    closed = desk.outages.confirm_restored(outage.id, OFFICER_AUTHOR, at(8, 27, 14))
    assert closed.ok and closed.value is not None
    assert closed.value.status == OutageStatus.CLOSED and closed.value.met_deadline

    # Nothing is left armed for it: the clocks stop with the closure, not when they ring.
    with Session(desk.engine) as session:
        armed = session.exec(
            select(Deadline).where(
                Deadline.subject == f"outage:{outage.id}",
                col(Deadline.fired_at).is_(None),
                col(Deadline.cancelled).is_(False),
            )
        ).all()
    assert armed == []

    before_contact, before_officer = len(texts_to(desk, CONTACT)), len(texts_to(desk, OFFICER))
    for day in (at(8, 27, 16), at(8, 28, 9), at(8, 28, 16), at(9, 4, 0), at(9, 14, 9)):
        desk.timers.fire_due(day)
    # No reminder, no follow-up question, no overdue notice once it is closed.
    assert len(texts_to(desk, CONTACT)) == before_contact
    assert len(texts_to(desk, OFFICER)) == before_officer
    assert not [t for t in texts_to(desk, GROUP) if "quá hạn" in t]


def test_each_step_of_an_outage_is_taken_only_by_whom_it_is_for(desk: Desk) -> None:
    outage = notify(desk, OutageKind.CAMERA)
    assert outage.id is not None
    now = at(8, 27, 11)

    # Only the enterprise's contact reports it restored or explains a missed deadline.
    for someone in (STRANGER_AUTHOR, OFFICER_AUTHOR):
        assert (
            desk.outages.report_restored(outage.id, someone, now).refusal is Refusal.SOMEONE_ELSES
        )
        explained = desk.outages.explain(
            outage.id, "Chờ linh kiện", dt.date(2026, 9, 20), someone, now
        )
        assert explained.refusal is Refusal.SOMEONE_ELSES
    # Only its officer follows the repair and confirms it.
    for someone in (STRANGER_AUTHOR, CONTACT_AUTHOR):
        assert desk.outages.progress(outage.id, "Đã thay nguồn", someone, now).refusal is (
            Refusal.SOMEONE_ELSES
        )
        assert desk.outages.confirm_restored(outage.id, someone, now).refusal is (
            Refusal.SOMEONE_ELSES
        )
    still = desk.outages.get(outage.id)
    assert still is not None and still.status == OutageStatus.OPEN and not still.explanation

    assert desk.outages.report_restored(outage.id, CONTACT_AUTHOR, now).ok
    assert desk.outages.confirm_restored(outage.id, OFFICER_AUTHOR, now).ok
    again = desk.outages.confirm_restored(outage.id, OFFICER_AUTHOR, now)
    assert again.refusal is Refusal.WRONG_STATE
    assert desk.outages.report_restored(9999, CONTACT_AUTHOR, now).refusal is Refusal.NOT_FOUND


def test_only_whoever_speaks_for_the_enterprise_or_the_desk_records_a_notice(
    desk: Desk,
) -> None:
    notice = NoticeInput(
        enterprise="dncx-abc", kind=OutageKind.CAMERA, description="Mất tín hiệu", cameras=["C01"]
    )
    # Someone who is neither its contact nor on the desk.
    refused = desk.outages.notify(notice, STRANGER_AUTHOR, NOTICE_AT)
    assert refused.refusal is Refusal.SOMEONE_ELSES
    with Session(desk.engine) as session:
        assert session.exec(select(EpzOutage)).all() == []
        assert session.exec(select(Deadline)).all() == []
    assert texts_to(desk, GROUP) == []

    # The enterprise's contact, and the officer putting in a notice received by phone.
    assert desk.outages.notify(notice, CONTACT_AUTHOR, NOTICE_AT).ok
    assert desk.outages.notify(notice, OFFICER_AUTHOR, NOTICE_AT).ok
    with Session(desk.engine) as session:
        assert len(session.exec(select(EpzOutage)).all()) == 2
