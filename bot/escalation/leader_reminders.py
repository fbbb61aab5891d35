"""The shift leader is reminded of every decision still owed until it is taken (888 Art. 8)."""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlmodel import Session

from bot import deadlines
from bot.db.models import Incident, Proposal, ProposalStatus
from bot.deadlines.timers import Timers
from bot.escalation.deadline_kinds import EscalationDeadline, proposal_subject
from bot.escalation.texts import KIND_LABELS, unit_names
from bot.i18n import Translator
from bot.service import ServiceContext

# States in which the shift leader still owes a decision (and is reminded).
AWAITING_LEADER = frozenset(
    {ProposalStatus.PENDING, ProposalStatus.ESCALATED, ProposalStatus.URGENT_SENT}
)


def _minutes(value: int) -> dt.timedelta:
    return dt.timedelta(minutes=value)


class LeaderReminders:
    """Starts, repeats and stops the reminders of a proposal awaiting the leader."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def register(self, timers: Timers) -> None:
        """Remind the leader of decisions still owed when their reminder passes."""
        timers.register(EscalationDeadline.APPROVAL_REMINDER, self.remind)

    def start(self, session: Session, proposal_id: int, now: dt.datetime) -> None:
        """Schedule the first reminder of a new proposal, in the caller's transaction."""
        after = self._ctx.settings.escalation.approval_reminder_after_minutes
        deadlines.schedule(
            session,
            EscalationDeadline.APPROVAL_REMINDER,
            proposal_subject(proposal_id),
            now + _minutes(after),
            seq=1,
        )

    def stop(self, session: Session, proposal: Proposal) -> None:
        """No more reminders: the leader has decided."""
        assert proposal.id is not None
        deadlines.cancel(
            session, proposal_subject(proposal.id), (EscalationDeadline.APPROVAL_REMINDER,)
        )

    def remind(self, session: Session, proposal_id: int, seq: int, now: dt.datetime) -> None:
        """Remind the shift leader of a decision still owed, and schedule the next reminder."""
        ctx = self._ctx
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.status not in AWAITING_LEADER:
            return
        incident = session.get(Incident, proposal.incident_id)
        assert incident is not None
        waited = now - proposal.created_at
        minutes = int(waited.total_seconds() // 60)

        def render(tr: Translator) -> str:
            return "⏰ " + escape(
                tr(
                    "Waiting for your decision for {minutes} min: {kind} for incident {label} "
                    "(to {units}). Use the buttons on the card, or see /pending."
                ).format(
                    minutes=minutes,
                    kind=tr(KIND_LABELS[proposal.kind]),
                    label=incident.label,
                    units=unit_names(proposal, ctx.unit_names(), ctx.people_names()),
                )
            )

        ctx.tell_leader(session, now, render)
        deadlines.schedule(
            session,
            EscalationDeadline.APPROVAL_REMINDER,
            proposal_subject(proposal_id),
            now + _minutes(ctx.settings.escalation.approval_reminder_every_minutes),
            seq=seq + 1,
        )
