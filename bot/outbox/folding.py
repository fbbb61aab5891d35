"""Folding at queue time: a newer edit or reaction takes the place of one still waiting.

Only the newest content of a message is worth a call to Telegram; folding keeps one pending
row per edited message (and per reacted message) instead of a call for each version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import case, or_
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select, update

from bot.db.models import OutboxMessage, OutboxPriority, OutboxStatus

# Edits can be merged: a second edit of the same message replaces a pending first one.
EDIT_METHODS = frozenset({"edit_message_text", "edit_caption", "edit_photo"})


def _key_prefix(key: str, value: object) -> str:
    """The start of a payload whose first key is `key`: matched in SQL, no decoding."""
    return json.dumps({key: value})[:-1] + ","


def replace_reaction(connection: Connection, chat_id: int, row: dict[str, Any]) -> int | None:
    """Put a reaction in place of one still waiting on the same message; its row id.

    The bot has one reaction on a message: a newer one replaces it, so only the newest
    queued is worth a call. One statement in the queuing transaction, as the ✍ is queued
    for every filed message.
    """
    message_id = json.loads(row["payload"])["message_id"]
    # "message_id" comes first in a reaction's JSON: a prefix match, no decoding.
    prefix = _key_prefix("message_id", message_id)
    replaced = connection.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.priority) == OutboxPriority.HOUSEKEEPING,
            col(OutboxMessage.method) == "set_reaction",
            col(OutboxMessage.payload).startswith(prefix, autoescape=True),
        )
        .values(payload=row["payload"], created_at=row["created_at"], expires_at=row["expires_at"])
        .returning(col(OutboxMessage.id))
    )
    return replaced.scalars().first()


def waiting_reactions(
    connection: Connection, chat_id: int, message_ids: Collection[int]
) -> dict[int, int]:
    """The reactions still waiting on these messages of a chat: row id by message id.

    One statement for a whole batch of ✍ marks, matching each message's payload prefix.
    """
    if not message_ids:
        return {}
    found = connection.execute(
        select(col(OutboxMessage.id), col(OutboxMessage.payload)).where(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.priority) == OutboxPriority.HOUSEKEEPING,
            col(OutboxMessage.method) == "set_reaction",
            or_(
                *(
                    col(OutboxMessage.payload).startswith(
                        _key_prefix("message_id", message_id), autoescape=True
                    )
                    for message_id in message_ids
                )
            ),
        )
    )
    return {json.loads(payload)["message_id"]: row_id for row_id, payload in found if row_id}


def merge_edit(
    session: Session,
    method: str,
    chat_id: int,
    payload: dict[str, Any],
    media: bytes | None,
    priority: OutboxPriority,
    now: dt.datetime,
) -> int | None:
    """Fold an edit into a pending edit of the same message: only the newest counts.

    Returns the pending row's id once folded (not committed), None if none waits.
    """
    key = "ref" if "ref" in payload else "message_id"
    # The key comes first in every edit's JSON; matching its prefix in SQL spares decoding
    # every pending row (thousands of them while the bot is down or flood-controlled).
    prefix = _key_prefix(key, payload[key])
    # Its place in the queue stays, moved up if this one is more urgent; the content is as new
    # as this edit. One statement: in a storm every desk's digest is folded each second. And
    # atomic: if the sender (a thread, another process) is marking the row sent right now,
    # PostgreSQL waits for its commit, finds the row no longer pending and folds nothing, so
    # the edit is queued as a row of its own instead of landing on a row already sent.
    values: dict[str, Any] = {
        "payload": json.dumps(payload, ensure_ascii=False),
        "created_at": now,
        "priority": case(
            (col(OutboxMessage.priority) > priority, priority),
            else_=col(OutboxMessage.priority),
        ),
    }
    if media is not None:
        values["media"] = media
    folded = session.connection().execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.method) == method,
            col(OutboxMessage.payload).startswith(prefix, autoescape=True),
        )
        .values(**values)
        .returning(col(OutboxMessage.id))
    )
    return folded.scalars().first()
