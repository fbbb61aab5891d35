"""Which cameras work: the health round's last word, outranked by an EPZ outage notice.

One reading for every message that names cameras down (/cameras, the handover), so they agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.db.models import CameraState, CameraStatus, EpzOutage
from bot.epz.outage_rules import ACTIVE, registry_cameras


@dataclass(frozen=True)
class CameraReading:
    """One registry camera as the desk knows it now."""

    number: str
    status: CameraStatus | None
    # The outage under way whose notice marks the camera down, if any.
    outage: EpzOutage | None = None

    @property
    def state(self) -> CameraState | None:
        """Down while a notice holds it, else what the round last saw (None: never checked)."""
        if self.outage is not None:
            return CameraState.DOWN
        return CameraState(self.status.state) if self.status is not None else None

    @property
    def not_working(self) -> bool:
        """Down or unstable: what a shift hands over and the officers watch."""
        return self.state in (CameraState.DOWN, CameraState.DEGRADED)


def held_by_notice(session: Session, settings: Settings, now: dt.datetime) -> dict[str, EpzOutage]:
    """Registry cameras an outage under way marks down by notice, each with its (first) outage.

    Open or reported restored: a camera stays down by notice until the officer confirms.
    """
    active = session.exec(
        select(EpzOutage)
        .where(col(EpzOutage.status).in_([s.value for s in ACTIVE]))
        .order_by(col(EpzOutage.id))
    ).all()
    held: dict[str, EpzOutage] = {}
    for outage in active:
        if outage.started(now):
            for number in registry_cameras(settings, outage):
                held.setdefault(number, outage)
    return held


def camera_readings(session: Session, settings: Settings, now: dt.datetime) -> list[CameraReading]:
    """Every registry camera, in the registry's order, as the desk knows it now."""
    statuses = {row.camera: row for row in session.exec(select(CameraStatus))}
    held = held_by_notice(session, settings, now)
    return [
        CameraReading(camera.number, statuses.get(camera.number), held.get(camera.number))
        for camera in settings.cameras
    ]
