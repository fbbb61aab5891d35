"""What the desk's own services share: settings, database, clock, outbox, logbook, languages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import LogColumn, OutboxPriority
from bot.i18n import Translator, translator
from bot.logbook.service import Author, Logbook
from bot.outbox import Keyboard, Outbox


@dataclass(frozen=True)
class Wiring:
    """What a desk service is built with; one value, so each service's signature stays short."""

    settings: Settings
    engine: Engine
    clock: Clock
    outbox: Outbox
    logbook: Logbook
    translator_for: Callable[[int | None], Translator]


class DeskService:
    """Wiring and small helpers of a service that posts and logs for the desk."""

    def __init__(self, wiring: Wiring) -> None:
        self._settings = wiring.settings
        self._engine = wiring.engine
        self._clock = wiring.clock
        self._outbox = wiring.outbox
        self._logbook = wiring.logbook
        self._translator_for = wiring.translator_for

    @property
    def _tr(self) -> Translator:
        """The desk's language, for the group and the logbook."""
        return translator(self._settings.locale, self._settings.tz)

    def _local(self, day: dt.date, at: dt.time) -> dt.datetime:
        """A local date and time of day as an aware UTC moment."""
        return dt.datetime.combine(day, at, tzinfo=self._settings.tz).astimezone(dt.UTC)

    def _to_group(
        self,
        session: Session,
        html: str,
        buttons: Keyboard | None = None,
        thread_id: int | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int | None:
        """Post in the duty group, in the caller's transaction; the outbox row's id."""
        group = self._settings.telegram.duty_group_id
        if group is None:
            return None
        return self._outbox.send(
            group, html, buttons=buttons, thread_id=thread_id, session=session, priority=priority
        )

    def _announce(
        self,
        session: Session,
        now: dt.datetime,
        icon: str,
        column: LogColumn,
        text: str,
        source_key: str,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> None:
        """Something the desk itself noticed: into the logbook, and told to the duty group."""
        self._logbook.append(
            session, Author(None, "duty-desk"), now, {column: text}, source_key=source_key
        )
        self._to_group(session, f"{icon} " + escape(text), priority=priority)
