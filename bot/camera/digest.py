"""The storm digest: many cameras' alerts in as few messages as Telegram allows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from html import escape

from bot.config import Settings
from bot.db.models import CameraAlert
from bot.i18n import N_, Translator

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


def kind_label(tr: Translator, kind: str) -> str:
    """The translated name of an event kind (unknown kinds as sent)."""
    label = KIND_LABELS.get(kind)
    return tr(label) if label else kind


def units(text: str) -> int:
    """The length Telegram measures: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def digest_pages(
    tr: Translator, members: list[CameraAlert], settings: Settings, updated: dt.datetime
) -> list[str]:
    """Each camera on a line of its own while that fits one message; else a compact wall.

    The wall groups cameras by area, each with a sign and a count per kind, so two hundred
    cameras fit one message that the sender can keep current with one edit a second.
    """
    cameras = {alert.camera for alert in members}
    title = tr("Alerts from {count} cameras").format(count=len(cameras))
    stamp = "🕒 " + escape(tr.time(updated))
    # A detailed line takes at least this much; past that many lines, do not even try.
    if len(members) * DETAILED_LINE_UNITS <= DIGEST_UNITS:
        detailed = _detailed_lines(tr, members, settings)
        page = "\n".join(["🚨 <b>" + escape(title) + "</b> · " + stamp, *detailed])
        if units(page) <= DIGEST_UNITS:
            return [page]
    head = [
        "🚨 <b>" + escape(title) + "</b> · " + stamp,
        _legend(tr, members),
    ]
    return _paged(head, _wall_lines(members, settings), title, stamp)


def _detailed_lines(tr: Translator, members: list[CameraAlert], settings: Settings) -> list[str]:
    lines = []
    for alert in sorted(members, key=lambda a: (a.camera, a.kind)):
        camera = settings.camera(alert.camera)
        place = f" · {escape(camera.place)}" if camera and camera.place else ""
        lines.append(
            f"• CAM {escape(alert.camera)}{place} — {escape(kind_label(tr, alert.kind))}"
            f" ×{alert.count} ({escape(tr.time(alert.last_seen_at))})"
        )
    return lines


def _legend(tr: Translator, members: list[CameraAlert]) -> str:
    kinds = sorted({alert.kind for alert in members}, key=lambda k: (k not in KIND_SIGNS, k))
    return " · ".join(
        f"{KIND_SIGNS.get(kind, OTHER_SIGN)} {escape(kind_label(tr, kind))}" for kind in kinds
    )


def _wall_lines(members: list[CameraAlert], settings: Settings) -> list[str]:
    by_camera: dict[str, list[CameraAlert]] = defaultdict(list)
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


def _paged(head: list[str], lines: list[str], title: str, stamp: str) -> list[str]:
    """Split into messages under the limit; an area too long for one is split too."""
    chunks: list[list[str]] = [list(head)]
    for line in _fitting(lines, DIGEST_UNITS - units("\n".join(head)) - 40):
        if units("\n".join([*chunks[-1], line])) > DIGEST_UNITS:
            chunks.append([])
        chunks[-1].append(line)
    if len(chunks) == 1:
        return ["\n".join(chunks[0])]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        heading = f"🚨 <b>{escape(title)} ({number}/{len(chunks)})</b> · {stamp}"
        body = chunk[len(head) :] if number == 1 else chunk
        extra = head[1:] if number == 1 else []
        pages.append("\n".join([heading, *extra, *body]))
    return pages


def _fitting(lines: list[str], budget: int) -> list[str]:
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
