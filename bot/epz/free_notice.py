"""A whole outage notice typed as one message: what it gives, so only the rest is asked."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.config import Enterprise
from bot.epz.notice_text import (
    PLANNED_KINDS,
    fold,
    moment_of,
    parse_date,
    parse_dates,
    parse_time,
    read_kind,
)
from bot.epz.since import SINCE_PHRASE, read_since

_PHONE = re.compile(r"(?:\+?84|0)\d{2,3}[ .]?\d{3}[ .]?\d{3,4}")
# Words that come with a person's name without being part of it.
_HONORIFICS = frozenset({"anh", "chị", "chi", "ông", "bà", "em", "cô", "chú", "đ/c", "mr", "ms"})
# A name is a few words; more than this before the phone is a sentence, not a name.
_NAME_WORDS = 5
_CLAUSE_BREAK = re.compile(r"[,.;:\n()\-–]")


def prefill(text: str, enterprise: Enterprise, now: dt.datetime, tz: ZoneInfo) -> dict[str, object]:
    """Read as much of a notice as a free-text message gives (dates from today on only)."""
    today = now.astimezone(tz).date()
    data: dict[str, object] = {"description": text.strip()}
    kind = read_kind(text)
    if kind is not None:
        data["kind"] = kind.value
    numbers = [
        c.number
        for c in enterprise.cameras
        if re.search(rf"\b{re.escape(c.number.lower())}\b", text.lower())
    ]
    if numbers:
        data["cameras"], data["cameras_done"] = numbers, True
    rest = fold(text)
    if kind in PLANNED_KINDS:
        # "từ 8h ngày 28/11 đến 30/11": the first date (and hour) starts it, a last one ends it.
        dates = [day for day in parse_dates(text, today) if day >= today]
        start = moment_of(dates[0] if dates else None, parse_time(text), now, tz)
        if start is not None and start >= now:
            data["start"] = start.isoformat()
        if len(dates) > 1:
            data["expected"] = dates[-1].isoformat()
    else:
        # "hỏng từ 6h30": the fault's start, and not a date the repair is expected by.
        if (phrase := SINCE_PHRASE.search(rest)) is not None:
            since = read_since(phrase.group("when"), now, tz)
            if since.at is not None and since.problem is None:
                data["start"] = since.at.isoformat()
            rest = rest[: phrase.start()] + " " + rest[phrase.end() :]
        if (expected := parse_date(rest, today)) is not None and expected >= today:
            data["expected"] = expected.isoformat()
    if contact := read_contact(text):
        data["contact"] = contact
    return data


def read_contact(text: str) -> str:
    """The technical contact in a message: the phone with the name written next to it.

    "Liên hệ anh Tuấn 0903 123 456" gives "anh Tuấn 0903 123 456"; a phone alone gives itself.
    """
    phone = _PHONE.search(text)
    if phone is None:
        return ""
    pieces = _CLAUSE_BREAK.split(text[: phone.start()])
    # "Nguyễn Văn Tuấn, 0903…": the name may sit just before a comma or a dash.
    if len(pieces) > 1 and not pieces[-1].strip():
        pieces.pop()
    before = pieces[-1].split()
    name: list[str] = []
    for word in reversed(before):
        if len(name) == _NAME_WORDS or not _name_like(word):
            break
        name.insert(0, word)
    if not _has_name(name):
        after = _CLAUSE_BREAK.split(text[phone.end() :].lstrip(" -–:("))[0].split()
        name = []
        for word in after[:_NAME_WORDS]:
            if not _name_like(word):
                break
            name.append(word)
    written = phone.group(0)
    return f"{' '.join(name)} {written}" if _has_name(name) else written


def _name_like(word: str) -> bool:
    """A capitalised word (Tuấn, Nguyễn) or an honorific (anh, chị, Đ/c)."""
    if word.lower() in _HONORIFICS:
        return True
    letters = word.replace("-", "")
    return (
        letters.isalpha() and letters[0].isupper() and (len(letters) == 1 or letters[1:].islower())
    )


def _has_name(words: list[str]) -> bool:
    """True when the words hold a name, not only an honorific."""
    return any(word.lower() not in _HONORIFICS for word in words)
