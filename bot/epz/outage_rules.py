"""What Decision 247 sets for an EPZ outage: its kinds, repair days, hours and cameras."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings
from bot.db.models import EpzOutage, OutageKind, OutageStatus
from bot.epz.notice_text import PLANNED_KINDS
from bot.i18n import N_

# 247 I.2.3: camera and attached equipment within 10 working days, the channel within 3.
REPAIR_WORKING_DAYS = {OutageKind.CAMERA: 10, OutageKind.TRANSMISSION: 3}
# The contacts are reminded the working day before the deadline, in the morning; the officer
# is asked for the repair's progress each working day in the afternoon (247 I.2.3c).
REMIND_AT = dt.time(9, 0)
FOLLOW_UP_AT = dt.time(16, 0)
KIND_LABELS = {
    OutageKind.CAMERA: N_("camera or equipment fault"),
    OutageKind.TRANSMISSION: N_("transmission channel fault"),
    OutageKind.MAINTENANCE: N_("planned maintenance"),
    OutageKind.POWER_CUT: N_("power cut"),
}
ACTIVE = (OutageStatus.OPEN, OutageStatus.RESTORED_REPORTED)


def is_planned(outage: EpzOutage) -> bool:
    """True for planned maintenance or a power cut, announced with the moment it begins."""
    return outage.kind in PLANNED_KINDS


def registry_cameras(settings: Settings, outage: EpzOutage) -> list[str]:
    """The outage's cameras that are in the camera registry (the others have no state to mark)."""
    named = set(outage.camera_numbers())
    return [
        camera.number
        for camera in settings.cameras
        if camera.enterprise == outage.enterprise and camera.number in named
    ]


def restoration_cameras(settings: Settings, outage: EpzOutage) -> list[str]:
    """The outage's cameras that the desk reaches over ONVIF (all of the enterprise's, when the
    notice named none, as for a transmission fault)."""
    named = set(outage.camera_numbers())
    return [
        camera.number
        for camera in settings.cameras
        if camera.enterprise == outage.enterprise
        and camera.onvif is not None
        and (not named or camera.number in named)
    ]
