"""Updates from Telegram whose text every database can store.

Telegram's JSON may carry, in any string a person writes (a message, a caption, a name), NUL
or half of a surrogate pair (a broken emoji). PostgreSQL cannot store NUL in text, and neither
database can store an unpaired surrogate (both keep UTF-8): the message would be lost with an
error before anything is recorded. Both become U+FFFD "�" as the update is read, so what the
desk records, seals and prints is what was typed, with the unstorable characters marked where
they stood (the exports print other control characters the same way, see
bot/documents/printable.py).
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# JSON carries both only as escapes: an answer without one needs no walk.
_ESCAPES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def may_hold_unstorable(payload: bytes) -> bool:
    """Whether a JSON answer may hold NUL or a surrogate (both only ever arrive escaped)."""
    return _ESCAPES.search(payload) is not None


def storable(value: Any) -> Any:
    """The parsed JSON with NUL and unpaired surrogates in its strings made U+FFFD."""
    if isinstance(value, str):
        # json.loads joins a surrogate pair into one character: any surrogate left is unpaired.
        return _UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value
