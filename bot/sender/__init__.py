"""The one sender: drains the outbox to Telegram, chat by chat, surviving flood control.

`workers.py` runs one worker per chat and decides what becomes of a refused row, `order.py`
chooses which due row goes next, `pacing.py` keeps each chat within Telegram's limits, and
`calls.py` makes the Bot API call a row stands for. With the handlers, `app.py` and the alarm,
this is the only code that imports Telegram.
"""

from __future__ import annotations

from bot.sender.pacing import Budget, budget_of
from bot.sender.workers import IN_FLIGHT, OutboxSender

__all__ = ["IN_FLIGHT", "Budget", "OutboxSender", "budget_of"]
