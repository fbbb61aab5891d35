"""Since when a fault has lasted, as a contact types it: "6h30", "từ 06:30", "28/11 06:30"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.epz.notice_text import NOW_WORDS, fold, parse_dates, parse_time

# A fault notified more than this long after it began is a slip of the day or month: 247
# I.1.1e asks for prompt notice, and the repair itself has 10 working days.
MAX_FAULT_AGE = dt.timedelta(days=30)
# "6h30" typed at 06:30:20 means now, not a moment still to come.
GRACE = dt.timedelta(minutes=1)

_LEAD = r"(?:bat dau tu|bat dau|tu|since|from)"
_TIME = r"\d{1,2}\s*(?::|h|gio\b)\s*(?:\d{2}(?!\d))?"
_DATE = r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"
_YESTERDAY = r"(?:hom qua|dem qua|toi qua|yesterday|last night)"
_PERIOD = r"(?:sang|trua|chieu|toi|dem|nay|ngay|luc|hom)"
_PART = rf"(?:{_TIME}|{_DATE}|{_YESTERDAY}|{_PERIOD}(?!\w))"
# In a longer message: "từ 6h30", "từ 6h30 ngày 28/11", "từ 22h hôm qua" (folded text).
SINCE_PHRASE = re.compile(
    rf"(?<!\w){_LEAD}\s+(?P<when>(?:{_TIME}|{_DATE})(?:[\s,]*{_PART})*)", re.IGNORECASE
)
_LEADING = re.compile(rf"^\s*{_LEAD}\s+")
_AFTERNOON = re.compile(r"(?<!\w)(?:chieu|toi|pm)(?!\w)")
_NIGHT = re.compile(r"(?<!\w)dem(?!\w)")


class SinceProblem(StrEnum):
    """Why an answer gives no usable start of a fault."""

    UNREADABLE = "unreadable"
    FUTURE = "future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class Since:
    """The moment a fault began (UTC-aware), or why none could be taken."""

    at: dt.datetime | None
    problem: SinceProblem | None = None


def read_since(text: str, now: dt.datetime, tz: ZoneInfo) -> Since:
    """Read when a fault began: 'now', '6h30', '06:30', 'từ 6h30', '28/11 06:30', '22h hôm qua'.

    A bare time later than now is yesterday's ("từ 23h" typed at 02:00); a date without a year
    just after today is last year's when that is recent (30/12 typed in January). A moment still
    to come or over 30 days back is refused.
    """
    folded = _LEADING.sub("", fold(text).strip())
    if any(word in folded for word in NOW_WORDS):
        return Since(now)
    local_now = now.astimezone(tz)
    today = local_now.date()
    dates, at = parse_dates(folded, today), parse_time(folded)
    yesterday = re.search(rf"(?<!\w){_YESTERDAY}(?!\w)", folded) is not None
    if not dates and at is None:
        return Since(None, SinceProblem.UNREADABLE)
    if at is not None:
        at = _with_period(at, folded)
    if dates:
        day = dates[0]
        if day > today and not re.search(r"\d[/.-]\d{1,2}[/.-]\d", folded):
            # "30/12" typed on 2 January is last year's; "28/11" typed on 25/11 is to come.
            earlier = _last_year(day)
            if today - earlier <= MAX_FAULT_AGE:
                day = earlier
    else:
        day = today - dt.timedelta(days=1) if yesterday else today
    moment = dt.datetime.combine(day, at or dt.time(0), tzinfo=tz)
    if not dates and not yesterday and moment > now + GRACE:
        moment -= dt.timedelta(days=1)
    if moment > now + GRACE:
        return Since(moment, SinceProblem.FUTURE)
    if moment < now - MAX_FAULT_AGE:
        return Since(moment, SinceProblem.TOO_OLD)
    return Since(min(moment, now))


def _with_period(at: dt.time, folded: str) -> dt.time:
    """2h chiều is 14:00, 11h đêm is 23:00 (2h đêm stays 02:00)."""
    if at.hour < 12 and _AFTERNOON.search(folded):
        return at.replace(hour=at.hour + 12)
    if 7 <= at.hour < 12 and _NIGHT.search(folded):
        return at.replace(hour=at.hour + 12)
    return at


def _last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29/02 of a leap year
        return day.replace(year=day.year - 1, day=28)
