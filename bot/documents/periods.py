"""Reading which shifts a logbook export covers: today, yesterday, a date, a from..to range."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.values import sane_day

# A year of shifts; longer is a database dump, not a logbook anyone prints.
MAX_SHIFTS = 366
_RANGE = re.compile(r"^(\S+?)\s*(?:\.\.|–|—)\s*(\S+)$")


@dataclass(frozen=True)
class Period:
    """The shifts from `first` to `last`, both included."""

    first: dt.date
    last: dt.date


def parse_day(text: str, current: dt.date) -> dt.date | None:
    """'today', 'yesterday' (or hôm nay / hôm qua), 2026-11-25 or 25/11/2026."""
    word = text.strip().lower()
    if word in ("today", "homnay", "hôm nay", "hômnay"):
        return current
    if word in ("yesterday", "homqua", "hôm qua", "hômqua"):
        return current - dt.timedelta(days=1)
    if not word.isascii():
        # strptime takes other scripts' digits; nobody at the desk writes them.
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            # 9999-12-31 is a date, but not one a shift's window can be reckoned from.
            return sane_day(dt.datetime.strptime(word, pattern).date())
        except ValueError:
            continue
    return None


def parse_period(text: str, current: dt.date) -> Period | None:
    """A day or 'from..to'; None when unreadable, reversed or longer than a year."""
    text = text.strip()
    if not text:
        return Period(current, current)
    match = _RANGE.match(text)
    if match is None:
        day = parse_day(text, current)
        return Period(day, day) if day else None
    first, last = parse_day(match.group(1), current), parse_day(match.group(2), current)
    return checked(first, last)


def checked(first: dt.date | None, last: dt.date | None) -> Period | None:
    """A period from two dates, if they make one."""
    if first is None or last is None or last < first:
        return None
    if (last - first).days >= MAX_SHIFTS:
        return None
    return Period(first, last)
