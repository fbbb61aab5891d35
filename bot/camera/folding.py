"""The rules that keep the duty group readable: fold repeats, digest a storm, report faults.

Plain functions over plain values, so each rule is tested without a database or a loop; the
alerts service (`bot/camera/alerts.py`) keeps the state they are asked about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# Faults the logbook must record and the managing unit must hear of (888 Art. 14.1.1d).
FAULT_KINDS = frozenset(
    {
        "tampering",
        "video_loss",
        "hardware_failure",
        "storage_failure",
        "camera_offline",
        "defocus",
        "scene_change",
    }
)
# The camera of a digest page's row starts with this (no real camera number does).
DIGEST = "*"
# More new cards than alerts.digest_after_per_minute within this span is a storm.
STORM_SPAN = dt.timedelta(minutes=1)
# A unit hears of faults at most this often; faults found meanwhile join the notice that waits,
# so a storm reaches its chat as a few lists instead of a message per batch.
FAULT_NOTICE_GAP = dt.timedelta(seconds=15)
# Faults one notice lists; past that a new notice follows, so none runs past Telegram's limit.
FAULT_NOTICE_LINES = 25


class FoldOutcome(StrEnum):
    """Where a stored camera event went on the duty group's board."""

    # Counted into an alert already open for the camera and kind (its card is edited).
    FOLDED = "folded"
    # Opened a new alert with a card of its own.
    CARD = "card"
    # Opened a new alert during a storm: listed in the digest instead of a card.
    DIGEST = "digest"


@dataclass
class OpenAlert:
    """What the folding worker keeps of an open alert."""

    id: int
    count: int
    last_seen_at: dt.datetime
    digest: bool


def fold_target(
    open_alerts: Mapping[tuple[str, str], OpenAlert],
    camera: str,
    kind: str,
    now: dt.datetime,
    window: dt.timedelta,
) -> OpenAlert | None:
    """The open alert an event folds into: same camera and kind, seen within the window."""
    known = open_alerts.get((camera, kind))
    if known is not None and known.last_seen_at >= now - window:
        return known
    return None


def storming(carded: Iterable[dt.datetime], now: dt.datetime, threshold: int) -> bool:
    """Whether a new alert joins the digest: `threshold` cards opened within the last minute.

    `carded` are the times the alerts that got a card of their own were opened.
    """
    return sum(1 for at in carded if at >= now - STORM_SPAN) >= threshold


def is_fault(kind: str) -> bool:
    """Whether an event kind is a fault the logbook records and the camera's unit hears of."""
    return kind in FAULT_KINDS


def joins_waiting_notice(waiting: int, new: int) -> bool:
    """Whether `new` faults fit the unit's notice that still waits, listing `waiting`."""
    return waiting + new <= FAULT_NOTICE_LINES


def next_notice_at(now: dt.datetime, last_at: dt.datetime | None) -> dt.datetime:
    """When a unit's new fault notice goes: at once, or FAULT_NOTICE_GAP after the last one."""
    return now if last_at is None else max(now, last_at + FAULT_NOTICE_GAP)
