"""What the EPZ services share: the desk's wiring plus the working-day calendar."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.desk_service import DeskService, Wiring
from bot.epz.workdays import WorkCalendar
from bot.i18n import Translator
from bot.logbook.service import Logbook
from bot.outbox import Outbox


class EpzService(DeskService):
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
        super().__init__(Wiring(settings, engine, clock, outbox, logbook, translator_for))
        self.calendar = calendar

    def _name(self, key: str) -> str:
        """An enterprise's name (its key if it left the configuration)."""
        enterprise = self._settings.enterprise(key)
        return enterprise.name if enterprise else key
