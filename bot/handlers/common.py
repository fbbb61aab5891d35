"""What every handler needs: the desk, the person's language, replies through the outbox."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from html import escape
from typing import Any, cast

from telegram import CallbackQuery, Update, User
from telegram.ext import Application, ContextTypes

from bot.db.models import OutboxPriority
from bot.desk import Desk
from bot.i18n import Translator
from bot.outbox import Keyboard
from bot.shifts import Right

Context = ContextTypes.DEFAULT_TYPE
App = Application[Any, Any, Any, Any, Any, Any]
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def desk_of(context: Context) -> Desk:
    """Return the desk the application was built with."""
    return cast(Desk, context.bot_data["desk"])


def tr_for(update: Update, context: Context) -> Translator:
    """Return the translator for whoever sent the update."""
    user = update.effective_user
    desk = desk_of(context)
    if user is None:
        return desk.desk_translator()
    return desk.translator_for(user.id, user.language_code)


def reply(update: Update, context: Context, text: str, buttons: Keyboard | None = None) -> None:
    """Answer in the chat the update came from, threaded to the person's message."""
    chat = update.effective_chat
    if chat is None:
        return
    message = update.effective_message
    desk_of(context).outbox.send(
        chat.id,
        text,
        buttons=buttons,
        thread_id=message.message_thread_id if message and message.is_topic_message else None,
        reply_to=message.message_id if message and chat.type != chat.PRIVATE else None,
        priority=OutboxPriority.REPLY,
    )


def pressed(update: Update) -> tuple[CallbackQuery, User, str, int]:
    """A pressed button "xx:<action>:<id>": the query, who pressed, the action and the id."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    _, action, raw_id = query.data.split(":")
    return query, user, action, int(raw_id)


def has_right(update: Update, context: Context, right: Right) -> bool:
    """Check a right from the current shift's roster, on the server, at this moment."""
    user = update.effective_user
    if user is None:
        return False
    desk = desk_of(context)
    return right in desk.roster.rights(user.id, desk.clock.now())


def requires(right: Right, refusal: str) -> Callable[[Handler], Handler]:
    """Guard a handler: without the right (from the current shift), refuse and audit.

    `refusal` is a message id marked with N_; it is translated for the person refused.
    """

    def guard(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> None:
            if has_right(update, context, right):
                await handler(update, context)
                return
            desk = desk_of(context)
            user, chat = update.effective_user, update.effective_chat
            desk.audit.record(
                "denied",
                user_id=user.id if user else None,
                chat_id=chat.id if chat else None,
                detail=f"{handler.__name__} needs {right.value}",
            )
            text = tr_for(update, context)(refusal)
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            else:
                reply(update, context, escape(text))

        return guarded

    return guard
