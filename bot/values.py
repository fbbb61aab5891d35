"""Numbers, row ids and dates read from what people type and what buttons carry.

Only ASCII digits count: `"²".isdigit()` and `"١٢".isdigit()` are true, yet `int("²")` fails and
`int("١٢")` is 12, which is not what a Vietnamese officer typed. Ids are bounded by what the
database can hold, dates by what a duty logbook can mean, so nothing typed or forged reaches a
query or a date sum that overflows.
"""

from __future__ import annotations

import datetime as dt

# PostgreSQL's `integer` row ids stop here (SQLite's stop at 2**63 - 1, further on).
MAX_ROW_ID = 2**31 - 1
# Telegram's user and chat ids have at most 52 significant bits.
MAX_TELEGRAM_ID = 2**52
# A duty logbook's shifts: nothing before the desk's era, nothing a timedelta cannot reach.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


def whole_number(text: str, lowest: int, highest: int) -> int | None:
    """A number of ASCII digits within [lowest, highest], or None."""
    text = text.strip()
    # Twenty digits are more than any bound here; the length check keeps int() cheap.
    if not text or len(text) > 20 or not text.isascii() or not text.isdecimal():
        return None
    value = int(text)
    return value if lowest <= value <= highest else None


def row_id(text: str) -> int | None:
    """A database row id (1 to MAX_ROW_ID) written in ASCII digits, or None."""
    return whole_number(text, 1, MAX_ROW_ID)


def sane_day(day: dt.date | None) -> dt.date | None:
    """The day itself if a duty logbook can hold it, else None."""
    return day if day is not None and EARLIEST_DAY <= day <= LATEST_DAY else None


def iso_day(text: str) -> dt.date | None:
    """A real, sane date written as 2026-11-25 in ASCII digits, or None."""
    if len(text) != 10 or not text.isascii():
        return None
    try:
        return sane_day(dt.date.fromisoformat(text))
    except ValueError:
        return None
