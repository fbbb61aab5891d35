"""The EPZ's clocks: an outage's repair deadline and follow-ups, the rotation's checks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class OutageDeadline(StrEnum):
    """What happens when one of an outage's deadlines passes."""

    EPZ_REMINDER = "epz_reminder"
    EPZ_OVERDUE = "epz_overdue"
    EPZ_NEW_DATE = "epz_new_date"
    EPZ_FOLLOW_UP = "epz_follow_up"
    EPZ_PLANNED_START = "epz_planned_start"


class RotationDeadline(StrEnum):
    """What happens when the rotation's plan or a check falls due."""

    EPZ_ROTATION_PLAN = "epz_rotation_plan"
    EPZ_CHECK_DUE = "epz_check_due"


def outage_subject(outage_id: int) -> str:
    """The subject key of an EPZ outage."""
    return f"outage:{outage_id}"


def rotation_subject(month: dt.date) -> str:
    """The subject key of a month's rotation plan, e.g. rotation:202612."""
    return f"rotation:{month.year * 100 + month.month}"


def check_subject(check_id: int) -> str:
    """The subject key of a rotation check."""
    return f"check:{check_id}"
