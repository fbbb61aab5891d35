"""The deadlines table: deadlines scheduled, cancelled and claimed exactly once.

A kind is any domain's `StrEnum` member; the table stores its value.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.db.models import Deadline


def subject_id(subject: str) -> int:
    """The numeric id inside a subject key ("outage:7" → 7)."""
    return int(subject.split(":", 1)[1])


def schedule(
    session: Session, kind: StrEnum, subject: str, due_at: dt.datetime, seq: int = 0
) -> None:
    """Add a deadline in the caller's transaction."""
    session.add(Deadline(kind=kind.value, subject=subject, seq=seq, due_at=due_at))


def schedule_once(
    session: Session, kind: StrEnum, subject: str, due_at: dt.datetime, seq: int = 0
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


def rearm(session: Session, kind: StrEnum, subject: str, due_at: dt.datetime, seq: int = 0) -> None:
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


def cancel(session: Session, subject: str, kinds: tuple[StrEnum, ...]) -> None:
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
    """Return live deadlines whose time has come, earliest first.

    On PostgreSQL, those another process is firing right now are left out (SKIP LOCKED).
    """
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
            .with_for_update(skip_locked=True)
        ).all()
    )


def claim(session: Session, deadline_id: int, now: dt.datetime) -> bool:
    """Mark a deadline fired unless someone already did or is; True if this caller owns it."""
    return claim_many(session, [deadline_id], now) == {deadline_id}


def claim_many(session: Session, deadline_ids: list[int], now: dt.datetime) -> set[int]:
    """Mark many deadlines fired in one statement; returns the ids this caller now owns.

    Only those no other transaction is claiming now (SKIP LOCKED on PostgreSQL; SQLite has
    one writer and ignores it): two processes ringing at once each take the deadlines the
    other has not, never waiting on each other's batch nor deadlocking on two batches locked
    in different orders.
    """
    unclaimed = (
        select(Deadline.id)
        .where(
            col(Deadline.id).in_(deadline_ids),
            col(Deadline.fired_at).is_(None),
            col(Deadline.cancelled).is_(False),
        )
        .with_for_update(skip_locked=True)
    )
    owned = session.execute(
        update(Deadline)
        .where(col(Deadline.id).in_(unclaimed.scalar_subquery()))
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
