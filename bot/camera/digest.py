"""The storm digest: many cameras' alerts in as few messages as Telegram allows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Protocol

from bot.config import Settings
from bot.i18n import N_, Translator
from bot.paging import paged, units

KIND_LABELS = {
    "motion": N_("Motion"),
    "tampering": N_("Tampering"),
    "scene_change": N_("Scene changed"),
    "defocus": N_("Image blurred"),
    "too_dark": N_("Image too dark"),
    "too_bright": N_("Image too bright"),
    "video_loss": N_("Video signal lost"),
    "hardware_failure": N_("Hardware failure"),
    "storage_failure": N_("Storage failure"),
    "camera_offline": N_("Camera offline"),
    "line_crossing": N_("Line crossed"),
    "intrusion": N_("Intrusion"),
    "risk": N_("Risk alert (analytics)"),
}
# One sign per kind, so a wall of two hundred cameras still says what each one saw.
KIND_SIGNS = {
    "motion": "🏃",
    "tampering": "🚫",
    "scene_change": "🔀",
    "defocus": "🌫",
    "too_dark": "🌑",
    "too_bright": "🔆",
    "video_loss": "📵",
    "hardware_failure": "🛠",
    "storage_failure": "💾",
    "camera_offline": "🔌",
    "line_crossing": "🚧",
    "intrusion": "🚷",
    "risk": "⚠️",
}
OTHER_SIGN = "❔"
# Telegram allows 4,096 characters (UTF-16 units) of text; markup is counted here too, so
# what is left for the tags' sake is a margin, never an overflow.
DIGEST_UNITS = 3900
DETAILED_LINE_UNITS = 30
# Room left on a page for its heading and the legend when an area's line must be split.
HEADING_UNITS = 240


class Member(Protocol):
    """What the digest shows of an open alert (an ORM object or a plain row)."""

    @property
    def camera(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def last_seen_at(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class OpenAlertLine:
    """An open alert as the digest reads it from the database, without an ORM object."""

    camera: str
    kind: str
    count: int
    last_seen_at: dt.datetime


def kind_label(tr: Translator, kind: str) -> str:
    """The translated name of an event kind (unknown kinds as sent)."""
    label = KIND_LABELS.get(kind)
    return tr(label) if label else kind


def digest_pages(
    tr: Translator, members: Sequence[Member], settings: Settings, updated: dt.datetime
) -> list[str]:
    """Each camera on a line of its own while that fits one message; else a compact wall.

    The wall groups cameras by area, each with a sign and a count per kind, so two hundred
    cameras fit one message that the sender can keep current with one edit a second.
    """
    cameras = {alert.camera for alert in members}
    title = tr("Alerts from {count} cameras").format(count=len(cameras))
    stamp = " · 🕒 " + escape(tr.time(updated))
    # A detailed line takes at least this much; past that many lines, do not even try.
    if len(members) * DETAILED_LINE_UNITS <= DIGEST_UNITS:
        detailed = paged("🚨", title, _detailed_lines(tr, members, settings), DIGEST_UNITS, stamp)
        if len(detailed) == 1:
            return detailed
    wall = [
        _legend(tr, members),
        *_fitting(_wall_lines(members, settings), DIGEST_UNITS - HEADING_UNITS),
    ]
    return paged("🚨", title, wall, DIGEST_UNITS, stamp)


def _detailed_lines(tr: Translator, members: Sequence[Member], settings: Settings) -> list[str]:
    lines = []
    for alert in sorted(members, key=lambda a: (a.camera, a.kind)):
        camera = settings.camera(alert.camera)
        place = f" · {escape(camera.place)}" if camera and camera.place else ""
        lines.append(
            f"• CAM {escape(alert.camera)}{place} — {escape(kind_label(tr, alert.kind))}"
            f" ×{alert.count} ({escape(tr.time(alert.last_seen_at))})"
        )
    return lines


def _legend(tr: Translator, members: Sequence[Member]) -> str:
    kinds = sorted({alert.kind for alert in members}, key=lambda k: (k not in KIND_SIGNS, k))
    return " · ".join(
        f"{KIND_SIGNS.get(kind, OTHER_SIGN)} {escape(kind_label(tr, kind))}" for kind in kinds
    )


def _wall_lines(members: Sequence[Member], settings: Settings) -> list[str]:
    by_camera: dict[str, list[Member]] = defaultdict(list)
    for alert in members:
        by_camera[alert.camera].append(alert)
    by_area: dict[str, list[str]] = defaultdict(list)
    for number in sorted(by_camera, key=_camera_order):
        camera = settings.camera(number)
        signs = "".join(
            f"{KIND_SIGNS.get(alert.kind, OTHER_SIGN)}{alert.count}"
            for alert in sorted(by_camera[number], key=lambda a: a.kind)
        )
        by_area[camera.area if camera and camera.area else "—"].append(f"{escape(number)} {signs}")
    return [
        f"<b>{escape(area)}</b> ({len(entries)}): " + " · ".join(entries)
        for area, entries in sorted(by_area.items())
    ]


def _camera_order(number: str) -> tuple[int, str]:
    # Numbers as on the camera map: 9 before 10, names after numbers.
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 1 << 30, number)


def _fitting(lines: list[str], budget: int) -> list[str]:
    """An area too long for one message split at its entries, continued with "…"."""
    out = []
    for line in lines:
        while units(line) > budget:
            cut = line.rfind(" · ", 0, budget // 2)
            if cut <= 0:
                break
            out.append(line[:cut])
            line = "… " + line[cut + 3 :]
        out.append(line)
    return out
