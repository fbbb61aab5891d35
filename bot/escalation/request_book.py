"""What every part of a request's life reads and writes: its label, its receiver, desk notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session, col, select

from bot import deadlines
from bot.db.models import Incident, LogColumn, Proposal, UnitRequest
from bot.escalation.deadline_kinds import EscalationDeadline, request_subject
from bot.i18n import Translator
from bot.service import ServiceContext, system_author

# The deadlines of the 30-minute reply rule; an answer or an acknowledgement stops them all.
REPLY_CLOCK = (
    EscalationDeadline.UNIT_REMINDER,
    EscalationDeadline.REPLY_DEADLINE,
    EscalationDeadline.BREACH_REMINDER,
)
# Incident labels remembered by proposal; a bound, not a tuning knob.
LABELS_KEPT = 20_000


class RequestBook:
    """A desk's requests as the delivery, the clock and the answers read and note them."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._labels: dict[int, str] = {}

    def get(self, request_id: int) -> UnitRequest | None:
        """Return a request by id."""
        with Session(self._ctx.engine) as session:
            return session.get(UnitRequest, request_id)

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

    def label(self, session: Session, request: UnitRequest) -> str:
        """The label of the incident the request is about."""
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

    def unit_name(self, request: UnitRequest) -> str:
        """The unit, or the named person, the request went to."""
        return self._ctx.addressee_name(request)

    @property
    def deadline_minutes(self) -> int:
        """The minutes a receiver has to reply (888 Art. 9)."""
        return self._ctx.settings.escalation.reply_deadline_minutes

    def note(
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

    def alert_desk(
        self, session: Session, now: dt.datetime, render: Callable[[Translator], str]
    ) -> None:
        """Tell the group and, privately too, the shift leader: the group hears it anyway."""
        self._ctx.urgent_to_group(session, render(self._ctx.desk_tr()), approvals=True)
        self._ctx.tell_leader(session, now, render, always_private=True)

    def stop_clock(self, session: Session, request: UnitRequest) -> None:
        """Cancel the reply clock's reminders and deadline, in the caller's transaction."""
        assert request.id is not None
        deadlines.cancel(session, request_subject(request.id), REPLY_CLOCK)
