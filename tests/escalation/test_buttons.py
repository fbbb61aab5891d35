"""Escalation's button codecs: what the cards build is what the handlers read, and only that."""

from __future__ import annotations

import pytest

from bot.button_data import ActionCodec, ActionPress
from bot.escalation.buttons import (
    DECISION,
    NEW_MEASURE,
    NEW_PROPOSAL,
    PROPOSE,
    REQUEST,
    URGENT,
    Decision,
    DecisionAction,
    RequestAction,
)
from bot.values import MAX_ROW_ID

TOO_BIG = str(2**31)


@pytest.mark.parametrize(
    ("decision", "data"),
    [
        (Decision(DecisionAction.APPROVE, 7, 1), "ap:7:1"),
        (Decision(DecisionAction.REJECT, 7, 3), "rj:7:3"),
        (Decision(DecisionAction.EDIT, MAX_ROW_ID, 2), f"ed:{MAX_ROW_ID}:2"),
        (Decision(DecisionAction.DIRECTOR_GENERAL, 7, yes=True), "gd:7:yes"),
        (Decision(DecisionAction.DIRECTOR_GENERAL, 7, yes=False), "gd:7:no"),
        (Decision(DecisionAction.CONFIRM, 7), "cf:7"),
    ],
)
def test_a_proposal_cards_buttons_round_trip(decision: Decision, data: str) -> None:
    assert DECISION.data(decision) == data
    assert DECISION.read(data) == decision


@pytest.mark.parametrize(
    "data",
    [
        "",
        "ap",
        "ap:7",
        "ap:7:1:1",
        "ap:0:1",
        "ap:7:0",
        f"ap:{TOO_BIG}:1",
        f"ap:7:{TOO_BIG}",
        "ap:²:1",
        "ap:7:²",
        "ap:-7:1",
        "xx:7:1",
        "apx:7:1",
        "gd:7",
        "gd:7:maybe",
        "gd:7:yes:1",
        "gd:0:yes",
        "cf:7:1",
        "cf:0",
        f"cf:{TOO_BIG}",
        "cf:",
    ],
)
def test_a_forged_or_absurd_decision_reads_as_nothing(data: str) -> None:
    assert DECISION.read(data) is None


@pytest.mark.parametrize(
    ("codec", "action", "row", "prefix", "data"),
    [
        (NEW_PROPOSAL, "new", 9, PROPOSE, "pr:new:9"),
        (NEW_PROPOSAL, "new", 9, URGENT, "ur:new:9"),
        (NEW_MEASURE, "new", 1, None, "im:new:1"),
        (REQUEST, RequestAction.NOW, 5, None, "rq:now:5"),
        (REQUEST, RequestAction.ACK, 5, None, "rq:ack:5"),
        (REQUEST, RequestAction.RESULT, 5, None, "rq:res:5"),
    ],
)
def test_proposal_and_request_buttons_round_trip(
    codec: ActionCodec, action: str, row: int, prefix: str | None, data: str
) -> None:
    assert codec.data(action, row, prefix) == data
    pressed = codec.read(data)
    assert pressed == ActionPress(data.split(":")[0], action, row)


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        (NEW_PROPOSAL, "pr:old:9"),
        (NEW_PROPOSAL, "pr:new:0"),
        (NEW_PROPOSAL, f"ur:new:{TOO_BIG}"),
        (NEW_PROPOSAL, "im:new:9"),
        (NEW_PROPOSAL, "pr:new:9:1"),
        (NEW_MEASURE, "im:new:²"),
        (NEW_MEASURE, "im:new"),
        (REQUEST, "rq:later:5"),
        (REQUEST, "rq:ack:0"),
        (REQUEST, f"rq:res:{TOO_BIG}"),
        (REQUEST, "rq:now:5:5"),
        (REQUEST, "ap:now:5"),
    ],
)
def test_forged_or_absurd_proposal_and_request_presses_read_as_nothing(
    codec: ActionCodec, data: str
) -> None:
    assert codec.read(data) is None
