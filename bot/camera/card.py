"""What an alert's card in the duty group says and offers."""

from __future__ import annotations

from html import escape

from bot.camera.buttons import AlertAction, alert_button
from bot.camera.digest import kind_label
from bot.camera.silences import PRESETS
from bot.config import Camera
from bot.db.models import AlertSource, CameraAlert
from bot.i18n import Translator
from bot.outbox import Button, Keyboard, keyboard


def shown_detail(alert: CameraAlert) -> str:
    """The alert's detail as an officer reads it: what an analytics system wrote.

    A camera's own ONVIF events carry the rule's technical name in English ("tamper
    detector"); the kind already says it in the desk's language, so it is kept in the
    event record, not shown.
    """
    return "" if alert.source == AlertSource.ONVIF else alert.detail


def alert_caption(tr: Translator, alert: CameraAlert, camera: Camera | None) -> str:
    """The alert's caption: camera, place, event, time, and the fold counter."""
    name = f" · {escape(camera.name)}" if camera else ""
    lines = [
        f"🚨 <b>CAM {escape(alert.camera)}</b>{name} — <b>"
        + escape(kind_label(tr, alert.kind))
        + "</b>"
    ]
    if camera and camera.place:
        lines.append("📍 " + escape(camera.place))
    lines.append("🕒 " + escape(tr.datetime(alert.occurred_at)))
    if shown_detail(alert):
        lines.append(escape(alert.detail))
    if alert.refs:
        lines.append("🔖 " + escape(alert.refs))
    if alert.count > 1:
        lines.append(
            "🔁 "
            + escape(
                tr("{count} times, last at {time}").format(
                    count=alert.count, time=tr.time(alert.last_seen_at)
                )
            )
        )
    if alert.incident_label:
        lines.append(
            "📝 "
            + escape(
                tr("Incident {label}, opened by {name}").format(
                    label=alert.incident_label, name=alert.incident_by
                )
            )
        )
    elif alert.seen_by and alert.seen_at:
        lines.append(
            "👁 "
            + escape(
                tr("Seen by {name} at {time}").format(
                    name=alert.seen_by, time=tr.time(alert.seen_at)
                )
            )
        )
    if alert.silence_note:
        lines.append("🔕 " + escape(alert.silence_note))
    if alert.false_alarm_by:
        lines.append(
            "✖ "
            + escape(
                tr("False alarm ({name}): {reason}").format(
                    name=alert.false_alarm_by, reason=alert.false_alarm_reason
                )
            )
        )
    return "\n".join(lines)


def alert_buttons(tr: Translator, alert: CameraAlert, camera: Camera | None) -> Keyboard:
    """Open incident (or show the one opened), seen, neighbouring cameras, false alarm."""
    if alert.false_alarm_by or alert.id is None:
        return []
    first = alert_button(AlertAction.OPEN_INCIDENT, alert.id)
    if alert.incident_label:
        row = [Button("📝 " + tr("Incident {label}").format(label=alert.incident_label), first)]
    else:
        row = [Button("📝 " + tr("Open incident"), first)]
        if not alert.seen_by:
            row.append(Button("👁 " + tr("Seen"), alert_button(AlertAction.SEEN, alert.id)))
    rows = [row]
    second = []
    if camera and camera.neighbours:
        second.append(
            Button(
                "🎥 " + tr("Neighbouring cameras"), alert_button(AlertAction.NEIGHBOURS, alert.id)
            )
        )
    if not alert.silence_note:
        second.append(Button("🔕 " + tr("Pause"), alert_button(AlertAction.SILENCE, alert.id)))
    if not alert.incident_label:
        second.append(
            Button("✖ " + tr("False alarm"), alert_button(AlertAction.FALSE_ALARM, alert.id))
        )
    if second:
        rows.append(second)
    return keyboard(rows)


def silence_buttons(tr: Translator, alert: CameraAlert) -> Keyboard:
    """The periods a camera's alerts can be paused for, then the way back to the card."""
    assert alert.id is not None
    rows = [
        [
            Button(
                tr("{reason}, {hours} h").format(reason=tr(preset.reason), hours=preset.hours),
                alert_button(action, alert.id),
            )
        ]
        for action, preset in PRESETS.items()
    ]
    rows.append([Button("‹ " + tr("Back"), alert_button(AlertAction.BACK, alert.id))])
    return keyboard(rows)
