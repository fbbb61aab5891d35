"""What the EPZ services share: the desk's wiring plus the working-day calendar."""

from __future__ import annotations

from bot.epz.workdays import WorkCalendar
from bot.service import DeskService, ServiceContext


class EpzService(DeskService):
    """Wiring and small helpers of the services under bot/epz."""

    def __init__(self, ctx: ServiceContext, calendar: WorkCalendar) -> None:
        super().__init__(ctx)
        self.calendar = calendar

    def _name(self, key: str) -> str:
        """An enterprise's name (its key if it left the configuration)."""
        enterprise = self._settings.enterprise(key)
        return enterprise.name if enterprise else key
