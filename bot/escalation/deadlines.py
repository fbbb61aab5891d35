"""Deadlines in the database: scheduled, cancelled and claimed exactly once."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.db.models import Deadline


class DeadlineKind(StrEnum):
    """What happens when a deadline passes."""

    APPROVAL_REMINDER = "approval_reminder"
    UNIT_REMINDER = "unit_reminder"
    REPLY_DEADLINE = "reply_deadline"
    BREACH_REMINDER = "breach_reminder"
    RESULT_DUE = "result_due"
    EPZ_REMINDER = "epz_reminder"
    EPZ_OVERDUE = "epz_overdue"
    EPZ_NEW_DATE = "epz_new_date"
    EPZ_FOLLOW_UP = "epz_follow_up"
    EPZ_PLANNED_START = "epz_planned_start"
    EPZ_ROTATION_PLAN = "epz_rotation_plan"
    EPZ_CHECK_DUE = "epz_check_due"
    SHIFT_OPENING = "shift_opening"
    ROSTER_CHECK = "roster_check"
    HANDOVER_DUE = "handover_due"
    HANDOVER_REMINDER = "handover_reminder"
    DAILY_REPORT = "daily_report"


def outage_subject(outage_id: int) -> str:
    """The subject key of an EPZ outage."""
    return f"outage:{outage_id}"


def rotation_subject(month: dt.date) -> str:
    """The subject key of a month's rotation plan, e.g. rotation:202612."""
    return f"rotation:{month.year * 100 + month.month}"


def shift_subject(shift_date: dt.date) -> str:
    """The subject key of a shift, e.g. shift:20261125."""
    return f"shift:{shift_date.year * 10000 + shift_date.month * 100 + shift_date.day}"


def shift_of(number: int) -> dt.date:
    """The shift date inside a shift subject's number."""
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def handover_subject(handover_id: int) -> str:
    """The subject key of a handover."""
    return f"handover:{handover_id}"


def check_subject(check_id: int) -> str:
    """The subject key of a rotation check."""
    return f"check:{check_id}"


def request_subject(request_id: int) -> str:
    """The subject key of a unit request."""
    return f"request:{request_id}"


def proposal_subject(proposal_id: int) -> str:
    """The subject key of a proposal."""
    return f"proposal:{proposal_id}"


def is_request(subject: str) -> bool:
    """True for the subject key of a unit request."""
    return subject.startswith("request:")


def subject_id(subject: str) -> int:
    """The numeric id inside a subject key."""
    return int(subject.split(":", 1)[1])


def schedule(
    session: Session, kind: DeadlineKind, subject: str, due_at: dt.datetime, seq: int = 0
) -> None:
    """Add a deadline in the caller's transaction."""
    session.add(Deadline(kind=kind.value, subject=subject, seq=seq, due_at=due_at))


def schedule_once(
    session: Session, kind: DeadlineKind, subject: str, due_at: dt.datetime, seq: int = 0
) -> bool:
    """Add a deadline unless the same one exists (fired or not); True if it was added."""
    exists = session.exec(
        select(Deadline.id).where(
            Deadline.kind == kind.value, Deadline.subject == subject, Deadline.seq == seq
        )
    ).first()
    if exists is not None:
        return False
    schedule(session, kind, subject, due_at, seq)
    return True


def rearm(
    session: Session, kind: DeadlineKind, subject: str, due_at: dt.datetime, seq: int = 0
) -> None:
    """Schedule a deadline again: revive it if it was cancelled unfired, else add it once."""
    revived = session.exec(
        update(Deadline)
        .where(
            col(Deadline.kind) == kind.value,
            col(Deadline.subject) == subject,
            col(Deadline.seq) == seq,
            col(Deadline.fired_at).is_(None),
        )
        .values(cancelled=False, due_at=due_at)
    )
    if revived.rowcount == 0:
        schedule_once(session, kind, subject, due_at, seq)


def cancel(session: Session, subject: str, kinds: tuple[DeadlineKind, ...]) -> None:
    """Cancel a subject's unfired deadlines of some kinds, in the caller's transaction."""
    session.exec(
        update(Deadline)
        .where(
            col(Deadline.subject) == subject,
            col(Deadline.kind).in_([k.value for k in kinds]),
            col(Deadline.fired_at).is_(None),
        )
        .values(cancelled=True)
    )


def due(session: Session, now: dt.datetime, limit: int = 200) -> list[Deadline]:
    """Return live deadlines whose time has come, earliest first."""
    return list(
        session.exec(
            select(Deadline)
            .where(
                col(Deadline.fired_at).is_(None),
                col(Deadline.cancelled).is_(False),
                col(Deadline.due_at) <= now,
            )
            .order_by(col(Deadline.due_at), col(Deadline.id))
            .limit(limit)
        ).all()
    )


def claim(session: Session, deadline_id: int, now: dt.datetime) -> bool:
    """Mark a deadline fired unless someone already did; True if this caller owns it."""
    result = session.exec(
        update(Deadline)
        .where(
            col(Deadline.id) == deadline_id,
            col(Deadline.fired_at).is_(None),
            col(Deadline.cancelled).is_(False),
        )
        .values(fired_at=now)
    )
    return bool(result.rowcount == 1)


def claim_many(session: Session, deadline_ids: list[int], now: dt.datetime) -> set[int]:
    """Mark many deadlines fired in one statement; returns the ids this caller now owns."""
    owned = session.execute(
        update(Deadline)
        .where(
            col(Deadline.id).in_(deadline_ids),
            col(Deadline.fired_at).is_(None),
            col(Deadline.cancelled).is_(False),
        )
        .values(fired_at=now)
        .returning(col(Deadline.id))
    )
    return set(owned.scalars())


def next_due_at(session: Session) -> dt.datetime | None:
    """Return when the earliest live deadline falls."""
    return session.exec(
        select(Deadline.due_at)
        .where(col(Deadline.fired_at).is_(None), col(Deadline.cancelled).is_(False))
        .order_by(col(Deadline.due_at))
        .limit(1)
    ).first()


def open_count(session: Session) -> int:
    """How many deadlines are still to fire."""
    return len(
        session.exec(
            select(Deadline.id).where(
                col(Deadline.fired_at).is_(None), col(Deadline.cancelled).is_(False)
            )
        ).all()
    )
