"""The daily prune's clock."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class RetentionDeadline(StrEnum):
    """What happens when the retention's deadline passes."""

    PRUNE = "retention_prune"


def prune_subject(day: dt.date) -> str:
    """The subject key of one day's prune, e.g. retention:20261125 (one per day, ever)."""
    return f"retention:{day.year * 10000 + day.month * 100 + day.day}"
