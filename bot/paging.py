"""Long lists split into messages that stay under Telegram's 4096-character limit."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape

from bot.i18n import Translator
from bot.outbox.keyboards import Button, Keyboard, keyboard

# Telegram counts the text after HTML parsing, in UTF-16 units: 3500 characters of HTML leave
# room for Vietnamese letters outside the BMP's single units and for the title.
PAGE_CHARS = 3500


def units(text: str) -> int:
    """The length Telegram measures: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def paged(
    icon: str, title: str, lines: list[str], limit: int = PAGE_CHARS, suffix: str = ""
) -> list[str]:
    """HTML lines under a bold title, in as few messages as fit, numbered (1/2) when several.

    `suffix` (HTML) follows the title on every page, e.g. the time it was drawn.
    """
    chunks: list[list[str]] = [[]]
    for line in lines:
        if chunks[-1] and sum(units(item) + 1 for item in chunks[-1]) + units(line) > limit:
            chunks.append([])
        chunks[-1].append(line)
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        heading = title + (f" ({number}/{len(chunks)})" if len(chunks) > 1 else "")
        pages.append("\n".join([f"{icon} <b>{escape(heading)}</b>{suffix}", *chunk]))
    return pages


# A phone shows about 1,500 characters of a message on one screen (issue 16): a message a reader
# turns page by page stays under this many UTF-16 units of HTML, so its visible text, which
# Telegram measures after taking the tags out, stays under 1,500 with room for the page's title.
SCREEN_UNITS = 1400
_TAG = re.compile(r"<[^>]+>")


def _pieces(text: str, limit: int) -> list[str]:
    """Plain text cut at spaces or line ends into pieces of at most `limit` units."""
    out: list[str] = []
    while units(text) > limit:
        cut = limit
        while units(text[:cut]) > limit:
            cut -= 1
        space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
        if space > cut // 2:
            cut = space
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*out, text] if text else out


def fit_lines(lines: list[str], limit: int) -> list[str]:
    """HTML lines, a line longer than `limit` cut into plain pieces that each fit (tags dropped)."""
    out: list[str] = []
    for line in lines:
        if units(line) <= limit:
            out.append(line)
            continue
        # Cutting inside a tag or an entity would break the HTML: cut the plain text instead.
        out += [escape(piece) for piece in _pieces(unescape(_TAG.sub("", line)), limit // 2)]
    return out


def screens(lines: list[str], limit: int = SCREEN_UNITS) -> list[list[str]]:
    """HTML lines in as few screens as fit under `limit` units each (always one at least)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in fit_lines(lines, limit):
        if chunks[-1] and size + units(line) + 1 > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += units(line) + 1
    # A blank line at a page's top or bottom only wastes the screen.
    return [_trimmed(chunk) for chunk in chunks]


def _trimmed(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while end - start > 1 and not lines[start]:
        start += 1
    while end - start > 1 and not lines[end - 1]:
        end -= 1
    return lines[start:end]


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
