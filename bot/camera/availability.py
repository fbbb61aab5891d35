"""Camera availability between two moments, reckoned from the health round's state changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.db.models import CameraState, CameraStatus, CameraTransition

# A camera answering slowly still shows its picture: only "down" counts against availability,
# but going unstable is a fault the unit must hear of (888 Art. 14.1.1d), so both count there.
NOT_WORKING = frozenset({CameraState.DOWN, CameraState.DEGRADED})
_NONE = dt.timedelta(0)


@dataclass(frozen=True)
class CameraTime:
    """Cameras over a span: how many had a known state, for how long, how long down, faults.

    One camera's figures, or several added together (`combined`).
    """

    watched: int = 0
    known: dt.timedelta = _NONE
    down: dt.timedelta = _NONE
    faults: int = 0

    @property
    def availability(self) -> float | None:
        """Percent of the known time up; None when no state was known."""
        if self.known <= _NONE:
            return None
        return 100 * (self.known - self.down) / self.known


def combined(times: Iterable[CameraTime]) -> CameraTime:
    """Several cameras' figures as one."""
    total = CameraTime()
    for time in times:
        total = CameraTime(
            total.watched + time.watched,
            total.known + time.known,
            total.down + time.down,
            total.faults + time.faults,
        )
    return total


def camera_times(
    session: Session, numbers: Iterable[str], start: dt.datetime, end: dt.datetime
) -> dict[str, CameraTime]:
    """Each camera's figures between two moments.

    Time before a camera's first health check is not counted: its state was unknown. A fault
    is a change from working (or not yet known) to down or unstable inside the span.
    """
    numbers = list(numbers)
    changes: dict[str, list[CameraTransition]] = {number: [] for number in numbers}
    for change in session.exec(
        select(CameraTransition)
        .where(
            col(CameraTransition.camera).in_(numbers),
            col(CameraTransition.at) > start,
            col(CameraTransition.at) < end,
        )
        .order_by(col(CameraTransition.at), col(CameraTransition.id))
    ):
        changes[change.camera].append(change)
    statuses = {
        status.camera: status
        for status in session.exec(
            select(CameraStatus).where(col(CameraStatus.camera).in_(numbers))
        )
    }
    times: dict[str, CameraTime] = {}
    for number in numbers:
        before = _state_at(session, number, start)
        if before is None and (status := statuses.get(number)) is not None:
            before = CameraState(status.state) if status.since <= start else None
        times[number] = _reckon(before, changes[number], start, end)
    return times


def _state_at(session: Session, number: str, moment: dt.datetime) -> CameraState | None:
    # One index seek per camera (camera, at): the history before a span can be long.
    state = session.exec(
        select(CameraTransition.state)
        .where(CameraTransition.camera == number, col(CameraTransition.at) <= moment)
        .order_by(col(CameraTransition.at).desc(), col(CameraTransition.id).desc())
    ).first()
    return CameraState(state) if state is not None else None


def _reckon(
    before: CameraState | None,
    changes: list[CameraTransition],
    start: dt.datetime,
    end: dt.datetime,
) -> CameraTime:
    if before is None and not changes:
        return CameraTime()
    known, down, faults = _NONE, _NONE, 0
    state, since = before, start
    for change in [*changes, None]:
        until = change.at if change is not None else end
        if state is not None and state != CameraState.UNKNOWN:
            known += until - since
            if state == CameraState.DOWN:
                down += until - since
        if change is not None:
            new = CameraState(change.state)
            if new in NOT_WORKING and state not in NOT_WORKING:
                faults += 1
            state, since = new, change.at
    return CameraTime(1, known, down, faults)
