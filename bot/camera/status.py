"""Camera status rows outside the health round: cameras an EPZ notice held down, handed back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session

from bot.db.models import CameraState, CameraStatus


def hand_back(
    session: Session, numbers: Iterable[str], seen_since: dt.datetime, now: dt.datetime
) -> None:
    """Give cameras an outage notice held down back to the health round, in the caller's session.

    A camera the round has found working since `seen_since` (the enterprise's restoration report)
    keeps that state. Any other becomes unknown: what the round recorded silently under the notice
    is stale, and a camera still down must reach the unit as a change at the next round rather
    than be swallowed as the state it already had. The drift flag is cleared for the same reason.
    """
    for number in numbers:
        row = session.get(CameraStatus, number)
        if row is None:
            continue
        if not (row.state == CameraState.UP and row.checked_at >= seen_since):
            row.state, row.since, row.reason = CameraState.UNKNOWN, now, ""
        row.drift = False
        session.add(row)
