"""The approval rule: nothing reaches a unit before the shift leader approves (888 Art. 4.3, 8)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from bot.db.models import (
    Incident,
    LogColumn,
    Proposal,
    ProposalKind,
    ProposalStatus,
    UrgentCase,
)
from bot.deadlines.timers import Timers
from bot.escalation.leader_reminders import LeaderReminders
from bot.escalation.proposal_cards import leader_of, refresh_card
from bot.escalation.requests import Requests
from bot.escalation.rights import KindRules, checked, leader_decides, may_edit, on_shift
from bot.escalation.texts import (
    ESCALATING_KINDS,
    URGENT_LABELS,
    annex_iii,
    place_date,
    proposal_buttons,
    proposal_card,
    unit_names,
)
from bot.logbook.service import Author
from bot.service import ServiceContext
from bot.steps import Refusal, Step


class Approvals:
    """Proposals, the shift leader's decisions, escalation and the urgent path."""

    def __init__(self, ctx: ServiceContext, requests: Requests) -> None:
        self._ctx = ctx
        self._requests = requests
        self._kinds: dict[ProposalKind, KindRules] = {}
        self._reminders = LeaderReminders(ctx)

    def register(self, timers: Timers) -> None:
        """Remind the leader of decisions still owed when their reminder passes."""
        self._reminders.register(timers)

    def register_kind(self, kind: ProposalKind, rules: KindRules) -> None:
        """Let another domain own a kind of proposal (e.g. an EPZ interim measure)."""
        self._kinds[kind] = rules

    def may_propose(self, author: Author, now: dt.datetime) -> Step[None]:
        """Whether the author may propose handling now (asked before the questions)."""
        return on_shift(self._ctx.roster, author, now)

    def may_decide(self, author: Author, proposal_id: int, now: dt.datetime) -> Step[Proposal]:
        """Whether the author decides this proposal now (asked before a reason is typed)."""
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            proposal = session.get(Proposal, proposal_id)
            if proposal is None:
                return Step(refusal=Refusal.NOT_FOUND)
            allowed = self._decider(session, proposal, author, now)
            return checked(allowed, proposal)

    def may_edit(self, author: Author, proposal_id: int, now: dt.datetime) -> Step[Proposal]:
        """Whether the author may rewrite this proposal now (asked before the text is typed)."""
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            proposal = session.get(Proposal, proposal_id)
            if proposal is None:
                return Step(refusal=Refusal.NOT_FOUND)
            allowed = may_edit(self._ctx.roster, proposal, author, now)
            return checked(allowed, proposal)

    def propose(
        self,
        author: Author,
        incident_id: int,
        kind: ProposalKind,
        unit_keys: list[str],
        content: str,
        now: dt.datetime,
        urgent_case: UrgentCase | None = None,
        outage_id: int | None = None,
        person_ids: list[int] | None = None,
        assessment: str = "",
    ) -> Step[Proposal]:
        """Record a proposal and put it before the shift leader (urgent: send it at once).

        It is addressed to units' chats and/or to named people, each in their private chat.
        `assessment` is the proposer's reading of the facts (Annex III "Phân tích, nhận định").
        """
        ctx = self._ctx
        person_ids = person_ids or []
        rules = self._kinds.get(kind)
        if rules is None:
            allowed = on_shift(ctx.roster, author, now)
            if not allowed.ok:
                return checked(allowed)
        if not content.strip():
            return Step(refusal=Refusal.EMPTY)
        unknown = [key for key in unit_keys if ctx.settings.unit(key) is None]
        if unknown or not (unit_keys or person_ids):
            return Step(refusal=Refusal.UNKNOWN_UNIT, detail=", ".join(unknown))
        strangers = [str(pid) for pid in person_ids if ctx.settings.person(pid) is None]
        if strangers:
            return Step(refusal=Refusal.UNKNOWN_PERSON, detail=", ".join(strangers))
        with Session(ctx.engine, expire_on_commit=False) as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                return Step(refusal=Refusal.NOT_FOUND)
            if rules is not None:
                allowed = rules.may_propose(session, author, outage_id, now)
                if not allowed.ok:
                    return checked(allowed)
            proposal = Proposal(
                incident_id=incident_id,
                kind=kind,
                units=",".join(unit_keys),
                people=",".join(str(pid) for pid in person_ids),
                content=content.strip(),
                assessment=" ".join(assessment.split()),
                urgent_case=urgent_case,
                status=ProposalStatus.URGENT_SENT if urgent_case else ProposalStatus.PENDING,
                proposer_id=author.user_id,
                proposer_name=author.name,
                created_at=now,
                outage_id=outage_id,
            )
            session.add(proposal)
            session.flush()
            assert proposal.id is not None
            if urgent_case:
                self._requests.deliver(session, proposal, incident, now)
                ctx.logbook.append(
                    session,
                    author,
                    now,
                    {
                        LogColumn.DIRECTION: f"[{incident.label}] "
                        f"{ctx.desk_tr()(URGENT_LABELS[urgent_case])}: {proposal.content}"
                    },
                    details=self._direction_details(proposal, now),
                    source_key=f"urgent:{proposal.id}",
                )
            self._post_card(session, proposal, incident)
            if rules is None:
                self._reminders.start(session, proposal.id, now)
            session.commit()
        ctx.committed()
        return Step(proposal)

    def approve(
        self, author: Author, proposal_id: int, version: int, now: dt.datetime
    ) -> Step[Proposal]:
        """Approve a pending proposal once: deliver it, or escalate the kinds that need to."""
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            found = self._awaiting(session, author, proposal_id, now, version=version)
            if not found.ok or found.value is None:
                return found
            proposal = found.value
            incident = session.get(Incident, proposal.incident_id)
            assert incident is not None
            tr = ctx.desk_tr()
            if proposal.kind in ESCALATING_KINDS:
                # Still owed by the leader (the Director General's decision), so still reminded.
                self._decide(
                    session, proposal, author, now, ProposalStatus.ESCALATED, stop_reminders=False
                )
                ctx.urgent_to_group(
                    session,
                    annex_iii(
                        tr,
                        proposal,
                        incident,
                        ctx.unit_names(),
                        place_date(tr, now.astimezone(ctx.settings.tz)),
                        ctx.people_names(),
                    ),
                    buttons=proposal_buttons(tr, proposal),
                    approvals=True,
                )
                self._log_direction(
                    session,
                    author,
                    now,
                    incident,
                    tr("Approved for escalation to the Director General: {content}").format(
                        content=proposal.content
                    ),
                    f"escalate:{proposal.id}",
                )
            else:
                self._decide(session, proposal, author, now, ProposalStatus.APPROVED)
                rules = self._kinds.get(proposal.kind)
                carry_out = rules.carry_out if rules else self._carry_out
                carry_out(session, proposal, incident, author, now)
            session.add(proposal)
            self._update_card(session, proposal, incident)
            session.commit()
        ctx.committed()
        return Step(proposal)

    def reject(
        self, author: Author, proposal_id: int, version: int, reason: str, now: dt.datetime
    ) -> Step[Proposal]:
        """Reject a pending proposal with a reason; nothing is sent to any unit."""
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            found = self._awaiting(session, author, proposal_id, now, version=version)
            if not found.ok or found.value is None:
                return found
            proposal = found.value
            if not reason.strip():
                return Step(proposal, refusal=Refusal.EMPTY)
            incident = session.get(Incident, proposal.incident_id)
            assert incident is not None
            self._decide(session, proposal, author, now, ProposalStatus.REJECTED)
            proposal.reason = reason.strip()
            tr = ctx.desk_tr()
            self._log_direction(
                session,
                author,
                now,
                incident,
                tr("Proposal not approved: {content}. Reason: {reason}").format(
                    content=proposal.content, reason=proposal.reason
                ),
                f"reject:{proposal.id}",
            )
            self._update_card(session, proposal, incident)
            session.commit()
        ctx.committed()
        return Step(proposal)

    def edit(
        self, author: Author, proposal_id: int, version: int, content: str, now: dt.datetime
    ) -> Step[Proposal]:
        """Change a pending proposal's content; the leader decides on the new version."""
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            proposal = session.get(Proposal, proposal_id)
            if proposal is None:
                return Step(refusal=Refusal.NOT_FOUND)
            allowed = may_edit(ctx.roster, proposal, author, now)
            if not allowed.ok:
                return checked(allowed, proposal)
            found = self._awaiting(session, None, proposal_id, now, version=version)
            if not found.ok:
                return found
            if not content.strip():
                return Step(proposal, refusal=Refusal.EMPTY)
            incident = session.get(Incident, proposal.incident_id)
            assert incident is not None
            proposal.content, proposal.version = content.strip(), proposal.version + 1
            session.add(proposal)
            self._update_card(session, proposal, incident)
            session.commit()
        ctx.committed()
        return Step(proposal)

    def record_escalation(
        self, author: Author, proposal_id: int, approved: bool, now: dt.datetime
    ) -> Step[Proposal]:
        """Record the Director General's decision on an escalated proposal."""
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            found = self._awaiting(session, author, proposal_id, now, ProposalStatus.ESCALATED)
            if not found.ok or found.value is None:
                return found
            proposal = found.value
            incident = session.get(Incident, proposal.incident_id)
            assert incident is not None
            proposal.escalation_decided_at = now
            proposal.escalation_note = author.name
            tr = ctx.desk_tr()
            if approved:
                # The shift leader's own approval time and name stay on the record.
                proposal.status = ProposalStatus.ESCALATION_APPROVED
                self._reminders.stop(session, proposal)
                self._carry_out(session, proposal, incident, author, now)
            else:
                proposal.status = ProposalStatus.ESCALATION_REJECTED
                self._reminders.stop(session, proposal)
                self._log_direction(
                    session,
                    author,
                    now,
                    incident,
                    tr("The Director General did not approve: {content}").format(
                        content=proposal.content
                    ),
                    f"gd:{proposal.id}",
                )
            session.add(proposal)
            self._update_card(session, proposal, incident)
            session.commit()
        ctx.committed()
        return Step(proposal)

    def confirm_urgent(self, author: Author, proposal_id: int, now: dt.datetime) -> Step[Proposal]:
        """The shift leader confirms an urgent action taken before approval (888 Art. 8.1)."""
        ctx = self._ctx
        with Session(ctx.engine, expire_on_commit=False) as session:
            found = self._awaiting(session, author, proposal_id, now, ProposalStatus.URGENT_SENT)
            if not found.ok or found.value is None:
                return found
            proposal = found.value
            incident = session.get(Incident, proposal.incident_id)
            assert incident is not None
            self._decide(session, proposal, author, now, ProposalStatus.URGENT_CONFIRMED)
            self._log_direction(
                session,
                author,
                now,
                incident,
                ctx.desk_tr()("The shift leader confirmed the urgent action: {content}").format(
                    content=proposal.content
                ),
                f"confirm:{proposal.id}",
            )
            self._update_card(session, proposal, incident)
            session.commit()
        ctx.committed()
        return Step(proposal)

    def get(self, proposal_id: int) -> Proposal | None:
        """Return a proposal by id."""
        with Session(self._ctx.engine) as session:
            return session.get(Proposal, proposal_id)

    def _carry_out(
        self,
        session: Session,
        proposal: Proposal,
        incident: Incident,
        author: Author,
        now: dt.datetime,
    ) -> None:
        self._requests.deliver(session, proposal, incident, now)
        self._ctx.logbook.append(
            session,
            author,
            now,
            {LogColumn.DIRECTION: f"[{incident.label}] {proposal.content}"},
            details=self._direction_details(proposal, now),
            source_key=f"direction:{proposal.id}",
        )

    def _decide(
        self,
        session: Session,
        proposal: Proposal,
        author: Author,
        now: dt.datetime,
        status: ProposalStatus,
        *,
        stop_reminders: bool = True,
    ) -> None:
        proposal.status = status
        proposal.decided_at, proposal.decider_id = now, author.user_id
        proposal.decider_name = author.name
        session.add(proposal)
        if stop_reminders:
            self._reminders.stop(session, proposal)

    def _log_direction(
        self,
        session: Session,
        author: Author,
        now: dt.datetime,
        incident: Incident,
        text: str,
        key: str,
    ) -> None:
        self._ctx.logbook.append(
            session,
            author,
            now,
            {LogColumn.DIRECTION: f"[{incident.label}] {text}"},
            details={"direction_at": now, "direction_channel": "message"},
            source_key=key,
        )

    def _direction_details(self, proposal: Proposal, now: dt.datetime) -> dict[str, object]:
        return {
            "direction_at": now,
            "direction_channel": "message",
            "direction_receiver": unit_names(
                proposal, self._ctx.unit_names(), self._ctx.people_names()
            ),
        }

    def _decider(
        self, session: Session, proposal: Proposal, author: Author, now: dt.datetime
    ) -> Step[None]:
        """Whether the author decides this proposal: its kind's rule, else the shift leader's."""
        rules = self._kinds.get(proposal.kind)
        if rules is not None:
            return rules.may_decide(session, proposal, author, now)
        return leader_decides(self._ctx.roster, author, now)

    def _awaiting(
        self,
        session: Session,
        author: Author | None,
        proposal_id: int,
        now: dt.datetime,
        status: ProposalStatus = ProposalStatus.PENDING,
        version: int | None = None,
    ) -> Step[Proposal]:
        """The proposal, if the author (when given) decides it and it awaits this decision.

        It awaits one when it is in `status` and, for a pending proposal, still at `version`.
        """
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            return Step(refusal=Refusal.NOT_FOUND)
        if author is not None:
            allowed = self._decider(session, proposal, author, now)
            if not allowed.ok:
                return checked(allowed, proposal)
        if proposal.status != status:
            return Step(proposal, refusal=Refusal.ALREADY_DECIDED)
        if version is not None and proposal.version != version:
            return Step(proposal, refusal=Refusal.STALE_VERSION)
        return Step(proposal)

    def _post_card(self, session: Session, proposal: Proposal, incident: Incident) -> None:
        tr = self._ctx.desk_tr()
        proposal.card_outbox_id = self._ctx.urgent_to_group(
            session,
            proposal_card(
                tr,
                proposal,
                incident,
                self._ctx.unit_names(),
                self._ctx.people_names(),
                leader_of(self._ctx, proposal),
            ),
            buttons=proposal_buttons(tr, proposal),
            approvals=True,
        )
        session.add(proposal)

    def _update_card(self, session: Session, proposal: Proposal, incident: Incident) -> None:
        session.flush()
        refresh_card(self._ctx, session, proposal, incident)
