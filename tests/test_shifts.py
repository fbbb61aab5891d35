"""The shift is derived from the clock and the roster; rights come from the role in it."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings
from bot.shifts import Right, Role, Roster

ICT = dt.timezone(dt.timedelta(hours=7))


def roster() -> Roster:
    return Roster(
        Settings(
            people=[
                {"id": 1, "name": "An"},
                {"id": 2, "name": "Bình"},
                {"id": 3, "name": "Cường", "admin": True},
            ],
            roster={
                "days": {
                    "2026-11-25": {"shift_leader": 1, "officers": [2]},
                    "2026-11-26": {"shift_leader": 2},
                }
            },
        )
    )


def test_a_shift_runs_from_eight_to_eight_local_time() -> None:
    r = roster()
    assert r.shift_date_at(dt.datetime(2026, 11, 25, 8, 0, tzinfo=ICT)) == dt.date(2026, 11, 25)
    assert r.shift_date_at(dt.datetime(2026, 11, 26, 7, 59, tzinfo=ICT)) == dt.date(2026, 11, 25)
    assert r.shift_date_at(dt.datetime(2026, 11, 26, 8, 0, tzinfo=ICT)) == dt.date(2026, 11, 26)
    # 00:30 UTC on the 26th is 07:30 in Ho Chi Minh City: still the 25th's shift.
    assert r.shift_date_at(dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 25)
    window = r.window(dt.date(2026, 11, 25))
    assert window.starts_at == dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    assert window.ends_at - window.starts_at == dt.timedelta(hours=24)


def test_rights_follow_the_roster_of_the_current_shift() -> None:
    r = roster()
    today = dt.datetime(2026, 11, 25, 15, 0, tzinfo=ICT)
    tomorrow = dt.datetime(2026, 11, 26, 9, 0, tzinfo=ICT)
    assert Right.APPROVE in r.rights(1, today)
    assert Right.APPROVE not in r.rights(1, tomorrow)
    assert Right.WRITE_LOGBOOK not in r.rights(1, tomorrow)
    assert Right.APPROVE in r.rights(2, tomorrow)
    assert r.roles(2, today) == {Role.OFFICER}
    assert r.rights(3, today) == frozenset({Right.VIEW, Right.ADMINISTER})
    assert r.rights(99, today) == frozenset()


def test_business_hours_are_weekdays_inside_the_configured_span() -> None:
    r = roster()
    assert r.in_business_hours(dt.datetime(2026, 11, 25, 10, 0, tzinfo=ICT))
    assert not r.in_business_hours(dt.datetime(2026, 11, 25, 3, 0, tzinfo=ICT))
    assert not r.in_business_hours(dt.datetime(2026, 11, 28, 10, 0, tzinfo=ICT))  # Saturday
