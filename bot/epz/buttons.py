"""The EPZ's buttons: an outage's "ep:<action>:7" and a rotation check's "rc:<action>:7".

Built here for the outage and check messages (`bot/epz/outage_clocks.py`, `outages.py`,
`rotation.py`) and read back here by the handlers (`bot/handlers/outage_followup.py`,
`rotation.py`); the outage notice's own choices ("kind:camera", "cam:C01", …) ride inside the
guided flow's "dr:" buttons and are read by `read_notice_choice`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.button_data import SEPARATOR, ActionCodec, read_day
from bot.db.models import OutageKind
from bot.escalation.buttons import NEW, NEW_MEASURE

OUTAGE_PREFIX = "ep"
CHECK_PREFIX = "rc"


class OutageAction(enum.StrEnum):
    """What a button under an outage's message does."""

    CONFIRM_RESTORED = "ok"
    NO_CHANGE = "nc"
    WRITE_PROGRESS = "pg"
    REPORT_RESTORED = "rs"
    EXPLAIN = "ex"
    # The contact's copy of their notice: 247 Annex II as DOCX or PDF.
    DOCX = "dx"
    PDF = "pf"


class CheckAction(enum.StrEnum):
    """What a button under a rotation check's reminder does."""

    DONE = "ok"
    NOT_DONE = "no"
    FINDINGS = "fd"


# Each reads a press into ActionPress(prefix, action, row id), or None for data not of ours.
OUTAGE_BUTTONS = ActionCodec(OUTAGE_PREFIX, set(OutageAction))
CHECK_BUTTONS = ActionCodec(CHECK_PREFIX, set(CheckAction))
# "im:new:7" under the officer's daily follow-up proposes the interim measure for outage 7: a
# proposal decided through escalation's approvals, whose codec it is.
MEASURE_BUTTONS = NEW_MEASURE


def outage_button(action: OutageAction, outage_id: int) -> str:
    """The data of one button under an outage's message."""
    return OUTAGE_BUTTONS.data(action, outage_id)


def propose_measure_button(outage_id: int) -> str:
    """The data of the button that proposes the interim measure for an outage."""
    return NEW_MEASURE.data(NEW, outage_id)


def check_button(action: CheckAction, check_id: int) -> str:
    """The data of one button under a rotation check's reminder."""
    return CHECK_BUTTONS.data(action, check_id)


class NoticeChoice(enum.StrEnum):
    """The choices the outage notice's questions offer (values as the flow's buttons carry)."""

    KIND = "kind"
    CAMERA = "cam"
    CAMERAS_DONE = "cams-done"
    START_NOW = "start-now"
    START_HOUR_AGO = "start-1h"
    START_MORNING = "start-morning"
    SKIP = "skip"
    EFFECT_CAMERAS = "effect-cams"
    EXPECTED = "exp"
    LAST_CONTACT = "contact-last"
    ENROLLED_CONTACT = "contact-me"
    # "Another answer": the current question is asked again in text.
    OTHER = "other"
    SEND = "send"
    EDIT = "edit"
    EDIT_PART = "fix"
    REVIEW = "review"


# The choices that carry a value after them: "kind:camera", "cam:C01", "exp:2026-11-26",
# "fix:description".
_WITH_VALUE = {
    NoticeChoice.KIND,
    NoticeChoice.CAMERA,
    NoticeChoice.EXPECTED,
    NoticeChoice.EDIT_PART,
}
_KINDS = {kind.value for kind in OutageKind}


@dataclass(frozen=True)
class NoticePick:
    """A choice pressed in the outage notice, with what it picked ("" when it picks nothing)."""

    choice: NoticeChoice
    picked: str = ""


def notice_choice(choice: NoticeChoice, picked: str = "") -> str:
    """A notice choice's value, as the flow's "dr:" button carries it."""
    if (choice in _WITH_VALUE) != bool(picked) or SEPARATOR in picked:
        raise ValueError(f"{choice}: {picked!r} is not what this choice carries")
    return f"{choice}{SEPARATOR}{picked}" if picked else choice.value


def read_notice_choice(value: str) -> NoticePick | None:
    """The notice choice a flow button's value stands for; None for anything else.

    A kind must be one of the outage kinds, an expected date a real date; a camera a non-empty
    number (the flow checks it against the enterprise's map, and the date against today).
    """
    name, separated, picked = value.partition(SEPARATOR)
    if name not in set(NoticeChoice):
        return None
    choice = NoticeChoice(name)
    if choice not in _WITH_VALUE:
        return NoticePick(choice) if not separated else None
    if not picked or SEPARATOR in picked:
        return None
    if choice is NoticeChoice.KIND and picked not in _KINDS:
        return None
    if choice is NoticeChoice.EXPECTED and read_day(picked) is None:
        return None
    return NoticePick(choice, picked)
