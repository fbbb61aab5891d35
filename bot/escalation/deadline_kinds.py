"""Escalation's clocks: the leader's decision, the unit's 30-minute answer, its result."""

from __future__ import annotations

from enum import StrEnum


class EscalationDeadline(StrEnum):
    """What happens when one of escalation's deadlines passes."""

    APPROVAL_REMINDER = "approval_reminder"
    APPROVAL_FALLBACK = "approval_fallback"
    UNIT_REMINDER = "unit_reminder"
    REPLY_DEADLINE = "reply_deadline"
    BREACH_REMINDER = "breach_reminder"
    RESULT_DUE = "result_due"


# The kinds that belong to a unit request (the rest is the approval reminder).
REQUEST_KINDS = (
    EscalationDeadline.UNIT_REMINDER,
    EscalationDeadline.REPLY_DEADLINE,
    EscalationDeadline.BREACH_REMINDER,
    EscalationDeadline.RESULT_DUE,
)


def request_subject(request_id: int) -> str:
    """The subject key of a unit request."""
    return f"request:{request_id}"


def proposal_subject(proposal_id: int) -> str:
    """The subject key of a proposal."""
    return f"proposal:{proposal_id}"
