"""The buttons under a handover: "ho:ok:7", "ho:rm:7", "ho:nt:7" (7 the handover's id).

Built here for the handover's card and reminders (`bot/handover/handovers.py`) and read back
here by the handler (`bot/handlers/handover.py`), so both sides agree on one shape.
"""

from __future__ import annotations

import enum

from bot.button_data import ActionCodec, PageCodec, read_day

PREFIX = "ho"


class HandoverAction(enum.StrEnum):
    """What a button under a handover does."""

    ACCEPT = "ok"
    ACCEPT_WITH_REMARKS = "rm"
    NOTE = "nt"


# Reads a press into ActionPress("ho", action, handover id), or None for data not of ours.
HANDOVER_BUTTONS = ActionCodec(PREFIX, set(HandoverAction))


def handover_button(action: HandoverAction, handover_id: int) -> str:
    """The data of one button under a handover."""
    return HANDOVER_BUTTONS.data(action, handover_id)


# "hv:<shift date>:<page>": a page of a shift's handover (posted or still a draft); page 0 of it
# is also the "see the handover" button under a reminder.
HANDOVER_PAGES = PageCodec("hv", read_day)
# "op:<shift date>:<page>": a page of a shift's opening (who is on duty, what is carried over).
OPENING_PAGES = PageCodec("op", read_day)
