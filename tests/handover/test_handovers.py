"""The handover between two shifts, through its services alone: no Telegram, a real database,
the clock moved by hand and the deadlines fired as the alarm would fire them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.db.models import HandoverStatus, LogbookEntry, OutageKind, OutboxMessage
from bot.desk import Desk
from bot.epz.outages import NoticeInput
from bot.i18n import translator
from bot.logbook.service import Author
from bot.steps import Refusal, refusal_text
from tests.documents.shift import build_desk
from tests.e2e.conftest import GROUP, LEADER, OFF_DUTY, OFFICER, SECTION

ICT = dt.timezone(dt.timedelta(hours=7))
SHIFT = dt.date(2026, 11, 25)
OUTGOING = Author(LEADER, "Nguyễn Văn An")
INCOMING = Author(SECTION, "Trần Thị Bình")
NOT_A_LEADER = Author(OFFICER, "Phạm Thị Dung")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ICT)


@pytest.fixture
def desk(migrated_url: str) -> Iterator[Desk]:
    """The e2e desk with its shift cycle on, armed on the morning of the 25th."""
    desk = build_desk(migrated_url, shift={"cycle": {"handover_remind_every_minutes": 15}})
    desk.cycle.start(at(25, 9))
    yield desk
    desk.engine.dispose()


def move_to(desk: Desk, when: dt.datetime) -> None:
    """Move the clock and fire what fell due, as the alarm does."""
    assert isinstance(desk.clock, ManualClock)
    desk.clock.set(when)
    desk.timers.fire_due(when)


def texts_to(desk: Desk, chat: int) -> list[str]:
    with Session(desk.engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat)
            .order_by(col(OutboxMessage.id))
        ).all()
    return [json.loads(row.payload).get("text", "") for row in rows]


def logbook_texts(desk: Desk) -> str:
    with Session(desk.engine) as session:
        entries = session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all()
    return "\n".join(
        " ".join(str(value or "") for value in (e.work_performed, e.incident, e.notes, e.result))
        for e in entries
    )


def test_the_handover_is_posted_at_its_time_with_the_shifts_open_items(desk: Desk) -> None:
    desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.CAMERA,
            description="Camera cổng chính mất tín hiệu",
            cameras=["C01"],
        ),
        Author(None, "Công ty TNHH ABC Việt Nam"),
        at(25, 10),
    )
    assert desk.handovers.add_focus(OUTGOING, "Xe 51C-123.45 ra cổng B", at(25, 11)).ok

    move_to(desk, at(26, 7, 29))
    assert desk.handovers.of_shift(SHIFT) is None

    move_to(desk, at(26, 7, 30))
    handover = desk.handovers.of_shift(SHIFT)
    assert handover is not None and handover.status == HandoverStatus.OPEN
    [card] = [t for t in texts_to(desk, GROUP) if "Bàn giao ca trực ngày 25/11/2026" in t]
    assert "Trần Thị Bình" in card
    # The outage still under way is handed over, with its enterprise and cameras.
    assert "Công ty TNHH ABC Việt Nam" in card and "C01" in card
    assert "Xe 51C-123.45 ra cổng B" in card
    # The incoming leader is told privately that it waits for them.
    assert any("25/11/2026 đang chờ đồng chí nhận" in t for t in texts_to(desk, SECTION))


def test_only_the_incoming_leader_may_accept_and_a_refusal_changes_nothing(desk: Desk) -> None:
    move_to(desk, at(26, 7, 30))
    handover = desk.handovers.of_shift(SHIFT)
    assert handover is not None and handover.id is not None
    before = logbook_texts(desk)

    for someone in (OUTGOING, NOT_A_LEADER):
        refused = desk.handovers.accept(handover.id, someone, at(26, 7, 35))
        assert refused.refusal is Refusal.NOT_INCOMING_LEADER
        assert refusal_text(translator("vi", ICT), refused).startswith(
            "Chỉ Trần Thị Bình, lãnh đạo ca trực nhận ca"
        )
    still = desk.handovers.get(handover.id)
    assert still is not None and still.status == HandoverStatus.OPEN
    assert logbook_texts(desk) == before

    accepted = desk.handovers.accept(handover.id, INCOMING, at(26, 7, 40), "Đã nhận đủ hồ sơ")
    assert accepted.ok
    done = desk.handovers.get(handover.id)
    assert done is not None and done.status == HandoverStatus.ACCEPTED
    assert done.accepted_by_id == SECTION
    assert "Đã nhận đủ hồ sơ" in logbook_texts(desk)
    again = desk.handovers.accept(handover.id, INCOMING, at(26, 7, 41))
    assert again.refusal is Refusal.HANDOVER_ACCEPTED


def test_the_outgoing_leaders_notes_go_into_the_handover_and_no_one_elses(desk: Desk) -> None:
    refused = desk.handovers.add_note(NOT_A_LEADER, "Ghi chú của người khác", at(25, 15))
    assert refused.refusal is Refusal.NOT_OUTGOING_LEADER
    assert refused.who == "Nguyễn Văn An"
    assert desk.handovers.add_note(OUTGOING, "  ", at(25, 15)).refusal is Refusal.EMPTY_NOTE
    assert desk.handovers.add_note(OUTGOING, "Chi cục KV1 hẹn báo kết quả", at(25, 16)).ok

    move_to(desk, at(26, 7, 30))
    handover = desk.handovers.of_shift(SHIFT)
    assert handover is not None
    assert "Chi cục KV1 hẹn báo kết quả" in handover.summary
    assert "Ghi chú của người khác" not in handover.summary
    # Until it is accepted the outgoing leader may still add to it, and the card follows.
    assert desk.handovers.add_note(OUTGOING, "Bổ sung: kho C02", at(26, 7, 40)).ok
    updated = desk.handovers.get(handover.id or 0)
    assert updated is not None and "Bổ sung: kho C02" in updated.summary


def test_the_open_handover_is_reminded_until_it_is_accepted(desk: Desk) -> None:
    move_to(desk, at(26, 7, 30))
    handover = desk.handovers.of_shift(SHIFT)
    assert handover is not None and handover.id is not None

    def reminders() -> int:
        return len([t for t in texts_to(desk, GROUP) if "vẫn đang mở" in t])

    move_to(desk, at(26, 7, 44))
    assert reminders() == 0
    move_to(desk, at(26, 7, 45))
    assert reminders() == 1
    move_to(desk, at(26, 8, 0))
    assert reminders() == 2
    assert desk.handovers.accept(handover.id, INCOMING, at(26, 8, 5)).ok
    move_to(desk, at(26, 9, 0))
    assert reminders() == 2


def test_the_daily_report_is_kept_and_posted_at_the_end_of_the_shift(desk: Desk) -> None:
    move_to(desk, at(26, 7, 59))
    assert desk.reports.get(SHIFT) is None
    move_to(desk, at(26, 8, 0))
    report = desk.reports.get(SHIFT)
    assert report is not None
    assert any("Báo cáo ngày của ca trực ngày 25/11/2026" in t for t in texts_to(desk, GROUP))


def test_focus_items_are_noted_only_by_people_on_duty(desk: Desk) -> None:
    # Rostered for the 26th, not on the shift running now.
    tomorrow = Author(OFF_DUTY, "Hoàng Văn Em")
    refused = desk.handovers.add_focus(tomorrow, "Theo dõi kho C02", at(25, 11))
    assert refused.refusal is Refusal.NOT_ON_DUTY
    assert desk.handovers.add_focus(NOT_A_LEADER, "   ", at(25, 11)).refusal is Refusal.EMPTY
    assert desk.handovers.add_focus(NOT_A_LEADER, "Theo dõi xe 51C-678.90", at(25, 11)).ok
    focus = [item.text for item in desk.handovers.items(SHIFT, at(25, 11)).focus]
    assert focus == ["Theo dõi xe 51C-678.90"]
