"""The desk: the services one running bot shares, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.audit import Audit
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translator, translator
from bot.logbook.service import Logbook
from bot.outbox import Outbox
from bot.preferences import Preferences
from bot.shifts import Roster


@dataclass
class Desk:
    """Settings, clock and services; handlers reach it through the application's bot_data."""

    settings: Settings
    engine: Engine
    clock: Clock
    roster: Roster
    logbook: Logbook
    outbox: Outbox
    preferences: Preferences
    audit: Audit

    @classmethod
    def build(cls, settings: Settings, engine: Engine, clock: Clock) -> Desk:
        """Wire the services together."""
        roster = Roster(settings)
        return cls(
            settings=settings,
            engine=engine,
            clock=clock,
            roster=roster,
            logbook=Logbook(engine, roster, clock),
            outbox=Outbox(engine, clock),
            preferences=Preferences(engine, clock),
            audit=Audit(engine, clock),
        )

    @property
    def group_id(self) -> int | None:
        """The duty group's chat id."""
        return self.settings.telegram.duty_group_id

    def translator_for(
        self, user_id: int | None, telegram_language: str | None = None
    ) -> Translator:
        """Return a person's language: their choice, else Telegram's setting, else the desk's."""
        chosen = self.preferences.locale(user_id) if user_id is not None else None
        if chosen is None and telegram_language:
            chosen = telegram_language.split("-")[0].lower()
        return translator(chosen, self.settings.tz, default=self.settings.locale)

    def desk_translator(self) -> Translator:
        """Return the translator for messages addressed to the whole group."""
        return translator(self.settings.locale, self.settings.tz)

    def is_known(self, user_id: int) -> bool:
        """True if the person is configured."""
        return self.roster.person(user_id) is not None
