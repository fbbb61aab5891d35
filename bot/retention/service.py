"""The daily prune, kept as a deadline in the database: each day's fires once, in one process."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import deadlines
from bot.retention.deadline_kinds import RetentionDeadline, prune_subject
from bot.retention.prune import Pruned, prune
from bot.service import DeskService

log = logging.getLogger(__name__)


class Retention(DeskService):
    """Prunes raw camera events and delivered messages once a day, at `retention.run_at`."""

    def next_run(self, now: dt.datetime) -> tuple[dt.date, dt.datetime]:
        """The next prune after now: its local day and its moment."""
        today = now.astimezone(self._settings.tz).date()
        for day in (today, today + dt.timedelta(days=1)):
            due = self._local(day, self._settings.retention.run_at)
            if due > now:
                return day, due
        raise AssertionError("a day has a moment after now")

    def start(self, now: dt.datetime) -> None:
        """At start-up: keep the next prune armed (every process may; it is stored once)."""
        if not self._settings.retention.enabled:
            return
        with Session(self._engine) as session:
            self._arm(session, now)
            try:
                session.commit()
            except IntegrityError:
                # Another process starting at the same moment armed the same day's prune.
                session.rollback()

    def register(self, register: Callable[[RetentionDeadline, Callable[..., None]], None]) -> None:
        """Hand the prune's deadline kind to the timers."""
        register(RetentionDeadline.PRUNE, self._on_due)

    def prune(self, session: Session, now: dt.datetime) -> Pruned:
        """Prune now, in the caller's transaction."""
        return prune(session, self._settings.retention, now)

    def _arm(self, session: Session, now: dt.datetime) -> None:
        day, due = self.next_run(now)
        deadlines.schedule_once(session, RetentionDeadline.PRUNE, prune_subject(day), due)

    def _on_due(self, session: Session, number: int, _seq: int, now: dt.datetime) -> None:
        if not self._settings.retention.enabled:
            return
        pruned = self.prune(session, now)
        log.info(
            "Retention for %s: removed %s camera events, %s delivered messages; freed %s images",
            number,
            pruned.camera_events,
            pruned.delivered_messages,
            pruned.images_freed,
        )
        self._arm(session, now)
