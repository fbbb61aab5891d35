"""The 30-minute reply rule at the service (888 Art. 9): reminders, the breach, late results."""

from __future__ import annotations

import datetime as dt

from bot.db.models import RequestStatus, UnitRequest
from bot.escalation.deadline_kinds import EscalationDeadline
from bot.steps import Refusal
from tests.e2e.conftest import GROUP, LEADER, UNIT_CHAT
from tests.escalation.conftest import AN, GIANG, World


def approved_request(world: World) -> UnitRequest:
    proposal = world.proposal()
    assert proposal.id is not None
    assert world.desk.escalation.approvals.approve(AN, proposal.id, 1, world.clock.now()).ok
    (request,) = world.requests()
    return request


def reminders(world: World) -> list[str]:
    return [text for text in world.sent_to(UNIT_CHAT) if text.startswith(("⏳", "🔴"))]


def test_an_acknowledgement_within_30_minutes_stops_the_reminders(world: World) -> None:
    request = approved_request(world)
    assert request.id is not None
    now = world.later(10)
    eta = now + dt.timedelta(hours=2)

    assert world.desk.escalation.requests.acknowledge(GIANG, request.id, "Đ/c Giang", eta, now).ok
    # Only the expected result's deadline is left of the request's clock.
    assert world.live_deadlines(f"request:{request.id}") == [(EscalationDeadline.RESULT_DUE, eta)]
    world.later(60)

    assert reminders(world) == []
    (acknowledged,) = world.requests()
    assert acknowledged.status == RequestStatus.ACKNOWLEDGED and acknowledged.breached_at is None
    assert not any("🔴" in text for text in world.sent_to(GROUP))
    assert world.notes() == []


def test_an_answer_at_once_closes_the_request(world: World) -> None:
    request = approved_request(world)
    assert request.id is not None
    assert world.desk.escalation.requests.answer_now(
        GIANG, request.id, "Xe của cảng, đã kiểm tra", world.later(5)
    ).ok
    world.later(60)
    assert reminders(world) == []
    assert world.requests()[0].status == RequestStatus.ANSWERED


def test_no_reply_within_30_minutes_is_a_breach_the_leader_is_told(world: World) -> None:
    request = approved_request(world)
    delivered = request.delivered_at
    world.later(15)
    assert len(reminders(world)) == 1 and "15 phút" in reminders(world)[0]
    world.later(10)
    assert len(reminders(world)) == 2
    assert world.requests()[0].breached_at is None

    world.later(5)

    (breached,) = world.requests()
    assert breached.breached_at == delivered + dt.timedelta(minutes=30)
    # The logbook notes it, the group and the leader (privately too) are told.
    assert len(world.notes()) == 1 and "30 phút" in world.notes()[0]
    assert any(text.startswith("🔴") for text in world.sent_to(GROUP))
    assert any(text.startswith("🔴") for text in world.sent_to(LEADER))
    # And the unit keeps being reminded.
    world.later(10)
    assert len(reminders(world)) == 4


def test_a_late_result_needs_the_reason_and_who_is_responsible(world: World) -> None:
    requests = world.desk.escalation.requests
    request = approved_request(world)
    assert request.id is not None
    now = world.later(5)
    assert requests.acknowledge(GIANG, request.id, "Đ/c Giang", now + dt.timedelta(hours=1), now).ok
    world.later(90)
    assert any("báo cáo kết quả" in text for text in world.sent_to(UNIT_CHAT)[-1:])
    before = world.state()

    late = requests.report_result(GIANG, request.id, "Hàng phù hợp", "", "", world.clock.now())

    assert late.refusal is Refusal.NEEDS_LATE_REASON and world.state() == before
    assert requests.report_result(
        GIANG, request.id, "Hàng phù hợp", "Chờ máy soi", "Võ Văn Giang", world.clock.now()
    ).ok
    assert world.requests()[0].status == RequestStatus.REPORTED


def test_the_units_suggestion_is_kept_as_it_gave_it(world: World) -> None:
    """Annex IV's "Đề xuất (nếu có)": the unit's words, trimmed; None until it reports."""
    requests = world.desk.escalation.requests
    request = approved_request(world)
    assert request.id is not None
    assert request.suggestion is None
    now = world.later(5)
    assert requests.acknowledge(GIANG, request.id, "Đ/c Giang", now + dt.timedelta(hours=1), now).ok
    assert requests.report_result(
        GIANG,
        request.id,
        "Hàng phù hợp",
        "",
        "",
        world.clock.now(),
        suggestion="  Bổ sung ca-mê-ra làn ra  ",
    ).ok
    assert world.requests()[0].suggestion == "Bổ sung ca-mê-ra làn ra"
