"""A language chosen through one process reaches the messages of another sharing the database."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.db.engine import make_engine
from bot.preferences import FRESH_SECONDS, Preferences
from tests.conftest import MORNING


def test_a_choice_made_in_another_process_is_followed_within_half_a_minute(
    migrated_url: str,
) -> None:
    engine = make_engine(migrated_url)
    seconds = [0.0]
    clock = ManualClock(MORNING)
    poller = Preferences(engine, clock)
    other = Preferences(engine, clock, monotonic=lambda: seconds[0])
    assert other.locale(1004) is None  # read, and kept for the hot path
    poller.set_locale(1004, "en")
    seconds[0] = FRESH_SECONDS / 2
    assert other.locale(1004) is None
    seconds[0] = FRESH_SECONDS + 1
    assert other.locale(1004) == "en"
    engine.dispose()
