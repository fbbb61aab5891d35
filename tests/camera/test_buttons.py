"""The buttons under an alert card: built and read by one codec, forged data refused."""

from __future__ import annotations

import pytest

from bot.button_data import ActionPress
from bot.camera.buttons import ALERT_BUTTONS, AlertAction, alert_button
from bot.values import MAX_ROW_ID


@pytest.mark.parametrize(
    ("action", "alert_id", "data"),
    [
        (AlertAction.OPEN_INCIDENT, 7, "al:inc:7"),
        (AlertAction.NEIGHBOURS, 7, "al:nb:7"),
        (AlertAction.FALSE_ALARM, 7, "al:fa:7"),
        (AlertAction.FALSE_ALARM, MAX_ROW_ID, f"al:fa:{MAX_ROW_ID}"),
    ],
)
def test_a_button_reads_back_as_the_press_it_was_made_for(
    action: AlertAction, alert_id: int, data: str
) -> None:
    # The data is what cards already in the group carry: it must not change.
    assert alert_button(action, alert_id) == data
    assert ALERT_BUTTONS.read(data) == ActionPress("al", action, alert_id)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "al",
        "al:fa",
        "al:fa:",
        "ep:fa:7",  # another feature's prefix
        "al:xx:7",  # no such button
        "al:fa:7:8",  # extra part
        "al:fa:0",  # no row has id 0
        "al:fa:-1",
        f"al:fa:{MAX_ROW_ID + 1}",  # past what the database holds
        "al:fa:" + "9" * 20,
        "al:fa:²",  # a digit Python's int() would take
        "al:fa:１２",
        "AL:FA:7",
    ],
)
def test_forged_or_absurd_presses_are_not_read(data: str) -> None:
    assert ALERT_BUTTONS.read(data) is None


def test_a_button_that_cannot_be_made_is_refused_where_it_is_made() -> None:
    with pytest.raises(ValueError):
        ALERT_BUTTONS.data("xx", 7)
