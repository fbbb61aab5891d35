"""Firing due deadlines: each exactly once, in the same transaction as its effects."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlmodel import Session

from bot.escalation import deadlines
from bot.escalation.approvals import Approvals
from bot.escalation.context import EscalationContext
from bot.escalation.deadlines import DeadlineKind, subject_id
from bot.escalation.requests import Requests

log = logging.getLogger(__name__)

# Called in the deadline's own transaction: (session, subject id, sequence number, now).
DeadlineHandler = Callable[[Session, int, int, dt.datetime], None]


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
        while True:
            with Session(self._ctx.engine) as session:
                batch = [(d.id, d.kind, d.subject, d.seq) for d in deadlines.due(session, now)]
            if not batch:
                break
            for deadline_id, kind, subject, seq in batch:
                assert deadline_id is not None
                if self._fire_one(deadline_id, DeadlineKind(kind), subject, seq, now):
                    fired += 1
        if fired:
            self._ctx.committed()
        return fired

    def next_due_at(self) -> dt.datetime | None:
        """When the earliest live deadline falls."""
        with Session(self._ctx.engine) as session:
            return deadlines.next_due_at(session)

    def _fire_one(
        self, deadline_id: int, kind: DeadlineKind, subject: str, seq: int, now: dt.datetime
    ) -> bool:
        with Session(self._ctx.engine) as session:
            if not deadlines.claim(session, deadline_id, now):
                return False
            try:
                if kind in self._handlers:
                    self._handlers[kind](session, subject_id(subject), seq, now)
                elif kind is DeadlineKind.APPROVAL_REMINDER:
                    self._approvals.remind_leader(session, subject_id(subject), seq, now)
                else:
                    self._requests.on_deadline(session, kind, subject_id(subject), seq, now)
            except Exception:
                # A broken deadline must not block the others; it stays claimed and logged.
                session.rollback()
                log.exception("Deadline %s (%s %s) failed", deadline_id, kind, subject)
                with Session(self._ctx.engine) as retry:
                    deadlines.claim(retry, deadline_id, now)
                    retry.commit()
                return False
            session.commit()
        return True
