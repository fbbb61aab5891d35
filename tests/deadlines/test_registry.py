"""Each domain registers its own kinds of deadline; a kind nobody handles blocks nothing."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot import deadlines
from bot.db.models import Deadline
from bot.epz.deadline_kinds import OutageDeadline, RotationDeadline
from bot.escalation.deadline_kinds import EscalationDeadline
from bot.handover.deadline_kinds import ShiftDeadline
from bot.retention.deadline_kinds import RetentionDeadline
from tests.deadlines.test_timers import CHAT, NOW, desk_on, queued_texts

EVERY_KIND: list[StrEnum] = [
    *EscalationDeadline,
    *OutageDeadline,
    *RotationDeadline,
    *ShiftDeadline,
    *RetentionDeadline,
]


def test_kinds_are_unique_across_the_domains() -> None:
    # The table stores the value alone: two domains sharing one would fire each other's rule.
    values = [kind.value for kind in EVERY_KIND]
    assert len(values) == len(set(values))


@pytest.mark.parametrize("kind", EVERY_KIND, ids=lambda kind: kind.value)
def test_every_kind_of_every_domain_has_its_handler_in_a_built_desk(
    kind: StrEnum, tmp_path: Path
) -> None:
    desk = desk_on(f"sqlite:///{tmp_path}/desk.db")
    assert desk.timers.handles(kind), f"no domain acts when a {kind.value} deadline passes"
    desk.engine.dispose()


def test_a_kind_no_domain_registers_is_claimed_and_the_others_still_fire(
    migrated_url: str,
) -> None:
    class Retired(StrEnum):
        GONE = "a_feature_since_removed"

    desk = desk_on(migrated_url)

    def remind(session: Session, subject: int, _seq: int, _now: dt.datetime) -> None:
        desk.outbox.send(CHAT, f"reminder {subject}", session=session)

    desk.timers.register(OutageDeadline.EPZ_REMINDER, remind)
    with Session(desk.engine) as session:
        deadlines.schedule(session, Retired.GONE, "outage:1", NOW - dt.timedelta(minutes=2))
        deadlines.schedule(
            session, OutageDeadline.EPZ_REMINDER, "outage:2", NOW - dt.timedelta(minutes=1)
        )
        session.commit()

    desk.timers.fire_due(NOW)

    assert queued_texts(desk.engine) == ["reminder 2"]
    with Session(desk.engine) as session:
        rows = session.exec(select(Deadline).order_by(col(Deadline.id))).all()
    # Claimed, so it never rings again; nothing was sent for it.
    assert [row.fired_at is not None for row in rows] == [True, True]
    assert desk.timers.fire_due(NOW) == 0
    desk.engine.dispose()
