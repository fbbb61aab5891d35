"""Firing due deadlines: each exactly once, in the same transaction as its effects."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import NamedTuple, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.deadlines import store as deadlines
from bot.deadlines.store import subject_id

log = logging.getLogger(__name__)

# Called in the deadline's own transaction: (session, subject id, sequence number, now).
DeadlineHandler = Callable[[Session, int, int, dt.datetime], None]
# Loads the subjects of a batch of deadlines at once (their ids), before their handlers run;
# what it returns is kept alive for the batch (e.g. rows in the session's identity map).
Prefetch = Callable[[Session, list[int]], object]


# Deadlines fired in one transaction; small enough that a burst never holds the loop long.
BATCH = 25


class _Due(NamedTuple):
    id: int
    kind: str
    subject: str
    seq: int
    due_at: dt.datetime


class Timers:
    """Turns passed deadlines into what each domain registered for their kind."""

    def __init__(self, engine: Engine, wake_sender: Callable[[], None]) -> None:
        self._engine = engine
        self._wake_sender = wake_sender
        self._handlers: dict[str, DeadlineHandler] = {}
        self._prefetches: dict[str, Prefetch] = {}
        # Told each deadline fired (its kind, how late), for the operator's metrics.
        self.on_fired: Callable[[str, dt.timedelta], None] | None = None

    def register(
        self, kind: StrEnum, handler: DeadlineHandler, prefetch: Prefetch | None = None
    ) -> None:
        """Let a domain act on its own kind of deadline (e.g. the EPZ's repair deadlines)."""
        self._handlers[kind.value] = handler
        if prefetch is not None:
            self._prefetches[kind.value] = prefetch

    def handles(self, kind: StrEnum) -> bool:
        """True if a domain registered what happens when a deadline of this kind passes."""
        return kind.value in self._handlers

    def fire_due(self, now: dt.datetime) -> int:
        """Fire every deadline due by now (including those missed while the bot was down)."""
        fired = 0
        while (step := self.fire_next(now)) is not None:
            fired += step
        if fired:
            # The sender goes at once; re-arming the alarm is for whoever rang it, once.
            self._wake_sender()
        return fired

    def fire_next(self, now: dt.datetime, limit: int = BATCH) -> int | None:
        """Fire the next few deadlines due by now; None when none is due.

        They share one transaction, which keeps a burst of deadlines cheap; if any of them
        fails, that batch is fired again one deadline at a time so the others still fire.
        """
        with Session(self._engine) as session:
            batch = [
                _Due(d.id, d.kind, d.subject, d.seq, d.due_at)
                for d in deadlines.due(session, now, limit)
                if d.id is not None
            ]
        if not batch:
            return None
        fired = self._fire_together(batch, now)
        if fired is None:
            fired = sum(self._fire_one(due, now) for due in batch)
        if fired:
            # The sender goes at once; re-arming the alarm is for whoever rang it, once.
            self._wake_sender()
        return fired

    def next_due_at(self) -> dt.datetime | None:
        """When the earliest live deadline falls."""
        with Session(self._engine) as session:
            return deadlines.next_due_at(session)

    def _fire_together(self, batch: list[_Due], now: dt.datetime) -> int | None:
        with Session(self._engine) as session:
            owned = deadlines.claim_many(session, [due.id for due in batch], now)
            try:
                loaded = self._prefetch(session, batch)
                for due in batch:
                    if due.id in owned:
                        self._act(session, due, now)
            except Exception:
                session.rollback()
                log.warning("A deadline failed in a batch; firing the batch one by one")
                return None
            session.commit()
            del loaded
        self._tell_fired([due for due in batch if due.id in owned], now)
        return len(owned)

    def _fire_one(self, due: _Due, now: dt.datetime) -> bool:
        with Session(self._engine) as session:
            if not deadlines.claim(session, due.id, now):
                return False
            try:
                self._act(session, due, now)
            except Exception:
                # A broken deadline must not block the others; it stays claimed and logged.
                session.rollback()
                log.exception("Deadline %s (%s %s) failed", due.id, due.kind, due.subject)
                with Session(self._engine) as retry:
                    deadlines.claim(retry, due.id, now)
                    retry.commit()
                return False
            session.commit()
        self._tell_fired([due], now)
        return True

    def _tell_fired(self, fired: list[_Due], now: dt.datetime) -> None:
        if self.on_fired is not None:
            for due in fired:
                self.on_fired(due.kind, now - due.due_at)

    def _prefetch(self, session: Session, batch: list[_Due]) -> list[object]:
        wanted: dict[Prefetch, list[int]] = {}
        for due in batch:
            prefetch = self._prefetches.get(due.kind)
            if prefetch is not None:
                wanted.setdefault(prefetch, []).append(subject_id(due.subject))
        return [prefetch(session, ids) for prefetch, ids in wanted.items()]

    def _act(self, session: Session, due: _Due, now: dt.datetime) -> None:
        handler = self._handlers.get(due.kind)
        if handler is None:
            # A kind no domain registers (a removed feature's rows): claimed, logged, skipped.
            log.error("No handler for deadline %s of kind %s", due.id, due.kind)
            return
        handler(session, subject_id(due.subject), due.seq, now)


class DueTimers(Protocol):
    """What the alarm asks: fire what is due, and when the next deadline falls."""

    def fire_due(self, now: dt.datetime) -> int:
        """Fire every deadline due by now."""
        ...

    def fire_next(self, now: dt.datetime) -> int | None:
        """Fire the next few deadlines due by now; None when none is due."""
        ...

    def next_due_at(self) -> dt.datetime | None:
        """When the earliest live deadline falls."""
        ...


class TimersOfDesks:
    """Every desk's timers behind one alarm: each desk claims and fires its own deadlines."""

    def __init__(self, timers: Sequence[Timers]) -> None:
        self._timers = tuple(timers)

    def fire_due(self, now: dt.datetime) -> int:
        """Fire every desk's deadlines due by now."""
        return sum(timers.fire_due(now) for timers in self._timers)

    def fire_next(self, now: dt.datetime) -> int | None:
        """A batch of each desk with deadlines due; None when no desk has any."""
        fired = [step for timers in self._timers if (step := timers.fire_next(now)) is not None]
        return sum(fired) if fired else None

    def next_due_at(self) -> dt.datetime | None:
        """The earliest live deadline of any desk."""
        upcoming = [at for timers in self._timers if (at := timers.next_due_at()) is not None]
        return min(upcoming, default=None)
