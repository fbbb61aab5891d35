"""Each person's chosen language, remembered across restarts."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.db.models import UserPreference
from bot.i18n import LOCALES


class Preferences:
    """Reads and stores language choices, with an in-memory copy for the hot path."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._cache: dict[int, str | None] = {}

    def locale(self, user_id: int) -> str | None:
        """Return a person's chosen language, or None if they never chose."""
        if user_id not in self._cache:
            with Session(self._engine) as session:
                row = session.get(UserPreference, user_id)
                self._cache[user_id] = row.locale if row else None
        return self._cache[user_id]

    def set_locale(self, user_id: int, locale: str) -> None:
        """Remember a person's language."""
        if locale not in LOCALES:
            raise ValueError(f"unsupported locale {locale!r}")
        with Session(self._engine) as session:
            row = session.get(UserPreference, user_id)
            if row is None:
                row = UserPreference(user_id=user_id, locale=locale, updated_at=self._clock.now())
            row.locale = locale
            row.updated_at = self._clock.now()
            session.add(row)
            session.commit()
        self._cache[user_id] = locale
