"""Requests to units and the 30-minute reply rule (888 Art. 9)."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from html import escape

from sqlmodel import Session, col, select

from bot import deadlines
from bot.customs import addressees
from bot.db.models import (
    Incident,
    LogColumn,
    OutboxPriority,
    Proposal,
    RequestStatus,
    UnitRequest,
)
from bot.deadlines.timers import Timers
from bot.escalation.deadline_kinds import REQUEST_KINDS, EscalationDeadline, request_subject
from bot.escalation.texts import request_buttons, request_text
from bot.i18n import Translator
from bot.logbook.service import Author
from bot.service import ServiceContext, system_author
from bot.steps import Refusal, Step

REPLY_CLOCK = (
    EscalationDeadline.UNIT_REMINDER,
    EscalationDeadline.REPLY_DEADLINE,
    EscalationDeadline.BREACH_REMINDER,
)


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

# Incident labels remembered by proposal; a bound, not a tuning knob.
LABELS_KEPT = 20_000


class Requests:
    """Delivers approved requests to units and watches their replies."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._labels: dict[int, str] = {}

    def deliver(
        self, session: Session, proposal: Proposal, incident: Incident, now: dt.datetime
    ) -> list[UnitRequest]:
        """Send the request to each unit and named person and start its clock, in the caller's
        transaction."""
        assert proposal.id is not None
        delivered = []
        for addressee in addressees.of_proposal(self._ctx.settings, proposal):
            if addressee.chat_id is None:
                self._no_chat(session, addressee.name, incident.label, proposal.id, now)
                continue
            request = UnitRequest(
                proposal_id=proposal.id,
                unit_key=addressee.unit_key,
                person_id=addressee.person_id,
                chat_id=addressee.chat_id,
                status=RequestStatus.WAITING,
                delivered_at=now,
                reply_due_at=now,
            )
            session.add(request)
            session.flush()
            self._send_and_start_clock(session, request, proposal, incident, now)
            delivered.append(request)
        return delivered

    def _no_chat(
        self, session: Session, name: str, label: str, proposal_id: int, now: dt.datetime
    ) -> None:
        """A unit the bot cannot write to: the request must not vanish, so have it phoned."""

        def render(tr: Translator) -> str:
            return "⚠️ " + escape(
                tr(
                    "Request {label} was approved for {name}, but the bot has no chat of that "
                    "unit (units[].chat_id). Phone the unit and read the request out."
                ).format(label=label, name=name)
            )

        tr = self._ctx.desk_tr()
        self._note(
            session,
            now,
            label,
            tr("Request not delivered to {name}: the unit has no chat; to be phoned.").format(
                name=name
            ),
            {"result_unit": name},
            f"no-chat:{proposal_id}:{name}",
        )
        self._alert_desk(session, now, render)

    def _send_and_start_clock(
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

    def undelivered(self, outbox_id: int, error: str, now: dt.datetime) -> UnitRequest | None:
        """Telegram refused a request's delivery for good: stop its clock, have them phoned.

        Nobody received it, so no 30 minutes can run; the shift leader and the group are told
        to reach the receiver by phone. A named person gets it once they write to the bot.
        """
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            request = session.exec(
                select(UnitRequest).where(
                    UnitRequest.delivery_outbox_id == outbox_id,
                    UnitRequest.status == RequestStatus.WAITING,
                )
            ).first()
            if request is None:
                return None
            self._stop_clock(session, request)
            request.status = RequestStatus.UNREACHABLE
            session.add(request)
            label = self._label(session, request)
            name = self._unit_name(request)

            def render(tr: Translator) -> str:
                if request.person_id is not None:
                    why = tr(
                        "{name} has probably never opened a private chat with the bot. "
                        "Phone them, read the request out, and ask them to press Start in "
                        "the bot: it is then delivered to them and its {minutes} minutes begin."
                    )
                else:
                    why = tr("The bot may have been removed from the unit's chat. Phone the unit.")
                return (
                    "⚠️ "
                    + escape(
                        tr("Request {label} could not be delivered to {name}.").format(
                            label=label, name=name
                        )
                    )
                    + "\n"
                    + escape(why.format(name=name, minutes=self._deadline_minutes))
                )

            tr = ctx.desk_tr()
            self._note(
                session,
                now,
                label,
                tr(
                    "Request not delivered to {name}: Telegram refused it ({error}); "
                    "to be contacted by phone."
                ).format(name=name, error=error),
                {"result_unit": name},
                f"undelivered:{request.id}:{outbox_id}",
            )
            self._alert_desk(session, now, render)
            session.commit()
        ctx.committed()
        return request

    def redeliver(self, person_id: int, now: dt.datetime) -> list[UnitRequest]:
        """A named person who could not be reached wrote to the bot: deliver to them now."""
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            waiting = session.exec(
                select(UnitRequest, Proposal, Incident)
                .join(Proposal, col(Proposal.id) == col(UnitRequest.proposal_id))
                .join(Incident, col(Incident.id) == col(Proposal.incident_id))
                .where(
                    UnitRequest.status == RequestStatus.UNREACHABLE,
                    UnitRequest.person_id == person_id,
                )
                .order_by(col(UnitRequest.id))
            ).all()
            if not waiting:
                return []
            tr = ctx.desk_tr()
            for request, proposal, incident in waiting:
                self._send_and_start_clock(
                    session, request, proposal, incident, now, arm=deadlines.rearm
                )
                name = self._unit_name(request)
                text = tr(
                    "Request {label} delivered to {name} at {time}, once they opened the chat "
                    "with the bot; the {minutes} minutes run from now."
                ).format(
                    label=incident.label,
                    name=name,
                    time=tr.time(now),
                    minutes=self._deadline_minutes,
                )
                self._note(
                    session,
                    now,
                    incident.label,
                    text,
                    {"direction_receiver": name},
                    f"redelivered:{request.id}:{request.delivery_outbox_id}",
                )
                ctx.urgent_to_group(session, "📨 " + escape(text), approvals=True)
            session.commit()
        ctx.committed()
        return [request for request, _, _ in waiting]

    def answer_now(
        self, author: Author, request_id: int, answer: str, now: dt.datetime
    ) -> Step[UnitRequest]:
        """The unit answers at once (Art. 9.1): the request is done, the clock stops."""
        if not answer.strip():
            return Step(refusal=Refusal.EMPTY)
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            found = self._for_unit(session, author, request_id, RequestStatus.WAITING)
            if not found.ok or found.value is None:
                return found
            request = found.value
            self._stop_clock(session, request)
            request.status, request.reported_at = RequestStatus.ANSWERED, now
            request.result = answer.strip()
            request.responder_id, request.responder_name = author.user_id, author.name
            session.add(request)
            label = self._label(session, request)
            tr = self._ctx.desk_tr()
            self._result_entry(session, author, request, label, now)
            self._ctx.urgent_to_group(
                session,
                "💬 "
                + escape(
                    tr("{unit} answered request {label}: {answer}").format(
                        unit=self._unit_name(request), label=label, answer=request.result
                    )
                ),
            )
            session.commit()
        self._ctx.committed()
        return Step(request)

    def acknowledge(
        self, author: Author, request_id: int, contact: str, eta: dt.datetime, now: dt.datetime
    ) -> Step[UnitRequest]:
        """The unit names its handling contact and expected time (Art. 9.2): the clock stops."""
        if not contact.strip():
            return Step(refusal=Refusal.EMPTY)
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            found = self._for_unit(session, author, request_id, RequestStatus.WAITING)
            if not found.ok or found.value is None:
                return found
            request = found.value
            self._stop_clock(session, request)
            request.status, request.acknowledged_at = RequestStatus.ACKNOWLEDGED, now
            request.contact, request.eta = contact.strip(), eta
            request.responder_id, request.responder_name = author.user_id, author.name
            session.add(request)
            deadlines.schedule(
                session, EscalationDeadline.RESULT_DUE, request_subject(request_id), eta
            )
            label = self._label(session, request)
            tr = ctx.desk_tr()
            waited = int((now - request.delivered_at).total_seconds() // 60)
            ctx.logbook.append(
                session,
                author,
                now,
                {
                    LogColumn.RESULT: f"[{label}] "
                    + tr(
                        "{unit} acknowledged after {minutes} min; contact {contact}; "
                        "expected by {eta}"
                    ).format(
                        unit=self._unit_name(request),
                        minutes=waited,
                        contact=request.contact,
                        eta=tr.datetime(eta),
                    )
                },
                details={
                    "direction_receiver": request.contact,
                    "result_reported_at": now,
                    "result_unit": self._unit_name(request),
                },
                source_key=f"ack:{request.id}",
            )
            ctx.urgent_to_group(
                session,
                "📥 "
                + escape(
                    tr(
                        "{unit} acknowledged request {label} after {minutes} min: contact "
                        "{contact}, expected by {eta}."
                    ).format(
                        unit=self._unit_name(request),
                        label=label,
                        minutes=waited,
                        contact=request.contact,
                        eta=tr.datetime(eta),
                    )
                ),
            )
            tr = ctx.addressee_tr(request)
            ctx.outbox.send(
                request.chat_id,
                escape(tr("Recorded. When the work is done, report the result here.")),
                buttons=request_buttons(tr, request),
                session=session,
                priority=OutboxPriority.REPLY,
            )
            session.commit()
        ctx.committed()
        return Step(request)

    def report_result(
        self,
        author: Author,
        request_id: int,
        result: str,
        late_reason: str,
        responsible: str,
        now: dt.datetime,
    ) -> Step[UnitRequest]:
        """The unit reports the result (Annex IV); a late one must give reason and who."""
        if not result.strip():
            return Step(refusal=Refusal.EMPTY)
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            found = self._for_unit(session, author, request_id, RequestStatus.ACKNOWLEDGED)
            if not found.ok or found.value is None:
                return found
            request = found.value
            if is_late(request, now) and not (late_reason.strip() and responsible.strip()):
                return Step(request, refusal=Refusal.NEEDS_LATE_REASON)
            request.status, request.reported_at = RequestStatus.REPORTED, now
            request.result = result.strip()
            request.late_reason, request.responsible = late_reason.strip(), responsible.strip()
            session.add(request)
            deadlines.cancel(session, request_subject(request_id), (EscalationDeadline.RESULT_DUE,))
            label = self._label(session, request)
            self._result_entry(session, author, request, label, now)
            tr = ctx.desk_tr()
            text = "✅ " + escape(
                tr("{unit} reported the result of request {label}: {result}").format(
                    unit=self._unit_name(request), label=label, result=request.result
                )
            )
            if request.late_reason:
                text += "\n" + escape(
                    tr("Late: {reason} (responsible: {who})").format(
                        reason=request.late_reason, who=request.responsible
                    )
                )
            ctx.urgent_to_group(session, text)
            session.commit()
        ctx.committed()
        return Step(request)

    def may_answer(
        self, author: Author, request_id: int, expected: RequestStatus
    ) -> Step[UnitRequest]:
        """Whether the author may take the request's next step now (asked before it is typed)."""
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            return self._for_unit(session, author, request_id, expected)

    def get(self, request_id: int) -> UnitRequest | None:
        """Return a request by id."""
        with Session(self._ctx.engine) as session:
            return session.get(UnitRequest, request_id)

    def register(self, timers: Timers) -> None:
        """Act on the request's own deadlines when they pass."""
        for kind in REQUEST_KINDS:
            timers.register(kind, functools.partial(self.on_deadline, kind), self.prefetch)

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
        label = self._label(session, request)
        text = reminder_text(tr, label, request.reply_due_at, now, self._deadline_minutes)
        self._ctx.outbox.send(
            request.chat_id,
            text,
            buttons=request_buttons(tr, request),
            session=session,
            priority=OutboxPriority.URGENT,
        )

    @property
    def _deadline_minutes(self) -> int:
        return self._ctx.settings.escalation.reply_deadline_minutes

    def _breach(self, session: Session, request: UnitRequest, now: dt.datetime) -> None:
        ctx = self._ctx
        request.breached_at = now
        session.add(request)
        label = self._label(session, request)
        minutes = ctx.settings.escalation.reply_deadline_minutes
        unit = self._unit_name(request)
        tr = ctx.desk_tr()
        self._note(
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

        self._alert_desk(session, now, render)
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
        label = self._label(session, request)
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
                ).format(unit=self._unit_name(request), label=label)
            ),
        )

    def _note(
        self,
        session: Session,
        now: dt.datetime,
        label: str,
        text: str,
        details: dict[str, object],
        key: str,
    ) -> None:
        """A logbook note the desk writes itself about a request."""
        self._ctx.logbook.append(
            session,
            system_author(),
            now,
            {LogColumn.NOTE: f"[{label}] {text}"},
            details=details,
            source_key=key,
        )

    def _alert_desk(
        self, session: Session, now: dt.datetime, render: Callable[[Translator], str]
    ) -> None:
        """Tell the group and, privately too, the shift leader: the group hears it anyway."""
        self._ctx.urgent_to_group(session, render(self._ctx.desk_tr()), approvals=True)
        self._ctx.tell_leader(session, now, render, always_private=True)

    def _stop_clock(self, session: Session, request: UnitRequest) -> None:
        assert request.id is not None
        deadlines.cancel(session, request_subject(request.id), REPLY_CLOCK)

    def _result_entry(
        self, session: Session, author: Author, request: UnitRequest, label: str, now: dt.datetime
    ) -> None:
        tr = self._ctx.desk_tr()
        text = f"[{label}] {request.result}"
        if request.late_reason:
            text += " — " + tr("late: {reason} (responsible: {who})").format(
                reason=request.late_reason, who=request.responsible
            )
        self._ctx.logbook.append(
            session,
            author,
            now,
            {LogColumn.RESULT: text},
            details={"result_reported_at": now, "result_unit": self._unit_name(request)},
            source_key=f"result:{request.id}",
        )

    def _for_unit(
        self, session: Session, author: Author, request_id: int, expected: RequestStatus
    ) -> Step[UnitRequest]:
        request = session.get(UnitRequest, request_id)
        if request is None:
            return Step(refusal=Refusal.NOT_FOUND)
        person = self._ctx.roster.person(author.user_id) if author.user_id else None
        if not addressees.may_answer(request, person):
            if request.person_id is not None:
                return Step(request, refusal=Refusal.NOT_ADDRESSEE, who=self._unit_name(request))
            return Step(request, refusal=Refusal.NOT_ALLOWED)
        if request.status != expected:
            return Step(request, refusal=Refusal.WRONG_STATE)
        return Step(request)

    def prefetch(self, session: Session, request_ids: list[int]) -> list[UnitRequest]:
        """Load requests and their incident labels in one query, for a burst of deadlines.

        The session holds loaded rows weakly: keep the returned list while acting on them.
        """
        rows = session.exec(
            select(UnitRequest, Incident)
            .join(Proposal, col(Proposal.id) == col(UnitRequest.proposal_id))
            .join(Incident, col(Incident.id) == col(Proposal.incident_id))
            .where(col(UnitRequest.id).in_(request_ids))
        ).all()
        for request, incident in rows:
            self._remember_label(request.proposal_id, incident.label)
        return [request for request, _ in rows]

    def _remember_label(self, proposal_id: int, label: str) -> None:
        if len(self._labels) >= LABELS_KEPT:
            self._labels.clear()
        self._labels[proposal_id] = label

    def _label(self, session: Session, request: UnitRequest) -> str:
        # An incident's number never changes, and every reminder names it.
        label = self._labels.get(request.proposal_id)
        if label is None:
            incident = session.exec(
                select(Incident)
                .join(Proposal, col(Proposal.incident_id) == col(Incident.id))
                .where(col(Proposal.id) == request.proposal_id)
            ).first()
            if incident is None:
                return "?"
            label = incident.label
            self._remember_label(request.proposal_id, label)
        return label

    def _unit_name(self, request: UnitRequest) -> str:
        return self._ctx.addressee_name(request)
