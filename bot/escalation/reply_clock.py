"""The 30-minute reply rule (888 Art. 9): the clock a delivery starts, reminders, the breach."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from html import escape

from sqlmodel import Session

from bot import deadlines
from bot.db.models import Incident, OutboxPriority, Proposal, RequestStatus, UnitRequest
from bot.deadlines.timers import Timers
from bot.escalation.deadline_kinds import REQUEST_KINDS, EscalationDeadline, request_subject
from bot.escalation.proposal_cards import refresh_card_of
from bot.escalation.request_book import RequestBook
from bot.escalation.texts import request_buttons, request_text
from bot.i18n import Translator
from bot.service import ServiceContext


def _minutes(value: int) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def reminder_text(
    tr: Translator, label: str, due: dt.datetime, now: dt.datetime, deadline_minutes: int
) -> str:
    """A unit's reminder (HTML) saying truly how long is left, or how long it is overdue.

    Timers fire a little after their moment, so the minutes left are rounded up: the
    15-minute reminder says 15, not 14, and one with seconds left says 1, never 0. Overdue
    minutes are whole minutes past (rounded down), and under one the reply time is just up.
    """
    seconds = (due - now).total_seconds()
    if seconds > 0:
        return "⏳ " + escape(
            tr(
                "Reminder: request {label} needs your reply within {minutes} min (by {time}): "
                "answer now, or name the contact and the expected time."
            ).format(label=label, minutes=math.ceil(seconds / 60), time=tr.time(due))
        )
    late = int(-seconds // 60)
    if late < 1:
        return "🔴 " + escape(
            tr(
                "The {deadline}-minute reply time for request {label} is up ({time}). Reply "
                "now: answer, or name the contact and the expected time."
            ).format(label=label, deadline=deadline_minutes, time=tr.time(due))
        )
    return "🔴 " + escape(
        tr(
            "Request {label} is {minutes} min past the {deadline}-minute reply time. Reply now: "
            "answer, or name the contact and the expected time."
        ).format(label=label, minutes=late, deadline=deadline_minutes)
    )


def is_late(request: UnitRequest, now: dt.datetime) -> bool:
    """Later than asked: the reply time was missed, or the unit's own ETA has passed."""
    return request.breached_at is not None or (request.eta is not None and now > request.eta)


# Schedules one deadline: (session, kind, subject, due at, seq).
Arm = Callable[[Session, EscalationDeadline, str, dt.datetime, int], None]


class ReplyClock:
    """Starts a request's clock on delivery and acts on its deadlines as they pass."""

    def __init__(self, ctx: ServiceContext, book: RequestBook) -> None:
        self._ctx = ctx
        self._book = book

    def start(
        self,
        session: Session,
        request: UnitRequest,
        proposal: Proposal,
        incident: Incident,
        now: dt.datetime,
        arm: Arm = deadlines.schedule,
    ) -> None:
        """Send the request with its buttons; its 30 minutes run from this delivery (Art. 9).

        `arm` schedules each deadline; a second delivery revives the first one's instead.
        """
        ctx = self._ctx
        rules = ctx.settings.escalation
        assert request.id is not None
        request.status, request.delivered_at = RequestStatus.WAITING, now
        request.reply_due_at = now + _minutes(rules.reply_deadline_minutes)
        tr = ctx.addressee_tr(request)
        request.delivery_outbox_id = ctx.outbox.send(
            request.chat_id,
            request_text(tr, proposal, incident, request, rules.reply_deadline_minutes),
            buttons=request_buttons(tr, request),
            session=session,
            priority=OutboxPriority.URGENT,
        )
        session.add(request)
        subject = request_subject(request.id)
        for seq, offset in enumerate(sorted(rules.unit_reminder_minutes), start=1):
            arm(session, EscalationDeadline.UNIT_REMINDER, subject, now + _minutes(offset), seq)
        arm(session, EscalationDeadline.REPLY_DEADLINE, subject, request.reply_due_at, 0)

    def register(self, timers: Timers) -> None:
        """Act on the request's own deadlines when they pass."""
        for kind in REQUEST_KINDS:
            timers.register(kind, functools.partial(self.on_deadline, kind), self._book.prefetch)

    def on_deadline(
        self,
        kind: EscalationDeadline,
        session: Session,
        request_id: int,
        seq: int,
        now: dt.datetime,
    ) -> None:
        """Act on one of a request's deadlines, in the caller's transaction."""
        request = session.get(UnitRequest, request_id)
        if request is None:
            return
        if kind is EscalationDeadline.RESULT_DUE:
            if request.status == RequestStatus.ACKNOWLEDGED:
                self._result_overdue(session, request, now)
            return
        if request.status != RequestStatus.WAITING:
            return
        if kind is EscalationDeadline.UNIT_REMINDER:
            self._remind_unit(session, request, now)
        elif kind is EscalationDeadline.REPLY_DEADLINE:
            self._breach(session, request, now)
        elif kind is EscalationDeadline.BREACH_REMINDER:
            self._remind_unit(session, request, now)
            self._schedule_breach_reminder(session, request, now, seq + 1)

    def _remind_unit(self, session: Session, request: UnitRequest, now: dt.datetime) -> None:
        tr = self._ctx.addressee_tr(request)
        label = self._book.label(session, request)
        text = reminder_text(tr, label, request.reply_due_at, now, self._book.deadline_minutes)
        self._ctx.outbox.send(
            request.chat_id,
            text,
            buttons=request_buttons(tr, request),
            session=session,
            priority=OutboxPriority.URGENT,
        )

    def _breach(self, session: Session, request: UnitRequest, now: dt.datetime) -> None:
        ctx = self._ctx
        request.breached_at = now
        session.add(request)
        refresh_card_of(ctx, session, request)
        label = self._book.label(session, request)
        minutes = ctx.settings.escalation.reply_deadline_minutes
        unit = self._book.unit_name(request)
        tr = ctx.desk_tr()
        self._book.note(
            session,
            now,
            label,
            tr("{unit} did not reply within {minutes} minutes (delivered at {time}).").format(
                unit=unit, minutes=minutes, time=tr.time(request.delivered_at)
            ),
            {"result_unit": unit},
            f"breach:{request.id}",
        )

        def render(tr: Translator) -> str:
            return "🔴 " + escape(
                tr(
                    "{unit} has not replied to request {label} within {minutes} minutes "
                    "(delivered at {time}). The unit keeps being reminded."
                ).format(
                    unit=unit, label=label, minutes=minutes, time=tr.time(request.delivered_at)
                )
            )

        self._book.alert_desk(session, now, render)
        self._remind_unit(session, request, now)
        self._schedule_breach_reminder(session, request, now, 1)

    def _schedule_breach_reminder(
        self, session: Session, request: UnitRequest, now: dt.datetime, seq: int
    ) -> None:
        assert request.id is not None
        every = _minutes(self._ctx.settings.escalation.breach_reminder_every_minutes)
        deadlines.schedule(
            session,
            EscalationDeadline.BREACH_REMINDER,
            request_subject(request.id),
            now + every,
            seq=seq,
        )

    def _result_overdue(self, session: Session, request: UnitRequest, now: dt.datetime) -> None:
        tr = self._ctx.addressee_tr(request)
        label = self._book.label(session, request)
        self._ctx.outbox.send(
            request.chat_id,
            "⏳ "
            + escape(
                tr(
                    "The expected time for request {label} has passed. Report the result, with the "
                    "reason for the delay."
                ).format(label=label)
            ),
            buttons=request_buttons(tr, request),
            session=session,
            priority=OutboxPriority.URGENT,
        )
        tr = self._ctx.desk_tr()
        self._ctx.urgent_to_group(
            session,
            "⏳ "
            + escape(
                tr(
                    "{unit} has passed its expected time for request {label}; result awaited."
                ).format(unit=self._book.unit_name(request), label=label)
            ),
        )
