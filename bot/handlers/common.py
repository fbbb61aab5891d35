"""What every handler needs: the desk, the person's language, replies through the outbox."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from html import escape
from typing import Any, cast

from telegram import Update, User
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ContextTypes

from bot.db.models import OutboxPriority
from bot.desk import Desk
from bot.desks import Desks
from bot.i18n import N_, Translator
from bot.outbox import Keyboard
from bot.shifts import Right

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
App = Application[Any, Any, Any, Any, Any, Any]
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

# All a stranger ever hears from the bot.
REFUSAL = N_(
    "Sorry, this bot serves only the customs duty desk it was set up for. "
    "If you should have access, ask the desk's administrator to add you."
)
# What a person hears when handling what they sent failed: no internals, only that it is known.
APOLOGY = N_(
    "Sorry, something went wrong while handling this. It has been logged for the "
    "administrator; please try again in a moment."
)


DESKS_KEY = "desks"


class DeskContext(CallbackContext[Any, Any, Any, Any]):
    """A handler's context, knowing the desk its update is for (routed once per update)."""

    desk: Desk | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> DeskContext:
        context = super().from_update(update, application)
        desks = application.bot_data.get(DESKS_KEY)
        if isinstance(update, Update) and isinstance(desks, Desks):
            context.desk = desks.for_update(update)
        return context


def desk_of(context: Context) -> Desk:
    """Return the desk the update is for (the first desk outside an update, as in a job)."""
    routed = getattr(context, "desk", None)
    return routed if isinstance(routed, Desk) else cast(Desk, context.bot_data["desk"])


def desks_of(context: Context) -> Desks:
    """Every desk of the deployment."""
    return cast(Desks, context.bot_data[DESKS_KEY])


def telegram_name(user: User) -> str:
    """A person the desk has no name for, as Telegram shows them: display name and handle."""
    return f"{user.full_name} (@{user.username})" if user.username else user.full_name


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


async def answer_quietly(update: Update, text: str | None = None, alert: bool = False) -> bool:
    """Answer the press, if there is one; False if Telegram no longer takes an answer."""
    query = update.callback_query
    if query is None:
        return False
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        # Already answered, or older than Telegram keeps presses: nothing is spinning any more.
        log.debug("Could not answer callback query %s: %s", query.id, exc)
        return False
    return True


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
                await answer_quietly(update, text, alert=True)
            else:
                reply(update, context, escape(text))

        return guarded

    return guard
