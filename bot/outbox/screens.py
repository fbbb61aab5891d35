"""A paged message on a phone: one screen of it at a time, turned in place by its buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.i18n import Translator
from bot.outbox.keyboards import Button, Keyboard, keyboard
from bot.paging import SCREEN_UNITS, screens, units


def turn_row(
    tr: Translator, data_of: Callable[[int], str], page: int, pages: int, *, more: bool = False
) -> list[Button]:
    """The buttons that turn a paged message: previous and next (or "See more" from page one)."""
    row: list[Button] = []
    if page > 0:
        row.append(Button("‹ " + tr("Previous page"), data_of(page - 1)))
    if page + 1 < pages:
        label = tr("See more") if more and page == 0 else tr("Next page")
        row.append(Button(label + " ›", data_of(page + 1)))
    return row


def numbered(title_line: str, page: int, pages: int) -> str:
    """A page's first line with "(2/3)" after it when there are several pages."""
    return title_line + (f" ({page + 1}/{pages})" if pages > 1 else "")


@dataclass(frozen=True)
class Screen:
    """One screen of a paged message: its HTML and its buttons."""

    text: str
    buttons: Keyboard


def paged_screen(
    tr: Translator,
    lines: list[str],
    page: int,
    data_of: Callable[[int], str],
    *,
    more: bool = False,
    below: list[list[Button]] | None = None,
    limit: int = SCREEN_UNITS,
) -> Screen:
    """One screen of HTML lines, the first (the title) on every page and numbered, the turn
    buttons under it and then the rows `below`; a page past the last shows the last."""
    title, *rest = lines
    # Room for " (12/12)" after the title.
    pages = screens(rest, limit - units(title) - 10)
    page = min(max(page, 0), len(pages) - 1)
    text = "\n".join([numbered(title, page, len(pages)), *pages[page]])
    row = turn_row(tr, data_of, page, len(pages), more=more)
    return Screen(text, keyboard([row, *(below or [])]))
