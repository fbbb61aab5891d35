"""Each person's chosen language, remembered across restarts."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.db.models import UserPreference
from bot.i18n import LOCALES

# Another process sharing the database (several on PostgreSQL) may record a person's choice:
# a copy older than this is read again, so its messages follow within half a minute.
FRESH_SECONDS = 30.0


class Preferences:
    """Reads and stores language choices, with an in-memory copy for the hot path."""

    def __init__(
        self, engine: Engine, clock: Clock, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._monotonic = monotonic
        self._cache: dict[int, tuple[str | None, float]] = {}

    def locale(self, user_id: int) -> str | None:
        """Return a person's chosen language, or None if they never chose."""
        now = self._monotonic()
        cached = self._cache.get(user_id)
        if cached is None or now - cached[1] > FRESH_SECONDS:
            with Session(self._engine) as session:
                row = session.get(UserPreference, user_id)
                cached = self._cache[user_id] = (row.locale if row else None, now)
        return cached[0]

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
        self._cache[user_id] = (locale, self._monotonic())
