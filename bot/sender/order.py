"""Which of a chat's due rows goes next, and which a newer edit makes pointless."""

from __future__ import annotations

import json

from bot.db.models import OutboxMessage
from bot.outbox import FIRST
from bot.sender.pacing import EDITS, Budget, budget_of

# Within a priority: rows marked to go first (the storm digest, which names every camera a
# card would), then new messages before edits before reactions ("a new alert matters more
# than a counter going up"), then the order they were queued. A digest's edit waiting behind
# the cards of its own storm would show the group eight cameras where it could show two hundred.
_KIND_ORDER = {Budget.MESSAGES: 0, Budget.EDITS: 1, Budget.REACTIONS: 2}


def superseded_edits(rows: list[OutboxMessage]) -> set[int | None]:
    """Ids of edits that a later queued edit of the same message makes pointless."""
    latest: dict[tuple[str, object], int | None] = {}
    for row in rows:
        if row.method in EDITS:
            payload = json.loads(row.payload)
            target = payload.get("ref") or payload.get("message_id")
            latest[(row.method, target)] = row.id
    keep = set(latest.values())
    return {row.id for row in rows if row.method in EDITS and row.id not in keep}


def send_order(row: OutboxMessage) -> tuple[int, bool, int, int]:
    """Most urgent first; within a priority, rows marked first, then new messages, then age."""
    return (
        row.priority,
        f'"{FIRST}": true' not in row.payload,
        _KIND_ORDER[budget_of(row.method)],
        row.id or 0,
    )


def edit_ref(row: OutboxMessage) -> int | None:
    """The outbox row an edit is for, when it edits a message queued by the bot."""
    if not row.method.startswith("edit_"):
        return None
    ref = json.loads(row.payload).get("ref")
    return ref if isinstance(ref, int) else None
