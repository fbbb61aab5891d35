"""Long lists split into messages that stay under Telegram's 4096-character limit."""

from __future__ import annotations

from html import escape

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
