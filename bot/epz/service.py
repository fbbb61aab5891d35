"""What the EPZ services share: settings, database, clock, outbox, logbook and calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import LogColumn
from bot.epz.workdays import WorkCalendar
from bot.i18n import Translator, translator
from bot.logbook.service import Author, Logbook
from bot.outbox import Keyboard, Outbox


class EpzService:
    """Wiring and small helpers of the services under bot/epz."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        outbox: Outbox,
        logbook: Logbook,
        calendar: WorkCalendar,
        translator_for: Callable[[int | None], Translator],
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._clock = clock
        self._outbox = outbox
        self._logbook = logbook
        self.calendar = calendar
        self._translator_for = translator_for

    @property
    def _tr(self) -> Translator:
        """The desk's language, for the group and the logbook."""
        return translator(self._settings.locale, self._settings.tz)

    def _local(self, day: dt.date, at: dt.time) -> dt.datetime:
        """A local date and time of day as an aware UTC moment."""
        return dt.datetime.combine(day, at, tzinfo=self._settings.tz).astimezone(dt.UTC)

    def _name(self, key: str) -> str:
        """An enterprise's name (its key if it left the configuration)."""
        enterprise = self._settings.enterprise(key)
        return enterprise.name if enterprise else key

    def _to_group(self, session: Session, html: str, buttons: Keyboard | None = None) -> None:
        """Post in the duty group, in the caller's transaction."""
        group = self._settings.telegram.duty_group_id
        if group is not None:
            self._outbox.send(group, html, buttons=buttons, session=session)

    def _announce(
        self,
        session: Session,
        now: dt.datetime,
        icon: str,
        column: LogColumn,
        text: str,
        source_key: str,
    ) -> None:
        """Something the desk itself noticed: into the logbook, and told to the duty group."""
        self._logbook.append(
            session, Author(None, "duty-desk"), now, {column: text}, source_key=source_key
        )
        self._to_group(session, f"{icon} " + escape(text))
