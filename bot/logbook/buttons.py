"""The page turn under a logbook page: "lb:<shift date>:<page>", e.g. "lb:2026-11-25:1".

Built here for the page's buttons (`bot/logbook/view.py`) and read back here by the handler
(`bot/handlers/logbook.py`): only a real shift date and a page number a logbook can have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.button_data import joined, parts, read_day, read_number

PREFIX = "lb"
# More pages than any shift's logbook has; a bigger number is not a button the bot made.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class PageTurn:
    """A press of a page button: the shift's date and the page (from 0) to show."""

    day: dt.date
    page: int


def page_button(day: dt.date, page: int) -> str:
    """The data of the button that turns to a page of a shift's logbook."""
    if not 0 <= page <= MAX_PAGE:
        raise ValueError(f"logbook page {page} out of range")
    return joined(PREFIX, day.isoformat(), page)


def read_page_turn(data: str) -> PageTurn | None:
    """The page a button's data turns to, or None when no logbook page could carry it."""
    pieces = parts(data, PREFIX, 2)
    if pieces is None:
        return None
    day, page = read_day(pieces[0]), read_number(pieces[1], 0, MAX_PAGE)
    return None if day is None or page is None else PageTurn(day, page)
