"""The getUpdates queue: ordered updates, offset confirmation and allowed_updates filtering."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]

# Telegram only delivers these when a bot lists them explicitly in allowed_updates.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(slots=True)
class _Queued:
    update: JsonDict
    kind: str
    dropped: bool = False


class UpdateQueue:
    """Updates in id order; confirmed ones leave from the left, so each costs O(1) overall."""

    def __init__(self) -> None:
        self._items: deque[_Queued] = deque()
        self._next_id = 1
        self._pending = 0
        # The highest update id handed to the bot: what it has received, confirmed or not.
        self.handed_out = 0
        # None means Telegram's default: everything except OPT_IN_UPDATES.
        self.allowed: frozenset[str] | None = None

    @property
    def pending(self) -> int:
        """Return how many updates are queued and not yet confirmed (or filtered out)."""
        return self._pending

    @property
    def newest(self) -> int:
        """Return the id of the update queued last."""
        return self._next_id - 1

    def push(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue an update of the given kind and return it."""
        update: JsonDict = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._items.append(_Queued(update, kind))
        self._pending += 1
        return update

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Apply a getUpdates allowed_updates value (None = not sent, keep the last setting)."""
        if allowed is None:
            return
        chosen = frozenset(allowed)
        self.allowed = chosen or None

    def is_allowed(self, kind: str) -> bool:
        """Return whether updates of this kind are currently delivered."""
        if self.allowed is None:
            return kind not in OPT_IN_UPDATES
        return kind in self.allowed

    def confirm(self, offset: int) -> None:
        """Forget updates confirmed by a getUpdates offset, including negative offsets."""
        items = self._items
        if offset < 0:
            while len(items) > -offset:
                self._forget(items.popleft())
            return
        while items and items[0].update["update_id"] < offset:
            self._forget(items.popleft())

    def take(self, limit: int) -> list[JsonDict]:
        """Return up to limit deliverable updates; filtered-out kinds are dropped for good."""
        result: list[JsonDict] = []
        for item in self._items:
            if item.dropped:
                continue
            if not self.is_allowed(item.kind):
                # Like Telegram, an update the bot did not ask for is discarded, not postponed.
                item.dropped = True
                self._pending -= 1
                continue
            result.append(item.update)
            self.handed_out = max(self.handed_out, item.update["update_id"])
            if len(result) >= limit:
                break
        while self._items and self._items[0].dropped:
            self._items.popleft()
        return result

    def clear(self) -> None:
        """Drop every queued update (deleteWebhook with drop_pending_updates)."""
        self._items.clear()
        self._pending = 0

    def _forget(self, item: _Queued) -> None:
        if not item.dropped:
            self._pending -= 1
