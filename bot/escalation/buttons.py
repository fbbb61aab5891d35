"""Escalation's buttons: one codec each, used by the cards that carry them and by the handlers.

- under an incident card, "pr:new:<incident id>" proposes and "ur:new:<incident id>" acts
  urgently (888 Art. 8.1);
- under an EPZ outage's follow-up, "im:new:<outage id>" proposes its interim measure: a proposal
  too (decided through the approval flow), so it is read here with the other proposal buttons;
- on a proposal card, "ap|rj|ed:<proposal id>:<version>" decide or edit that version,
  "gd:<proposal id>:yes|no" records the Director General's decision, "cf:<proposal id>"
  confirms an urgent action;
- under a request, "rq:now|ack|res:<request id>" answer at once, acknowledge, report the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.button_data import ActionCodec, joined, parts, read_id, read_number
from bot.values import MAX_ROW_ID


def ours(read: Callable[[str], Any]) -> Callable[[object], bool]:
    """Whether a press's data is one a codec reads (how a handler is routed its presses)."""
    return lambda data: isinstance(data, str) and read(data) is not None


NEW = "new"
PROPOSE, URGENT = "pr", "ur"
NEW_PROPOSAL = ActionCodec({PROPOSE, URGENT}, {NEW})
NEW_MEASURE = ActionCodec("im", {NEW})


class RequestAction(StrEnum):
    """What a request's receiver pressed."""

    NOW = "now"
    ACK = "ack"
    RESULT = "res"


REQUEST = ActionCodec("rq", set(RequestAction))


class DecisionAction(StrEnum):
    """A button on a proposal card."""

    APPROVE = "ap"
    REJECT = "rj"
    EDIT = "ed"
    DIRECTOR_GENERAL = "gd"
    CONFIRM = "cf"


# The actions that name the version they decide: an edit makes an older card's press stale.
VERSIONED = frozenset({DecisionAction.APPROVE, DecisionAction.REJECT, DecisionAction.EDIT})
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Decision:
    """A press on a proposal card: ap:7:1, rj:7:1, ed:7:1 (id, version), gd:7:yes, cf:7."""

    action: str
    proposal_id: int
    version: int = 0
    yes: bool = False


@dataclass(frozen=True)
class DecisionCodec:
    """The buttons of a proposal card."""

    def data(self, decision: Decision) -> str:
        """The data of one button of a card."""
        action = DecisionAction(decision.action)
        if action in VERSIONED:
            return joined(action, decision.proposal_id, decision.version)
        if action is DecisionAction.DIRECTOR_GENERAL:
            return joined(action, decision.proposal_id, YES if decision.yes else NO)
        return joined(action, decision.proposal_id)

    def read(self, data: str) -> Decision | None:
        """The press a card's button stands for, or None when no card could carry it."""
        action = next((a for a in DecisionAction if data.startswith(a + ":")), None)
        if action is None:
            return None
        if action in VERSIONED:
            both = parts(data, action, 2)
            proposal_id = read_id(both[0]) if both else None
            version = read_number(both[1], 1, MAX_ROW_ID) if both else None
            if proposal_id is None or version is None:
                return None
            return Decision(action, proposal_id, version)
        if action is DecisionAction.DIRECTOR_GENERAL:
            both = parts(data, action, 2)
            proposal_id = read_id(both[0]) if both else None
            if proposal_id is None or both is None or both[1] not in (YES, NO):
                return None
            return Decision(action, proposal_id, yes=both[1] == YES)
        one = parts(data, action, 1)
        proposal_id = read_id(one[0]) if one else None
        return None if proposal_id is None else Decision(action, proposal_id)


DECISION = DecisionCodec()
