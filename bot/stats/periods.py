"""Which shifts a statistic covers: this or last week, month, quarter, or a range of dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.documents.periods import parse_period
from bot.i18n import Translator
from bot.values import EARLIEST_DAY, LATEST_DAY


class Span(StrEnum):
    """How a period was asked for, which sets how it is named."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    RANGE = "range"


@dataclass(frozen=True)
class StatsPeriod:
    """The shifts from `first` to `last`, both included (a day is a shift, 08:00 to 08:00)."""

    span: Span
    first: dt.date
    last: dt.date

    @property
    def quarter(self) -> int:
        """The quarter of the year the period starts in (1-4)."""
        return (self.first.month - 1) // 3 + 1

    def days(self) -> list[dt.date]:
        """Every shift date of the period."""
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def slug(self) -> str:
        """A short name for files: 2026-11, 2026-Q4, 2026-11-23_2026-11-29."""
        if self.span is Span.MONTH:
            return f"{self.first:%Y-%m}"
        if self.span is Span.QUARTER:
            return f"{self.first.year}-Q{self.quarter}"
        if self.first == self.last:
            return f"{self.first:%Y-%m-%d}"
        return f"{self.first:%Y-%m-%d}_{self.last:%Y-%m-%d}"

    def name(self, tr: Translator) -> str:
        """The period as a reader says it: 'tháng 11/2026', 'quý 4/2026', a week or a range."""
        if self.span is Span.MONTH:
            return tr("month {month}/{year}").format(month=self.first.month, year=self.first.year)
        if self.span is Span.QUARTER:
            return tr("quarter {quarter}/{year}").format(quarter=self.quarter, year=self.first.year)
        first, last = tr.date(self.first), tr.date(self.last)
        if self.span is Span.WEEK:
            return tr("week {first} – {last}").format(first=first, last=last)
        if self.first == self.last:
            return tr("shift of {date}").format(date=first)
        return tr("{first} – {last}").format(first=first, last=last)


# The words /stats and /export equipment understand, in English and Vietnamese (with or
# without diacritics; spaces read as hyphens): this week, month or quarter, and the last one.
_THIS = {
    Span.WEEK: ("week", "this-week", "tuan", "tuần", "tuan-nay", "tuần-này"),
    Span.MONTH: ("month", "this-month", "thang", "tháng", "thang-nay", "tháng-này"),
    Span.QUARTER: ("quarter", "this-quarter", "quy", "quý", "quy-nay", "quý-này"),
}
_LAST = {
    Span.WEEK: ("last-week", "tuan-truoc", "tuần-trước"),
    Span.MONTH: ("last-month", "thang-truoc", "tháng-trước"),
    Span.QUARTER: ("last-quarter", "quy-truoc", "quý-trước"),
}
# A word: (span, how many spans back).
_WORDS = {name: (span, 0) for span, names in _THIS.items() for name in names} | {
    name: (span, 1) for span, names in _LAST.items() for name in names
}
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$|^(\d{1,2})/(\d{4})$")
_QUARTER = re.compile(r"^(?:q([1-4])[-/]?(\d{4})|(\d{4})[-/]?q([1-4]))$")


def _month(year: int, month: int) -> StatsPeriod:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return StatsPeriod(Span.MONTH, first, following - dt.timedelta(days=1))


def _quarter(year: int, quarter: int) -> StatsPeriod:
    first_month = 3 * (quarter - 1) + 1
    last = _month(year, first_month + 2).last
    return StatsPeriod(Span.QUARTER, dt.date(year, first_month, 1), last)


def _back(span: Span, current: dt.date, back: int) -> StatsPeriod:
    """The week (from Monday), month or quarter holding `current`, or one `back` before it."""
    if span is Span.WEEK:
        monday = current - dt.timedelta(days=current.weekday() + 7 * back)
        return StatsPeriod(Span.WEEK, monday, monday + dt.timedelta(days=6))
    if span is Span.MONTH:
        index = current.year * 12 + current.month - 1 - back
        return _month(index // 12, index % 12 + 1)
    index = current.year * 4 + (current.month - 1) // 3 - back
    return _quarter(index // 4, index % 4 + 1)


def _sane_year(year: str) -> bool:
    """A year the desk's records can be in (its December still has a following month)."""
    return year.isascii() and EARLIEST_DAY.year <= int(year) <= LATEST_DAY.year


def parse_stats_period(text: str, current: dt.date) -> StatsPeriod | None:
    """Read a period; nothing means this month. None when it is not one.

    Words: week, month, quarter, last-week, last-month, last-quarter (or tuần, tháng, quý,
    tuần-trước, …); a month 2026-11 or 11/2026; a quarter 2026-Q4 or Q4/2026; a date or a
    range 2026-11-01..2026-11-30 (at most a year).
    """
    word = "-".join(text.lower().split())
    if not word:
        return _back(Span.MONTH, current, 0)
    if word in _WORDS:
        span, back = _WORDS[word]
        return _back(span, current, back)
    if month := _MONTH.match(word):
        year, number = (
            (month.group(1), month.group(2)) if month.group(1) else (month.group(4), month.group(3))
        )
        sane = 1 <= int(number) <= 12 and _sane_year(year)
        return _month(int(year), int(number)) if sane else None
    if quarter := _QUARTER.match(word):
        number = quarter.group(1) or quarter.group(4)
        year = quarter.group(2) or quarter.group(3)
        return _quarter(int(year), int(number)) if _sane_year(year) else None
    period = parse_period(text, current)
    if period is None:
        return None
    return StatsPeriod(Span.RANGE, period.first, period.last)
