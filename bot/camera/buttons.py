"""The buttons under an alert card: "al:inc:7", "al:nb:7", "al:fa:7" (7 the alert's id).

Built here by the card (`bot/camera/card.py`) and read back here by the handler
(`bot/handlers/alerts.py`), so both sides agree on one shape and a forged press never
reaches the alerts service as a value.
"""

from __future__ import annotations

import enum

from bot.button_data import ActionCodec

PREFIX = "al"


class AlertAction(enum.StrEnum):
    """What a button under an alert card does."""

    OPEN_INCIDENT = "inc"
    NEIGHBOURS = "nb"
    FALSE_ALARM = "fa"
    SEEN = "seen"


# Reads a press into ActionPress("al", action, alert id), or None for data not of ours.
ALERT_BUTTONS = ActionCodec(PREFIX, set(AlertAction))


def alert_button(action: AlertAction, alert_id: int) -> str:
    """The data of one button under an alert's card."""
    return ALERT_BUTTONS.data(action, alert_id)
