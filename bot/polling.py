"""The getUpdates connection: an update the library cannot read is skipped, not fetched forever.

python-telegram-bot parses a whole batch of updates at once; one it cannot read (a shape of a
newer Bot API, a field of the wrong type) fails the batch, the offset never moves past it, and
the same batch comes back on every poll with two tracebacks each time. Here each update of a
batch is tried on its own first: one that fails is replaced by its bare id, so the Updater
confirms it with the next offset, and a single WARNING names it. Strings no database can
store are made storable first (bot/storable_updates.py).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram._utils.types import JSONDict
from telegram.request import HTTPXRequest

from bot.storable_updates import may_hold_unstorable, storable

log = logging.getLogger(__name__)

# Longest piece of the library's complaint kept in the log: its reason, not the update's text.
REASON_CHARS = 120


def readable(raw: Any) -> JSONDict | None:
    """The update as the library can read it: itself, its bare id, or None without an id."""
    try:
        Update.de_json(raw, None)
    except Exception as exc:  # any failure of the library's parser is what we skip
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        kinds = [key for key in raw if key != "update_id"] if isinstance(raw, dict) else []
        log.warning(
            "Skipped update %s (%s): the library cannot read it: %s: %s",
            update_id,
            ", ".join(kinds) or "no content",
            type(exc).__name__,
            str(exc)[:REASON_CHARS],
        )
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        # The bare id still moves the offset past it; the access gate lets nothing of it through.
        return {"update_id": update_id}
    return raw if isinstance(raw, dict) else None


class UpdatesRequest(HTTPXRequest):
    """The connection getUpdates uses (one at a time), reading each update on its own."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Parse Telegram's answer and make every update in it readable."""
        data = HTTPXRequest.parse_json_payload(payload)
        if may_hold_unstorable(payload):
            data = storable(data)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            data["result"] = [u for u in map(readable, result) if u is not None]
        return data
