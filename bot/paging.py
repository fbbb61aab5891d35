"""Long lists split into messages under Telegram's 4096-character limit, or into phone screens."""

from __future__ import annotations

import re
from html import escape, unescape

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
            page = chunks[-1]
            # A section's heading (the line after a blank one) goes over with its first row.
            heading = len(page) > 2 and not page[-2]
            fits = units(page[-1]) + units(line) + 2 <= limit
            carried = [page.pop()] if heading and fits else []
            chunks.append(carried)
            size = sum(units(item) + 1 for item in carried)
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
