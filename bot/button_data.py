"""The data inline buttons carry: one codec per feature, shared by who builds and who reads.

A feature declares its codec once in its domain package (e.g. `bot/camera/buttons.py`); the
domain builds its buttons with `codec.data(...)` and the handler reads presses with
`@button(codec.read)`. Reading validates on the way in (prefix, action, ids within what the
database holds, real dates), so a forged or truncated press never reaches a service as a value.
Telegram caps callback data at 64 bytes; building longer data is a bug, caught where it is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.values import iso_day, row_id, whole_number

MAX_BYTES = 64
K = TypeVar("K")
SEPARATOR = ":"


def joined(*parts: object) -> str:
    """Callback data from its parts, checked against Telegram's limit and the separator."""
    texts = [str(part) for part in parts]
    if any(SEPARATOR in text or not text for text in texts):
        raise ValueError(f"a button's part is empty or holds {SEPARATOR!r}: {texts!r}")
    data = SEPARATOR.join(texts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button data over {MAX_BYTES} bytes: {data!r}")
    return data


def parts(data: str, prefix: str, count: int) -> list[str] | None:
    """The `count` parts after `prefix:` in a press's data, or None when it is not that shape."""
    pieces = data.split(SEPARATOR)
    if len(pieces) != count + 1 or pieces[0] != prefix:
        return None
    return pieces[1:]


def read_id(text: str) -> int | None:
    """A row id carried by a button."""
    return row_id(text)


def read_day(text: str) -> dt.date | None:
    """A real date carried by a button as 2026-11-25."""
    return iso_day(text)


def read_number(text: str, lowest: int, highest: int) -> int | None:
    """A bounded whole number carried by a button."""
    return whole_number(text, lowest, highest)


@dataclass(frozen=True)
class ActionPress:
    """A press of a button "<prefix>:<action>:<row id>", e.g. "ep:ok:7"."""

    prefix: str
    action: str
    id: int


class ActionCodec:
    """A feature's "<prefix>:<action>:<row id>" buttons: one or more prefixes, a set of actions."""

    def __init__(self, prefixes: str | Collection[str], actions: Collection[str]) -> None:
        self.prefixes = frozenset({prefixes} if isinstance(prefixes, str) else prefixes)
        self.actions = frozenset(actions)

    def data(self, action: str, row: int, prefix: str | None = None) -> str:
        """The data of one button; the prefix may be left out when the codec has only one."""
        if prefix is None:
            (prefix,) = self.prefixes
        if prefix not in self.prefixes or action not in self.actions:
            raise ValueError(f"{prefix}:{action} is not one of this codec's buttons")
        return joined(prefix, action, row)

    def read(self, data: str) -> ActionPress | None:
        """The press a button's data stands for, or None when it is not one of ours."""
        pieces = data.split(SEPARATOR)
        if len(pieces) != 3 or pieces[0] not in self.prefixes or pieces[1] not in self.actions:
            return None
        number = read_id(pieces[2])
        return None if number is None else ActionPress(pieces[0], pieces[1], number)


# More pages than any message the bot pages has; a bigger number is not a button the bot made.
MAX_PAGE = 100_000
# Telegram's user ids stay below 2**52 (they fit a double).
MAX_USER_ID = 2**52


@dataclass(frozen=True)
class PagePress(Generic[K]):
    """A press of "<prefix>:<key>:<page>": what is paged (an id, a date) and the page, from 0."""

    key: K
    page: int


class PageCodec(Generic[K]):
    """A paged message's turn buttons: "<prefix>:<key>:<page>", e.g. "ih:42:1"."""

    def __init__(self, prefix: str, read_key: Callable[[str], K | None]) -> None:
        self.prefix = prefix
        self._read_key = read_key

    def data(self, key: object, page: int) -> str:
        """The data of the button that shows one page."""
        if not 0 <= page <= MAX_PAGE:
            raise ValueError(f"page {page} out of range")
        return joined(self.prefix, key.isoformat() if isinstance(key, dt.date) else key, page)

    def read(self, data: str) -> PagePress[K] | None:
        """The page a button's data shows, or None when no message of ours could carry it."""
        pieces = parts(data, self.prefix, 2)
        if pieces is None:
            return None
        key, page = self._read_key(pieces[0]), read_number(pieces[1], 0, MAX_PAGE)
        return None if key is None or page is None else PagePress(key, page)


def read_user_id(text: str) -> int | None:
    """A Telegram user id carried by a button."""
    return read_number(text, 1, MAX_USER_ID)
