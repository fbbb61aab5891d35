"""Spreading a month's rotation checks over days and officers; long plans split in pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from bot.config import Enterprise
from bot.epz.rotation import next_month, spread, working_days
from bot.epz.workdays import WorkCalendar
from bot.paging import paged


def enterprise(key: str, officer: int | None = None) -> Enterprise:
    return Enterprise(key=key, name=key.upper(), tax_code="0312345678", officer=officer)


def test_fewer_enterprises_than_days_get_a_day_each_from_the_first() -> None:
    days = working_days(WorkCalendar(), dt.date(2026, 12, 1))
    assert len(days) == 23
    slots = spread([enterprise(f"e{i}") for i in range(5)], days, [7, 8], Counter(), Counter())
    assert [s.day for s in slots] == [days[0], days[4], days[9], days[13], days[18]]
    assert [s.officer for s in slots] == [7, 8, 7, 8, 7]
    assert {s.order for s in slots} == {0}


def test_an_assigned_officer_keeps_the_enterprise_and_counts_in_the_balance() -> None:
    days = [dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)]
    slots = spread(
        [enterprise("a", officer=7), enterprise("b"), enterprise("c")],
        days,
        [7, 8],
        Counter(),
        Counter(),
    )
    assert [(s.enterprise, s.officer) for s in slots] == [("a", 7), ("b", 8), ("c", 7)]


def test_more_enterprises_than_days_are_spaced_within_a_day() -> None:
    days = [dt.date(2026, 12, 30), dt.date(2026, 12, 31)]
    slots = spread([enterprise(f"e{i}") for i in range(4)], days, [7], Counter(), Counter())
    assert [(s.day.day, s.order) for s in slots] == [(30, 0), (30, 1), (31, 0), (31, 1)]


def test_tet_is_not_a_rotation_day() -> None:
    days = working_days(WorkCalendar(), dt.date(2026, 2, 1))
    assert dt.date(2026, 2, 16) not in days and dt.date(2026, 2, 20) not in days
    assert next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)


def test_a_long_plan_is_split_under_telegrams_limit() -> None:
    lines = [f"• Thứ Ba, 01/12 09:30 — Công ty số {i:03d} — Phạm Thị Dung" for i in range(200)]
    pages = paged("🗓", "Kế hoạch tháng 12/2026", lines)
    assert len(pages) > 1 and all(len(page) < 4096 for page in pages)
    assert pages[0].startswith(f"🗓 <b>Kế hoạch tháng 12/2026 (1/{len(pages)})</b>")
    kept = [line for page in pages for line in page.splitlines()[1:]]
    assert kept == lines
