"""The approval rule at the service: nothing reaches a unit before the shift leader approves."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from bot.db.models import LogbookEntry, ProposalKind, ProposalStatus, RequestStatus
from bot.escalation.deadline_kinds import EscalationDeadline
from bot.steps import Refusal
from tests.e2e.conftest import GROUP, UNIT_CHAT
from tests.escalation.conftest import AN, DUNG, World


def directions(world: World) -> list[str]:
    with Session(world.desk.engine) as session:
        entries = session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all()
    return [e.direction for e in entries if e.direction]


def test_approving_sends_the_request_with_its_30_minutes_stored(world: World) -> None:
    proposal = world.proposal()
    assert proposal.id is not None
    assert world.sent_to(UNIT_CHAT) == []
    approved_at = world.later(5)

    assert world.desk.escalation.approvals.approve(AN, proposal.id, 1, approved_at).ok

    (request,) = world.requests()
    assert request.status == RequestStatus.WAITING and request.chat_id == UNIT_CHAT
    assert request.reply_due_at == approved_at + dt.timedelta(minutes=30)
    (sent,) = world.sent_to(UNIT_CHAT)
    assert "Đề nghị kiểm tra xe" in sent and "30 phút" in sent
    # The reminders at 15 and 25 minutes and the deadline itself are in the database.
    assert world.live_deadlines(f"request:{request.id}") == [
        (EscalationDeadline.UNIT_REMINDER, approved_at + dt.timedelta(minutes=15)),
        (EscalationDeadline.UNIT_REMINDER, approved_at + dt.timedelta(minutes=25)),
        (EscalationDeadline.REPLY_DEADLINE, approved_at + dt.timedelta(minutes=30)),
    ]
    assert any("Đề nghị kiểm tra xe" in d for d in directions(world))


def test_nothing_reaches_a_unit_while_the_leader_has_not_decided(world: World) -> None:
    world.proposal()
    world.later(60)
    assert world.sent_to(UNIT_CHAT) == [] and world.requests() == []


def test_the_leader_is_reminded_until_the_decision_is_taken(world: World) -> None:
    proposal = world.proposal()
    assert proposal.id is not None
    assert [t for t in world.sent_to(GROUP) if "⏰" in t] == []
    world.later(10)
    after_ten = [t for t in world.sent_to(GROUP) if "⏰" in t]
    assert len(after_ten) == 1 and "10 phút" in after_ten[0]
    assert world.desk.escalation.approvals.approve(AN, proposal.id, 1, world.clock.now()).ok
    assert world.live_deadlines(f"proposal:{proposal.id}") == []
    world.later(60)
    assert [t for t in world.sent_to(GROUP) if "⏰" in t] == after_ten


def test_an_edit_makes_the_old_buttons_decision_stale(world: World) -> None:
    approvals = world.desk.escalation.approvals
    proposal = world.proposal()
    assert proposal.id is not None
    assert approvals.edit(
        DUNG, proposal.id, 1, "Đề nghị soi container tại bãi B3", world.later(2)
    ).ok
    before = world.state()

    stale = approvals.approve(AN, proposal.id, 1, world.clock.now())

    assert stale.refusal is Refusal.STALE_VERSION
    assert world.state() == before and world.sent_to(UNIT_CHAT) == []
    assert approvals.approve(AN, proposal.id, 2, world.clock.now()).ok
    (sent,) = world.sent_to(UNIT_CHAT)
    assert "Đề nghị soi container tại bãi B3" in sent


def test_a_second_approval_changes_nothing(world: World) -> None:
    approvals = world.desk.escalation.approvals
    proposal = world.proposal()
    assert proposal.id is not None
    assert approvals.approve(AN, proposal.id, 1, world.clock.now()).ok
    before = world.state()
    assert approvals.approve(AN, proposal.id, 1, world.clock.now()).refusal is (
        Refusal.ALREADY_DECIDED
    )
    assert world.state() == before and len(world.sent_to(UNIT_CHAT)) == 1


def test_a_rejection_needs_its_reason_and_reaches_no_unit(world: World) -> None:
    approvals = world.desk.escalation.approvals
    proposal = world.proposal()
    assert proposal.id is not None
    before = world.state()
    assert approvals.reject(AN, proposal.id, 1, "  ", world.clock.now()).refusal is Refusal.EMPTY
    assert world.state() == before
    assert approvals.reject(AN, proposal.id, 1, "Xe của cảng", world.clock.now()).ok
    assert world.proposal_now(proposal.id).status == ProposalStatus.REJECTED
    assert world.requests() == [] and world.sent_to(UNIT_CHAT) == []
    assert any("Lý do: Xe của cảng" in d for d in directions(world))


def test_an_intervention_waits_for_the_director_general(world: World) -> None:
    approvals = world.desk.escalation.approvals
    proposal = world.proposal(ProposalKind.INTERVENTION)
    assert proposal.id is not None
    assert approvals.approve(AN, proposal.id, 1, world.clock.now()).ok
    assert world.proposal_now(proposal.id).status == ProposalStatus.ESCALATED
    assert world.sent_to(UNIT_CHAT) == []
    assert approvals.record_escalation(AN, proposal.id, True, world.later(30)).ok
    assert world.proposal_now(proposal.id).status == ProposalStatus.ESCALATION_APPROVED
    assert len(world.sent_to(UNIT_CHAT)) == 1


def test_the_proposers_assessment_is_kept_on_one_line(world: World) -> None:
    """Annex III's "Phân tích, nhận định" is what the proposer wrote, spaces made single."""
    step = world.desk.escalation.approvals.propose(
        DUNG,
        world.incident(),
        ProposalKind.COORDINATION,
        ["hq-kv1"],
        "Đề nghị kiểm tra xe",
        world.clock.now(),
        assessment="Xe ra cổng\n không qua   soi",
    )
    assert step.ok and step.value is not None and step.value.id is not None
    assert world.proposal_now(step.value.id).assessment == "Xe ra cổng không qua soi"
