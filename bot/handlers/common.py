"""What every handler needs: the desk, the person's language, replies through the outbox."""

from __future__ import annotations

from typing import Any, cast

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.desk import Desk
from bot.i18n import Translator
from bot.outbox import Keyboard
from bot.shifts import Right

Context = ContextTypes.DEFAULT_TYPE
App = Application[Any, Any, Any, Any, Any, Any]


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
    )


def has_right(update: Update, context: Context, right: Right) -> bool:
    """Check a right from the current shift's roster, on the server, at this moment."""
    user = update.effective_user
    if user is None:
        return False
    desk = desk_of(context)
    return right in desk.roster.rights(user.id, desk.clock.now())
