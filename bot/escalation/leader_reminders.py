"""The shift leader is reminded of every decision still owed until it is taken (888 Art. 8)."""

from __future__ import annotations

import datetime as dt
from html import escape

from sqlmodel import Session

from bot import deadlines
from bot.db.models import Incident, LogColumn, OutboxPriority, Proposal, ProposalStatus
from bot.deadlines.timers import Timers
from bot.escalation.deadline_kinds import EscalationDeadline, proposal_subject
from bot.escalation.texts import KIND_LABELS, unit_names
from bot.i18n import Translator
from bot.service import ServiceContext, system_author
from bot.shifts import Role

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
        timers.register(EscalationDeadline.APPROVAL_FALLBACK, self.fall_back)

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
        deadlines.schedule(
            session,
            EscalationDeadline.APPROVAL_FALLBACK,
            proposal_subject(proposal_id),
            now + _minutes(self._ctx.settings.escalation.approval_fallback_after_minutes),
            seq=1,
        )

    def stop(self, session: Session, proposal: Proposal) -> None:
        """No more reminders: the leader has decided."""
        assert proposal.id is not None
        deadlines.cancel(
            session,
            proposal_subject(proposal.id),
            (EscalationDeadline.APPROVAL_REMINDER, EscalationDeadline.APPROVAL_FALLBACK),
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

    def fall_back(self, session: Session, proposal_id: int, _seq: int, now: dt.datetime) -> None:
        """The leader has not decided in time: the section leader and the admins are asked to
        phone them (privately, and noted in the logbook). Nobody else may approve."""
        ctx = self._ctx
        proposal = session.get(Proposal, proposal_id)
        # Only a proposal still before the leader: an escalated one waits for the Director
        # General, an urgent one was sent already.
        if proposal is None or proposal.status != ProposalStatus.PENDING:
            return
        incident = session.get(Incident, proposal.incident_id)
        assert incident is not None
        shift_date = ctx.roster.shift_date_at(proposal.created_at)
        leader = ctx.roster.shift_leader(shift_date)
        asked = [m.person for m in ctx.roster.members(shift_date) if m.role is Role.SECTION_LEADER]
        asked += [p for p in ctx.settings.people if p.admin and p not in asked]
        asked = [p for p in asked if leader is None or p.id != leader.id]
        minutes = int((now - proposal.created_at).total_seconds() // 60)

        def render(tr: Translator) -> str:
            return "📞 " + escape(
                tr(
                    "The shift leader {leader} has not decided on {kind} for incident {label} "
                    "for {minutes} min. Please phone them; only the shift leader may approve "
                    "it (Regulation 888)."
                ).format(
                    leader=leader.name if leader else tr("(none rostered)"),
                    kind=tr(KIND_LABELS[proposal.kind]),
                    label=incident.label,
                    minutes=minutes,
                )
            )

        for person in asked:
            ctx.outbox.send(
                person.id,
                render(ctx.translator_for(person.id)),
                session=session,
                priority=OutboxPriority.URGENT,
            )
        tr = ctx.desk_tr()
        ctx.logbook.append(
            session,
            system_author(),
            now,
            {
                LogColumn.NOTE: tr(
                    "Proposal for incident {label} undecided after {minutes} min: {names} asked "
                    "to phone the shift leader."
                ).format(
                    label=incident.label,
                    minutes=minutes,
                    names=", ".join(p.name for p in asked) or "—",
                )
            },
            source_key=f"fallback:{proposal_id}",
        )
