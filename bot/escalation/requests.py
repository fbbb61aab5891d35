"""Requests to units and named people: delivery, and their answers (888 Art. 9).

The reply clock a delivery starts is in `reply_clock.py`; what every part reads and notes about
a request, in `request_book.py`.
"""

from __future__ import annotations

import datetime as dt
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
from bot.escalation.deadline_kinds import EscalationDeadline, request_subject
from bot.escalation.proposal_cards import refresh_card_of
from bot.escalation.reply_clock import ReplyClock, is_late
from bot.escalation.request_book import RequestBook
from bot.escalation.texts import request_buttons
from bot.i18n import Translator
from bot.logbook.service import Author
from bot.service import ServiceContext
from bot.steps import Refusal, Step


class Requests:
    """Delivers approved requests to units and named people, and records their answers."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._book = RequestBook(ctx)
        self._clock = ReplyClock(ctx, self._book)

    def get(self, request_id: int) -> UnitRequest | None:
        """Return a request by id."""
        return self._book.get(request_id)

    def register(self, timers: Timers) -> None:
        """Act on the requests' own deadlines when they pass."""
        self._clock.register(timers)

    def prefetch(self, session: Session, request_ids: list[int]) -> list[UnitRequest]:
        """Load requests and their incident labels in one query, for a burst of deadlines."""
        return self._book.prefetch(session, request_ids)

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
            self._clock.start(session, request, proposal, incident, now)
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
        self._book.note(
            session,
            now,
            label,
            tr("Request not delivered to {name}: the unit has no chat; to be phoned.").format(
                name=name
            ),
            {"result_unit": name},
            f"no-chat:{proposal_id}:{name}",
        )
        self._book.alert_desk(session, now, render)

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
            self._book.stop_clock(session, request)
            request.status = RequestStatus.UNREACHABLE
            session.add(request)
            refresh_card_of(ctx, session, request)
            label = self._book.label(session, request)
            name = self._book.unit_name(request)

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
                    + escape(why.format(name=name, minutes=self._book.deadline_minutes))
                )

            tr = ctx.desk_tr()
            self._book.note(
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
            self._book.alert_desk(session, now, render)
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
                self._clock.start(session, request, proposal, incident, now, arm=deadlines.rearm)
                name = self._book.unit_name(request)
                text = tr(
                    "Request {label} delivered to {name} at {time}, once they opened the chat "
                    "with the bot; the {minutes} minutes run from now."
                ).format(
                    label=incident.label,
                    name=name,
                    time=tr.time(now),
                    minutes=self._book.deadline_minutes,
                )
                self._book.note(
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
            self._book.stop_clock(session, request)
            request.status, request.reported_at = RequestStatus.ANSWERED, now
            request.result = answer.strip()
            request.responder_id, request.responder_name = author.user_id, author.name
            session.add(request)
            label = self._book.label(session, request)
            tr = self._ctx.desk_tr()
            self._result_entry(session, author, request, label, now)
            self._ctx.urgent_to_group(
                session,
                "💬 "
                + escape(
                    tr("{unit} answered request {label}: {answer}").format(
                        unit=self._book.unit_name(request), label=label, answer=request.result
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
            self._book.stop_clock(session, request)
            request.status, request.acknowledged_at = RequestStatus.ACKNOWLEDGED, now
            request.contact, request.eta = contact.strip(), eta
            request.responder_id, request.responder_name = author.user_id, author.name
            session.add(request)
            deadlines.schedule(
                session, EscalationDeadline.RESULT_DUE, request_subject(request_id), eta
            )
            label = self._book.label(session, request)
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
                        unit=self._book.unit_name(request),
                        minutes=waited,
                        contact=request.contact,
                        eta=tr.datetime(eta),
                    )
                },
                details={
                    "direction_receiver": request.contact,
                    "result_reported_at": now,
                    "result_unit": self._book.unit_name(request),
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
                        unit=self._book.unit_name(request),
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
            refresh_card_of(ctx, session, request)
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
        suggestion: str | None = None,
    ) -> Step[UnitRequest]:
        """The unit reports the result (Annex IV); a late one must give reason and who.

        `suggestion` is Annex IV's "Đề xuất (nếu có)": "" when the unit has none, None when
        the way in did not ask.
        """
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
            request.suggestion = suggestion.strip() if suggestion is not None else None
            session.add(request)
            deadlines.cancel(session, request_subject(request_id), (EscalationDeadline.RESULT_DUE,))
            label = self._book.label(session, request)
            self._result_entry(session, author, request, label, now)
            tr = ctx.desk_tr()
            text = "✅ " + escape(
                tr("{unit} reported the result of request {label}: {result}").format(
                    unit=self._book.unit_name(request), label=label, result=request.result
                )
            )
            if request.late_reason:
                text += "\n" + escape(
                    tr("Late: {reason} (responsible: {who})").format(
                        reason=request.late_reason, who=request.responsible
                    )
                )
            ctx.urgent_to_group(session, text)
            refresh_card_of(ctx, session, request)
            session.commit()
        ctx.committed()
        return Step(request)

    def may_answer(
        self, author: Author, request_id: int, expected: RequestStatus
    ) -> Step[UnitRequest]:
        """Whether the author may take the request's next step now (asked before it is typed)."""
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            return self._for_unit(session, author, request_id, expected)

    def _for_unit(
        self, session: Session, author: Author, request_id: int, expected: RequestStatus
    ) -> Step[UnitRequest]:
        request = session.get(UnitRequest, request_id)
        if request is None:
            return Step(refusal=Refusal.NOT_FOUND)
        person = self._ctx.roster.person(author.user_id) if author.user_id else None
        if not addressees.may_answer(request, person):
            if request.person_id is not None:
                return Step(
                    request, refusal=Refusal.NOT_ADDRESSEE, who=self._book.unit_name(request)
                )
            return Step(request, refusal=Refusal.NOT_ALLOWED)
        if request.status != expected:
            return Step(request, refusal=Refusal.WRONG_STATE)
        return Step(request)

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
            details={"result_reported_at": now, "result_unit": self._book.unit_name(request)},
            source_key=f"result:{request.id}",
        )
