"""The shift's clocks: opening, the roster check, the handover at 08:00, the daily report."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class ShiftDeadline(StrEnum):
    """What happens when one of the shift cycle's deadlines passes."""

    SHIFT_OPENING = "shift_opening"
    ROSTER_CHECK = "roster_check"
    HANDOVER_DUE = "handover_due"
    HANDOVER_REMINDER = "handover_reminder"
    DAILY_REPORT = "daily_report"


def shift_subject(shift_date: dt.date) -> str:
    """The subject key of a shift, e.g. shift:20261125."""
    return f"shift:{shift_date.year * 10000 + shift_date.month * 100 + shift_date.day}"


def shift_of(number: int) -> dt.date:
    """The shift date inside a shift subject's number."""
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def handover_subject(handover_id: int) -> str:
    """The subject key of a handover."""
    return f"handover:{handover_id}"
