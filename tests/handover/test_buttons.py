"""The handover's button codec: built and read back the same; forged data is no press."""

from __future__ import annotations

import pytest

from bot.button_data import ActionPress
from bot.handover.buttons import HANDOVER_BUTTONS, HandoverAction, handover_button


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (HandoverAction.ACCEPT, "ho:ok:7"),
        (HandoverAction.ACCEPT_WITH_REMARKS, "ho:rm:7"),
        (HandoverAction.NOTE, "ho:nt:7"),
    ],
)
def test_a_handover_button_is_the_data_messages_carry_and_reads_back(
    action: HandoverAction, data: str
) -> None:
    assert handover_button(action, 7) == data
    assert HANDOVER_BUTTONS.read(data) == ActionPress("ho", action, 7)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "ho:ok",
        "ho:ok:",
        "ho:ok:0",
        "ho:ok:²",
        "ho:ok:2147483648",
        "ho:ok:7:7",
        "ho:xx:7",
        "ep:ok:7",
    ],
)
def test_forged_handover_data_is_no_press(data: str) -> None:
    assert HANDOVER_BUTTONS.read(data) is None
