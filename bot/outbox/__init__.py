"""The outbox: every message for Telegram is written here first, then sent by the sender.

`queue.py` is what services call (in their own transaction), `folding.py` keeps one pending
version of an edited message, `deliveries.py` is what the one sender (bot/sender/) reads and
records, `keyboards.py` the buttons a message carries.
"""

from __future__ import annotations

from bot.outbox.deliveries import STALE, Deliveries
from bot.outbox.folding import EDIT_METHODS
from bot.outbox.keyboards import Button, Keyboard, keyboard
from bot.outbox.queue import DEFAULT_REACTION_FRESH, FIRST, Outbox

__all__ = [
    "DEFAULT_REACTION_FRESH",
    "EDIT_METHODS",
    "FIRST",
    "STALE",
    "Button",
    "Deliveries",
    "Keyboard",
    "Outbox",
    "keyboard",
]
