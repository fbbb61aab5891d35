"""Silencing a camera for a while (maintenance, a planned power cut): its alerts are stored and
folded as ever but kept from the group until the period ends, then summed up in one message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from html import escape

from sqlmodel import Session, col, select

from bot import deadlines
from bot.camera.buttons import AlertAction
from bot.camera.digest import kind_label
from bot.db.models import CameraAlert, CameraSilence, LogColumn, OutboxPriority
from bot.i18n import N_, Translator
from bot.logbook.service import Author
from bot.service import ServiceContext, system_author


class SilenceDeadline(StrEnum):
    """What happens when a silence's clock passes."""

    SILENCE_END = "silence_end"


@dataclass(frozen=True)
class Preset:
    """A period to silence a camera for, and why (offered as one button)."""

    reason: str
    hours: int


PRESETS = {
    AlertAction.SILENCE_MAINTENANCE_2H: Preset(N_("Maintenance"), 2),
    AlertAction.SILENCE_MAINTENANCE_8H: Preset(N_("Maintenance"), 8),
    AlertAction.SILENCE_POWER_CUT_4H: Preset(N_("Planned power cut"), 4),
}


def silence_subject(silence_id: int) -> str:
    """The subject key of a silence."""
    return f"silence:{silence_id}"


def silenced_cameras(session: Session, now: dt.datetime) -> set[str]:
    """The cameras whose alerts are kept from the group now."""
    return set(
        session.exec(
            select(CameraSilence.camera).where(
                col(CameraSilence.starts_at) <= now, col(CameraSilence.ends_at) > now
            )
        ).all()
    )


def record_silence(
    ctx: ServiceContext,
    session: Session,
    alert: CameraAlert,
    author: Author,
    preset: Preset,
    now: dt.datetime,
) -> CameraSilence:
    """Silence the alert's camera, note it on the card and in the logbook, set its end."""
    assert alert.id is not None
    silence = CameraSilence(
        camera=alert.camera,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=preset.hours),
        reason=preset.reason,
        by_id=author.user_id,
        by_name=author.name,
        alert_id=alert.id,
    )
    session.add(silence)
    session.flush()
    assert silence.id is not None
    tr = ctx.desk_tr()
    alert.silence_note = tr("Alerts paused until {time} ({reason}), {name}").format(
        time=tr.time(silence.ends_at), reason=tr(preset.reason), name=author.name
    )
    if not alert.seen_by:
        alert.seen_by, alert.seen_at = author.name, now
    session.add(alert)
    ctx.logbook.append(
        session,
        author,
        now,
        {
            LogColumn.NOTE: tr("Alerts of camera {camera} paused until {time}: {reason}").format(
                camera=alert.camera, time=tr.datetime(silence.ends_at), reason=tr(preset.reason)
            )
        },
        source_key=f"silence:{silence.id}",
    )
    deadlines.schedule(
        session, SilenceDeadline.SILENCE_END, silence_subject(silence.id), silence.ends_at
    )
    return silence


class SilenceEnds:
    """When a silence ends, the group is told what its camera reported meanwhile."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def register(self, register: Callable[[SilenceDeadline, Callable[..., None]], None]) -> None:
        """Sum a silence up when it ends."""
        register(SilenceDeadline.SILENCE_END, self.end)

    def end(self, session: Session, silence_id: int, _seq: int, now: dt.datetime) -> None:
        """Post and log the alerts the camera raised while silenced (or that it raised none)."""
        ctx = self._ctx
        silence = session.get(CameraSilence, silence_id)
        if silence is None:
            return
        alerts = session.exec(
            select(CameraAlert).where(
                CameraAlert.camera == silence.camera,
                col(CameraAlert.received_at) >= silence.starts_at,
                col(CameraAlert.received_at) < silence.ends_at,
            )
        ).all()
        counts: Counter[str] = Counter()
        for alert in alerts:
            counts[alert.kind] += alert.count
        tr = ctx.desk_tr()
        summary = self.summary(tr, silence, counts)
        ctx.to_group(
            session,
            "🔔 " + escape(summary),
            thread_id=ctx.settings.telegram.topics.alerts,
            priority=OutboxPriority.NORMAL,
        )
        ctx.logbook.append(
            session,
            system_author(),
            now,
            {LogColumn.NOTE: summary},
            source_key=f"silence-end:{silence_id}",
        )

    @staticmethod
    def summary(tr: Translator, silence: CameraSilence, counts: Counter[str]) -> str:
        """What the camera reported while silenced, in one line."""
        window = tr("{start}–{end}").format(
            start=tr.time(silence.starts_at), end=tr.time(silence.ends_at)
        )
        if not counts:
            return tr(
                "Alerts of camera {camera} resume ({reason}, {window}): none meanwhile."
            ).format(camera=silence.camera, reason=tr(silence.reason), window=window)
        kinds = ", ".join(f"{kind_label(tr, kind)} ×{n}" for kind, n in counts.most_common())
        return tr(
            "Alerts of camera {camera} resume ({reason}, {window}); meanwhile: {kinds}."
        ).format(camera=silence.camera, reason=tr(silence.reason), window=window, kinds=kinds)
