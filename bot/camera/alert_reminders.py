"""An alert nobody takes in hand is reminded: to the officers on shift, then the shift leader.

Taken in hand means seen ("Đã xem"), opened as an incident, or called a false alarm; the
reminder looks when it fires, so any of them stops it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from html import escape

from sqlmodel import Session

from bot import deadlines
from bot.camera.digest import kind_label
from bot.config import Settings
from bot.db.models import CameraAlert, OutboxPriority
from bot.i18n import Translator
from bot.service import ServiceContext
from bot.shifts import Role


class AlertDeadline(StrEnum):
    """What happens when an alert's clock passes."""

    ALERT_REMINDER = "alert_reminder"


def alert_subject(alert_id: int) -> str:
    """The subject key of an alert."""
    return f"alert:{alert_id}"


def in_hand(alert: CameraAlert) -> bool:
    """Someone has the alert: seen, made an incident, or called false."""
    return bool(alert.seen_by or alert.incident_id or alert.false_alarm_by)


def start_reminders(session: Session, settings: Settings, alert_id: int, now: dt.datetime) -> None:
    """Set the first reminder of an alert just posted, in the caller's transaction."""
    after = dt.timedelta(minutes=settings.alerts.remind_after_minutes)
    deadlines.schedule(
        session, AlertDeadline.ALERT_REMINDER, alert_subject(alert_id), now + after, seq=1
    )


class AlertReminders:
    """Reminds of alerts not taken in hand: first the officers in the group, then the leader."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def register(self, register: Callable[[AlertDeadline, Callable[..., None]], None]) -> None:
        """Act when an alert's reminder is due."""
        register(AlertDeadline.ALERT_REMINDER, self.remind)

    def remind(self, session: Session, alert_id: int, seq: int, now: dt.datetime) -> None:
        """Remind of an alert still not in hand, and set the leader's turn after the officers'."""
        ctx = self._ctx
        alert = session.get(CameraAlert, alert_id)
        if alert is None or alert.digest or in_hand(alert):
            return
        minutes = int((now - alert.received_at).total_seconds() // 60)

        def render(tr: Translator) -> str:
            return escape(
                tr(
                    "Alert CAM {camera} ({event}, {time}) not taken in hand after {minutes} "
                    "min: tap “Seen” or “Open incident” on its card."
                ).format(
                    camera=alert.camera,
                    event=kind_label(tr, alert.kind),
                    time=tr.time(alert.occurred_at),
                    minutes=minutes,
                )
            )

        if seq == 1:
            shift = ctx.roster.members(ctx.roster.shift_date_at(now))
            mentions = ", ".join(
                f'<a href="tg://user?id={m.person.id}">{escape(m.person.name)}</a>'
                for m in shift
                if m.role in (Role.OFFICER, Role.CLERK)
            )
            lead = f"⏰ {mentions}: " if mentions else "⏰ "
            ctx.to_group(
                session,
                lead + render(ctx.desk_tr()),
                thread_id=ctx.settings.telegram.topics.alerts,
                priority=OutboxPriority.URGENT,
            )
            after = dt.timedelta(minutes=ctx.settings.alerts.leader_after_minutes)
            deadlines.schedule(
                session, AlertDeadline.ALERT_REMINDER, alert_subject(alert_id), now + after, seq=2
            )
            return
        ctx.tell_leader(session, now, lambda tr: "⏰ " + render(tr))
