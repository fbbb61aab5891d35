"""Every update counted by its kind, before any feature sees it, and every unhandled error."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import TypeHandler

from bot.handlers.common import App, Context, desk_of
from bot.ops.metrics import DeskMetrics

# Before the access gate (-100) and the rest: refused updates are handled too, and counted.
COUNT_GROUP = -1000


def update_kind(update: Update) -> str:
    """The update's kind as the Bot API names it (message, callback_query, ...)."""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return kind
    # An update the library could not read, reduced to its id (bot/polling.py).
    return "unreadable"


def register(app: App, metrics_of: Callable[[str], DeskMetrics]) -> None:
    """Count each update as it arrives, and each error as it is reported, under its desk."""

    async def count(update: Update, context: Context) -> None:
        metrics_of(desk_of(context).key).update(update_kind(update))

    async def count_error(update: object, context: Context) -> None:
        metrics_of(desk_of(context).key).error("update" if isinstance(update, Update) else "job")

    app.add_handler(TypeHandler(Update, count), group=COUNT_GROUP)
    # Registered before the error handler that logs and apologises (bot/handlers/failures.py),
    # which stops the error there.
    app.add_error_handler(count_error)
