"""What waits for whom: decisions owed by the shift leader, replies and results owed by units
and named people, requests that could not be delivered, and handovers not yet accepted."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db.models import Handover, HandoverStatus, Incident, Proposal, RequestStatus, UnitRequest
from bot.escalation.leader_reminders import AWAITING_LEADER


@dataclass(frozen=True)
class Waiting:
    """Everything open, oldest first, with the incidents they belong to."""

    proposals: list[tuple[Proposal, Incident]]
    # EPZ interim measures, which the branch head decides (247 I.2.3c).
    branch_decisions: list[tuple[Proposal, Incident]]
    replies: list[tuple[UnitRequest, Incident]]
    results: list[tuple[UnitRequest, Incident]]
    # Requests Telegram refused to deliver: someone must phone the receiver.
    unreachable: list[tuple[UnitRequest, Incident]]
    # Handovers the incoming shift leader has not accepted yet.
    handovers: list[Handover]
    # Proposals of the requests above that are urgent actions (888 Art. 8.1).
    urgent_proposals: frozenset[int] = field(default_factory=frozenset)

    def empty(self) -> bool:
        """True when nothing waits for anyone."""
        return not (
            self.proposals or self.branch_decisions or self.replies or self.results
        ) and not (self.unreachable or self.handovers)


def waiting(engine: Engine) -> Waiting:
    """Collect the open proposals, requests and handovers."""
    with Session(engine) as session:
        return waiting_in(session)


def waiting_in(session: Session) -> Waiting:
    """Collect what waits, in the caller's transaction."""
    proposals = session.exec(
        select(Proposal, Incident)
        .join(Incident, col(Incident.id) == col(Proposal.incident_id))
        .where(col(Proposal.status).in_([s.value for s in AWAITING_LEADER]))
        .order_by(col(Proposal.created_at))
    ).all()
    requests = session.exec(
        select(UnitRequest, Incident, Proposal.urgent_case)
        .join(Proposal, col(Proposal.id) == col(UnitRequest.proposal_id))
        .join(Incident, col(Incident.id) == col(Proposal.incident_id))
        .where(
            col(UnitRequest.status).in_(
                [
                    RequestStatus.WAITING.value,
                    RequestStatus.ACKNOWLEDGED.value,
                    RequestStatus.UNREACHABLE.value,
                ]
            )
        )
        .order_by(col(UnitRequest.delivered_at))
    ).all()
    handovers = session.exec(
        select(Handover)
        .where(Handover.status == HandoverStatus.OPEN)
        .order_by(col(Handover.shift_date))
    ).all()
    return Waiting(
        proposals=[(p, i) for p, i in proposals if p.outage_id is None],
        branch_decisions=[(p, i) for p, i in proposals if p.outage_id is not None],
        replies=[(r, i) for r, i, _ in requests if r.status == RequestStatus.WAITING],
        results=[(r, i) for r, i, _ in requests if r.status == RequestStatus.ACKNOWLEDGED],
        unreachable=[(r, i) for r, i, _ in requests if r.status == RequestStatus.UNREACHABLE],
        handovers=list(handovers),
        urgent_proposals=frozenset(r.proposal_id for r, _, urgent in requests if urgent),
    )
