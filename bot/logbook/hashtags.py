"""Hashtags that file message text under the Annex I columns of the duty logbook."""

from __future__ import annotations

import re
import unicodedata

from bot.db.models import LogColumn

# Vietnamese names first (typed with or without diacritics), then English.
HASHTAGS: dict[LogColumn, tuple[str, ...]] = {
    LogColumn.WORK: ("congviec", "noidung", "work"),
    LogColumn.INCIDENT: ("vuviec", "suco", "incident"),
    LogColumn.DIRECTION: ("chidao", "direction"),
    LogColumn.RESULT: ("ketqua", "result"),
    LogColumn.NOTE: ("ghichu", "note"),
}
_BY_TAG = {tag: column for column, tags in HASHTAGS.items() for tag in tags}
_HASHTAG = re.compile(r"#(\w+)")
_LEADING_COMMAND = re.compile(r"^/\w+(@\w+)?\s*")


def fold(word: str) -> str:
    """Lower-case a word and drop Vietnamese diacritics, so #VụViệc reads as vuviec."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def column_of(tag: str) -> LogColumn | None:
    """Return the column a hashtag (without '#') files text under."""
    return _BY_TAG.get(fold(tag))


def split_columns(text: str) -> dict[LogColumn, str]:
    """Split text into Annex I columns by its hashtags; empty when no known hashtag is present.

    One kind of tag files the whole text under its column, wherever the tag stands. With
    several kinds, each tag's column takes the text that follows it, and text before the first
    tag goes with the first tag.
    """
    found = [(m, column_of(m.group(1))) for m in _HASHTAG.finditer(text)]
    tags = [(m, column) for m, column in found if column is not None]
    if not tags:
        return {}
    kinds = {column for _, column in tags}
    if len(kinds) == 1:
        return {tags[0][1]: _clean(_strip_tags(text, [m for m, _ in tags]))}
    parts: dict[LogColumn, list[str]] = {}
    leading = text[: tags[0][0].start()]
    for index, (match, column) in enumerate(tags):
        end = tags[index + 1][0].start() if index + 1 < len(tags) else len(text)
        piece = text[match.end() : end]
        if index == 0:
            piece = f"{leading} {piece}"
        parts.setdefault(column, []).append(_clean(piece))
    return {column: "\n".join(p for p in pieces if p) for column, pieces in parts.items()}


def _strip_tags(text: str, matches: list[re.Match[str]]) -> str:
    for match in reversed(matches):
        text = text[: match.start()] + text[match.end() :]
    return text


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line).strip(" :-–")


def is_command(text: str) -> bool:
    """True if the text is a bot command (such messages file themselves)."""
    return _LEADING_COMMAND.match(text) is not None


def strip_command(text: str) -> str:
    """Drop a leading bot command, e.g. '/log@duty_bot text' gives 'text'."""
    return _LEADING_COMMAND.sub("", text, count=1)


def may_file(text: str) -> bool:
    """Cheap first look: could this text carry a logbook hashtag at all?"""
    return "#" in text
