"""Firing due deadlines: each exactly once, in the same transaction as its effects."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import NamedTuple

from sqlmodel import Session

from bot.escalation import deadlines
from bot.escalation.approvals import Approvals
from bot.escalation.context import EscalationContext
from bot.escalation.deadlines import DeadlineKind, is_request, subject_id
from bot.escalation.requests import Requests

log = logging.getLogger(__name__)

# Called in the deadline's own transaction: (session, subject id, sequence number, now).
DeadlineHandler = Callable[[Session, int, int, dt.datetime], None]


# Deadlines fired in one transaction; small enough that a burst never holds the loop long.
BATCH = 25


class _Due(NamedTuple):
    id: int
    kind: DeadlineKind
    subject: str
    seq: int


class Timers:
    """Turns passed deadlines into reminders, breaches and escalations."""

    def __init__(self, ctx: EscalationContext, approvals: Approvals, requests: Requests) -> None:
        self._ctx = ctx
        self._approvals = approvals
        self._requests = requests
        self._handlers: dict[DeadlineKind, DeadlineHandler] = {}

    def register(self, kind: DeadlineKind, handler: DeadlineHandler) -> None:
        """Let another domain act on its own kind of deadline (e.g. EPZ repair deadlines)."""
        self._handlers[kind] = handler

    def fire_due(self, now: dt.datetime) -> int:
        """Fire every deadline due by now (including those missed while the bot was down)."""
        fired = 0
        while (step := self.fire_next(now)) is not None:
            fired += step
        if fired:
            # The sender goes at once; re-arming the alarm is for whoever rang it, once.
            self._ctx.outbox.notify()
        return fired

    def fire_next(self, now: dt.datetime, limit: int = BATCH) -> int | None:
        """Fire the next few deadlines due by now; None when none is due.

        They share one transaction, which keeps a burst of deadlines cheap; if any of them
        fails, that batch is fired again one deadline at a time so the others still fire.
        """
        with Session(self._ctx.engine) as session:
            batch = [
                _Due(d.id, DeadlineKind(d.kind), d.subject, d.seq)
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
            self._ctx.outbox.notify()
        return fired

    def next_due_at(self) -> dt.datetime | None:
        """When the earliest live deadline falls."""
        with Session(self._ctx.engine) as session:
            return deadlines.next_due_at(session)

    def _fire_together(self, batch: list[_Due], now: dt.datetime) -> int | None:
        with Session(self._ctx.engine) as session:
            owned = deadlines.claim_many(session, [due.id for due in batch], now)
            try:
                loaded = self._requests.prefetch(
                    session, [subject_id(due.subject) for due in batch if is_request(due.subject)]
                )
                for due in batch:
                    if due.id in owned:
                        self._act(session, due, now)
            except Exception:
                session.rollback()
                log.warning("A deadline failed in a batch; firing the batch one by one")
                return None
            session.commit()
            del loaded
        return len(owned)

    def _fire_one(self, due: _Due, now: dt.datetime) -> bool:
        with Session(self._ctx.engine) as session:
            if not deadlines.claim(session, due.id, now):
                return False
            try:
                self._act(session, due, now)
            except Exception:
                # A broken deadline must not block the others; it stays claimed and logged.
                session.rollback()
                log.exception("Deadline %s (%s %s) failed", due.id, due.kind, due.subject)
                with Session(self._ctx.engine) as retry:
                    deadlines.claim(retry, due.id, now)
                    retry.commit()
                return False
            session.commit()
        return True

    def _act(self, session: Session, due: _Due, now: dt.datetime) -> None:
        subject = subject_id(due.subject)
        if due.kind in self._handlers:
            self._handlers[due.kind](session, subject, due.seq, now)
        elif due.kind is DeadlineKind.APPROVAL_REMINDER:
            self._approvals.remind_leader(session, subject, due.seq, now)
        else:
            self._requests.on_deadline(session, due.kind, subject, due.seq, now)
