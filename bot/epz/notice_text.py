"""Reading what a contact types on a phone: the kind of outage, dates, times of day."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from bot.db.models import OutageKind

# Announced ahead of time (247 I.2.3), so they have a start; faults start when notified.
PLANNED_KINDS = frozenset({OutageKind.MAINTENANCE, OutageKind.POWER_CUT})
_KEYWORDS = {
    OutageKind.TRANSMISSION: ("kenh truyen", "duong truyen", "internet", "mang", "leased line"),
    OutageKind.POWER_CUT: ("mat dien", "cat dien", "power cut"),
    OutageKind.MAINTENANCE: ("bao tri", "bao duong", "maintenance"),
    OutageKind.CAMERA: ("camera", "dau ghi", "nvr", "thiet bi"),
}
_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b")
_IN_DAYS = re.compile(r"\b(\d{1,2})\s*ngay\b")
# 14:05, 8h, 8h30, 8 giờ (folded: 8 gio); a date's separators are / . - so they never clash.
_TIME = re.compile(r"\b(\d{1,2})\s*(?::|h|gio\b)\s*(\d{2})?(?!\d)")
NOW_WORDS = ("bay gio", "ngay lap tuc", "hien tai", "now")


def fold(text: str) -> str:
    """Lower case without diacritics, so "Đường truyền" and "duong truyen" read the same."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def read_kind(text: str) -> OutageKind | None:
    """The kind of outage a text names, if it names one."""
    folded = fold(text)
    return next((k for k, words in _KEYWORDS.items() if any(w in folded for w in words)), None)


def _date(match: re.Match[str], today: dt.date) -> dt.date | None:
    year = int(match.group(3)) if match.group(3) else today.year
    year += 2000 if year < 100 else 0
    try:
        return dt.date(year, int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """Read 30/11, 30/11/2026 or '3 ngày' (from today)."""
    if (days := _IN_DAYS.search(fold(text))) is not None:
        return today + dt.timedelta(days=int(days.group(1)))
    match = _DATE.search(text)
    return _date(match, today) if match else None


def parse_dates(text: str, today: dt.date) -> list[dt.date]:
    """Every date written as 30/11 or 30/11/2026, in order."""
    return [day for match in _DATE.finditer(text) if (day := _date(match, today)) is not None]


def parse_time(text: str) -> dt.time | None:
    """Read the first time of day: 14:05, 8h, 8h30 or 8 giờ."""
    for match in _TIME.finditer(fold(text)):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    return None


def parse_moment(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime | None:
    """Read when something starts: 'now', '28/11 08:00', '8h' (today) or '28/11' (its start)."""
    if any(word in fold(text) for word in NOW_WORDS):
        return now
    today = now.astimezone(tz).date()
    dates, at = parse_dates(text, today), parse_time(text)
    return moment_of(dates[0] if dates else None, at, now, tz)


def moment_of(
    day: dt.date | None, at: dt.time | None, now: dt.datetime, tz: ZoneInfo
) -> dt.datetime | None:
    today = now.astimezone(tz).date()
    if day is None and at is None:
        return None
    if at is None:
        # A day without an hour: from its start, or from now if that is today.
        return now if day == today else dt.datetime.combine(day or today, dt.time(0), tzinfo=tz)
    return dt.datetime.combine(day or today, at, tzinfo=tz)
