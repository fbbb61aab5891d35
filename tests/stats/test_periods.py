"""Reading the period of /stats and of the equipment report."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import translator
from bot.stats.periods import Span, StatsPeriod, parse_stats_period

D = dt.date
# Wednesday 25 November 2026.
TODAY = D(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "span", "first", "last"),
    [
        ("", Span.MONTH, D(2026, 11, 1), D(2026, 11, 30)),
        ("week", Span.WEEK, D(2026, 11, 23), D(2026, 11, 29)),
        ("tuần", Span.WEEK, D(2026, 11, 23), D(2026, 11, 29)),
        ("last-week", Span.WEEK, D(2026, 11, 16), D(2026, 11, 22)),
        ("tuần trước", Span.WEEK, D(2026, 11, 16), D(2026, 11, 22)),
        ("month", Span.MONTH, D(2026, 11, 1), D(2026, 11, 30)),
        ("tháng này", Span.MONTH, D(2026, 11, 1), D(2026, 11, 30)),
        ("tuan nay", Span.WEEK, D(2026, 11, 23), D(2026, 11, 29)),
        ("quý này", Span.QUARTER, D(2026, 10, 1), D(2026, 12, 31)),
        ("thang-truoc", Span.MONTH, D(2026, 10, 1), D(2026, 10, 31)),
        ("quarter", Span.QUARTER, D(2026, 10, 1), D(2026, 12, 31)),
        ("last-quarter", Span.QUARTER, D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-02", Span.MONTH, D(2026, 2, 1), D(2026, 2, 28)),
        ("12/2026", Span.MONTH, D(2026, 12, 1), D(2026, 12, 31)),
        ("2026-Q1", Span.QUARTER, D(2026, 1, 1), D(2026, 3, 31)),
        ("q4/2026", Span.QUARTER, D(2026, 10, 1), D(2026, 12, 31)),
        ("2026-11-01..2026-11-15", Span.RANGE, D(2026, 11, 1), D(2026, 11, 15)),
        ("01/11/2026 .. 15/11/2026", Span.RANGE, D(2026, 11, 1), D(2026, 11, 15)),
        ("yesterday", Span.RANGE, D(2026, 11, 24), D(2026, 11, 24)),
    ],
)
def test_the_words_and_dates_a_period_is_asked_with(
    text: str, span: Span, first: dt.date, last: dt.date
) -> None:
    assert parse_stats_period(text, TODAY) == StatsPeriod(span, first, last)


def test_periods_across_the_new_year() -> None:
    january = D(2027, 1, 4)
    assert parse_stats_period("last-month", january) == StatsPeriod(
        Span.MONTH, D(2026, 12, 1), D(2026, 12, 31)
    )
    assert parse_stats_period("last-quarter", january) == StatsPeriod(
        Span.QUARTER, D(2026, 10, 1), D(2026, 12, 31)
    )
    # Monday 4 January: last week began on Monday 28 December.
    assert parse_stats_period("last-week", january) == StatsPeriod(
        Span.WEEK, D(2026, 12, 28), D(2027, 1, 3)
    )


@pytest.mark.parametrize(
    "text",
    ["fortnight", "2026-13", "2026-Q5", "2026-11-30..2026-11-01", "2025-01-01..2026-06-30"],
)
def test_what_is_not_a_period(text: str) -> None:
    assert parse_stats_period(text, TODAY) is None


def test_how_a_period_is_named_and_filed() -> None:
    vi = translator("vi", ZoneInfo("Asia/Ho_Chi_Minh"))
    en = translator("en", ZoneInfo("Asia/Ho_Chi_Minh"))
    month = StatsPeriod(Span.MONTH, D(2026, 11, 1), D(2026, 11, 30))
    quarter = StatsPeriod(Span.QUARTER, D(2026, 10, 1), D(2026, 12, 31))
    week = StatsPeriod(Span.WEEK, D(2026, 11, 23), D(2026, 11, 29))
    assert (month.name(vi), month.slug()) == ("tháng 11/2026", "2026-11")
    assert (quarter.name(vi), quarter.name(en), quarter.slug()) == (
        "quý 4/2026",
        "quarter 4/2026",
        "2026-Q4",
    )
    assert week.name(vi) == "tuần 23/11/2026 – 29/11/2026"
    assert week.slug() == "2026-11-23_2026-11-29"
