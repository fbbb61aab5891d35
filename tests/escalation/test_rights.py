"""Who may take escalation's steps, checked by the services themselves (no Telegram).

Each right: the right person's step is taken; a wrong person is refused, told who may take it
instead, and nothing changes (proposals, requests, the outbox, the logbook, the deadlines).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from bot.db.models import ProposalKind, ProposalStatus, RequestStatus, UrgentCase
from bot.escalation.incidents import IncidentInput
from bot.i18n import translator
from bot.logbook.service import Author
from bot.steps import Refusal, Step, refusal_text
from tests.conftest import MORNING
from tests.e2e.conftest import TEAM_LEADER
from tests.escalation.conftest import (
    AN,
    BINH,
    CUONG,
    DUNG,
    EM,
    GIANG,
    HOA,
    NOBODY,
    NOBODY_ROSTERED,
    TOMORROW,
    World,
)

Decide = Callable[[World, Author, int, dt.datetime], Step[Any]]


def approve(world: World, author: Author, pid: int, now: dt.datetime) -> Step[Any]:
    return world.desk.escalation.approvals.approve(author, pid, 1, now)


def reject(world: World, author: Author, pid: int, now: dt.datetime) -> Step[Any]:
    return world.desk.escalation.approvals.reject(author, pid, 1, "Xe của cảng", now)


def vi(step: Step[Any]) -> str:
    return refusal_text(translator("vi", MORNING.tzinfo), step)


def refused(world: World, why: Refusal, take: Callable[..., Step[Any]], *args: Any) -> Step[Any]:
    """Take a step that must be refused for `why`, and check that nothing changed."""
    before = world.state()
    step = take(*args)
    assert step.refusal is why
    assert world.state() == before
    return step


@pytest.mark.parametrize("decide", [approve, reject], ids=["approve", "reject"])
@pytest.mark.parametrize(
    ("who", "when", "leader"),
    [
        (DUNG, MORNING, "Nguyễn Văn An"),
        (BINH, MORNING, "Nguyễn Văn An"),
        (NOBODY, MORNING, "Nguyễn Văn An"),
        # The branch head decides interim measures, not ordinary proposals.
        (EM, MORNING, "Nguyễn Văn An"),
        # Yesterday's leader, the morning after the shift changed hands.
        (AN, TOMORROW, "Trần Thị Bình"),
    ],
    ids=["officer", "section-leader", "stranger", "branch-head", "yesterdays-leader"],
)
def test_only_the_current_shift_leader_decides_a_proposal(
    world: World, decide: Decide, who: Author, when: dt.datetime, leader: str
) -> None:
    proposal = world.proposal()
    assert proposal.id is not None
    step = refused(world, Refusal.NOT_SHIFT_LEADER, decide, world, who, proposal.id, when)
    assert step.who == leader
    assert vi(step) == f"Chỉ lãnh đạo ca trực hiện tại ({leader}) mới được quyết định."


def test_the_current_shift_leader_decides_even_the_morning_after(world: World) -> None:
    today, tomorrow = world.proposal(), world.proposal()
    assert today.id is not None and tomorrow.id is not None
    assert approve(world, AN, today.id, MORNING).ok
    assert approve(world, BINH, tomorrow.id, TOMORROW).ok
    assert world.proposal_now(tomorrow.id).decider_id == BINH.user_id


def test_with_nobody_rostered_nobody_decides(world: World) -> None:
    proposal = world.proposal()
    assert proposal.id is not None
    step = refused(world, Refusal.NO_SHIFT_LEADER, approve, world, AN, proposal.id, NOBODY_ROSTERED)
    assert "hiện chưa có ai trong lịch trực" in vi(step)


def test_only_the_leader_records_the_director_generals_decision(world: World) -> None:
    approvals = world.desk.escalation.approvals
    proposal = world.proposal(ProposalKind.INTERVENTION)
    assert proposal.id is not None and approve(world, AN, proposal.id, MORNING).ok
    for someone in (DUNG, BINH, NOBODY):
        refused(
            world,
            Refusal.NOT_SHIFT_LEADER,
            approvals.record_escalation,
            someone,
            proposal.id,
            True,
            MORNING,
        )
    assert approvals.record_escalation(AN, proposal.id, True, MORNING).ok
    assert world.proposal_now(proposal.id).status == ProposalStatus.ESCALATION_APPROVED


def test_only_the_leader_confirms_an_urgent_action(world: World) -> None:
    approvals = world.desk.escalation.approvals
    step = approvals.propose(
        DUNG,
        world.incident(),
        ProposalKind.COORDINATION,
        ["doi-ks"],
        "Dừng xe tại cổng",
        MORNING,
        urgent_case=UrgentCase.PASSING_GATE,
    )
    assert step.value is not None and step.value.id is not None
    pid = step.value.id
    for someone in (DUNG, BINH, EM):
        refused(world, Refusal.NOT_SHIFT_LEADER, approvals.confirm_urgent, someone, pid, MORNING)
    assert approvals.confirm_urgent(AN, pid, MORNING).ok
    assert world.proposal_now(pid).status == ProposalStatus.URGENT_CONFIRMED


@pytest.mark.parametrize("editor", [DUNG, BINH], ids=["proposer", "section-leader"])
def test_the_proposer_or_the_section_leader_edits(world: World, editor: Author) -> None:
    proposal = world.proposal()
    assert proposal.id is not None
    step = world.desk.escalation.approvals.edit(editor, proposal.id, 1, "Soi container", MORNING)
    assert step.ok
    assert world.proposal_now(proposal.id).version == 2


@pytest.mark.parametrize(
    ("who", "when"),
    [(CUONG, MORNING), (AN, MORNING), (NOBODY, MORNING), (BINH, TOMORROW)],
    ids=["clerk", "shift-leader", "stranger", "yesterdays-section-leader"],
)
def test_nobody_else_edits(world: World, who: Author, when: dt.datetime) -> None:
    approvals = world.desk.escalation.approvals
    proposal = world.proposal()
    assert proposal.id is not None
    assert approvals.may_edit(who, proposal.id, when).refusal is Refusal.NOT_EDITOR
    step = refused(
        world, Refusal.NOT_EDITOR, approvals.edit, who, proposal.id, 1, "Soi container", when
    )
    assert vi(step).startswith("Chỉ người đề xuất hoặc lãnh đạo cấp phòng trực ban")


@pytest.mark.parametrize("who", [EM, NOBODY], ids=["off-the-roster", "stranger"])
def test_only_people_on_the_current_shift_propose(world: World, who: Author) -> None:
    approvals = world.desk.escalation.approvals
    incident = world.incident()
    assert approvals.may_propose(who, MORNING).refusal is Refusal.NOT_ON_SHIFT
    refused(
        world,
        Refusal.NOT_ON_SHIFT,
        approvals.propose,
        who,
        incident,
        ProposalKind.REMINDER,
        ["hq-kv1"],
        "Nhắc quy trình",
        MORNING,
    )
    assert approvals.propose(
        DUNG, incident, ProposalKind.REMINDER, ["hq-kv1"], "Nhắc quy trình", MORNING
    ).ok


def test_only_the_branch_head_decides_an_interim_measure(world: World) -> None:
    step = world.desk.interim.propose(DUNG, world.outage(), "Cử công chức giám sát", MORNING)
    assert step.value is not None and step.value.id is not None
    pid = step.value.id
    for someone in (AN, DUNG):
        refusal = refused(world, Refusal.NOT_BRANCH_HEAD, approve, world, someone, pid, MORNING)
        assert vi(refusal) == (
            "Chỉ Chi cục trưởng Chi cục HQ CK cảng Sài Gòn KV1 (Hoàng Văn Em) quyết định "
            "biện pháp giám sát tạm thời."
        )
    # The leader may not even start a rejection.
    assert world.desk.escalation.approvals.may_decide(AN, pid, MORNING).refusal is (
        Refusal.NOT_BRANCH_HEAD
    )
    assert approve(world, EM, pid, MORNING).ok
    assert world.proposal_now(pid).status == ProposalStatus.APPROVED
    # The branch decides for itself: nothing goes to any unit.
    assert world.requests() == []


@pytest.mark.parametrize("who", [AN, GIANG], ids=["shift-leader", "branch-staff"])
def test_only_the_assigned_officer_proposes_an_interim_measure(world: World, who: Author) -> None:
    outage = world.outage()
    step = refused(
        world,
        Refusal.NOT_ASSIGNED_OFFICER,
        world.desk.interim.propose,
        who,
        outage,
        "Cử công chức giám sát",
        MORNING,
    )
    assert vi(step) == (
        "Chỉ công chức được phân công theo dõi Công ty TNHH ABC Việt Nam (Phạm Thị Dung) "
        "đề xuất biện pháp giám sát tạm thời."
    )
    assert world.desk.interim.may_propose(DUNG, outage, MORNING).ok


def test_without_a_branch_head_no_interim_measure_is_proposed(migrated_url: str) -> None:
    from tests.documents.shift import build_desk

    desk = build_desk(migrated_url)
    world = World(desk)
    try:
        outage = world.outage()
        refused(
            world,
            Refusal.NO_BRANCH_HEAD,
            desk.interim.propose,
            DUNG,
            outage,
            "Cử công chức giám sát",
            MORNING,
        )
    finally:
        desk.engine.dispose()


@pytest.mark.parametrize("who", [AN, HOA, NOBODY], ids=["shift-leader", "other-unit", "stranger"])
def test_only_the_unit_a_request_went_to_answers(world: World, who: Author) -> None:
    requests = world.desk.escalation.requests
    proposal = world.proposal()
    assert proposal.id is not None and approve(world, AN, proposal.id, MORNING).ok
    (request,) = world.requests()
    assert request.id is not None
    rid = request.id
    refused(world, Refusal.NOT_ALLOWED, requests.answer_now, who, rid, "Đã kiểm tra", MORNING)
    refused(
        world,
        Refusal.NOT_ALLOWED,
        requests.acknowledge,
        who,
        rid,
        "Đ/c Giang",
        MORNING + dt.timedelta(hours=1),
        MORNING,
    )
    assert requests.answer_now(GIANG, rid, "Đã kiểm tra", MORNING).ok
    assert world.requests()[0].status == RequestStatus.ANSWERED


def test_only_the_named_person_answers_their_request(world: World) -> None:
    approvals, requests = world.desk.escalation.approvals, world.desk.escalation.requests
    step = approvals.propose(
        DUNG,
        world.incident(),
        ProposalKind.INFORMATION,
        [],
        "Gửi ảnh",
        MORNING,
        person_ids=[TEAM_LEADER],
    )
    assert step.value is not None and step.value.id is not None
    assert approve(world, AN, step.value.id, MORNING).ok
    (request,) = world.requests()
    assert request.id is not None
    rid = request.id
    for someone in (GIANG, AN):
        refusal = refused(
            world, Refusal.NOT_ADDRESSEE, requests.answer_now, someone, rid, "Đã gửi", MORNING
        )
        assert "Lý Văn Khoa" in vi(refusal) and "người nhận yêu cầu này" in vi(refusal)
    assert requests.answer_now(Author(TEAM_LEADER, "Lý Văn Khoa"), rid, "Đã gửi", MORNING).ok


@pytest.mark.parametrize(
    ("who", "when"),
    [(EM, MORNING), (NOBODY, MORNING), (DUNG, TOMORROW)],
    ids=["off-the-roster", "stranger", "yesterdays-officer"],
)
def test_only_people_on_the_current_shift_open_incidents(
    world: World, who: Author, when: dt.datetime
) -> None:
    incidents = world.desk.escalation.incidents
    given = IncidentInput(description="Xe lạ đỗ sát kho CFS")
    step = refused(world, Refusal.NOT_ON_SHIFT_TO_OPEN, incidents.open, who, given, when)
    assert vi(step) == "Chỉ những người có tên trong ca trực hiện tại mới được mở vụ việc."
    assert incidents.open(DUNG, given, MORNING).ok
