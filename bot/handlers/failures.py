"""When handling an update fails: log it first, then tell the person, in their language.

The log names the update by its id, kind, person and chat, never by its text; the person hears
only that something failed and was logged (no internal text), and a pressed button stops
spinning. A stranger is told no more than the gate tells them.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers.common import APOLOGY, REFUSAL, Context, answer_quietly, desk_of, reply
from bot.i18n import Translator

log = logging.getLogger(__name__)

KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "message_reaction",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "edited_channel_post",
)


def describe(update: object) -> str:
    """Name an update for the log: id, kind, person, chat; nothing anyone wrote."""
    if not isinstance(update, Update):
        return "no update" if update is None else type(update).__name__
    kind = next((k for k in KINDS if getattr(update, k, None) is not None), "other")
    user, chat = update.effective_user, update.effective_chat
    who = user.id if user else None
    where = chat.id if chat else None
    return f"update {update.update_id} ({kind} from user {who} in chat {where})"


def language_of(update: Update, context: Context) -> Translator:
    """The person's language, or the desk's when their choice cannot be read right now."""
    desk = desk_of(context)
    user = update.effective_user
    try:
        return desk.translator_for(user.id if user else None, user.language_code if user else None)
    except Exception:  # the failure may be the database the choice is kept in
        log.warning("Could not read the language of %s; using the desk's", describe(update))
        return desk.desk_translator()


def may_hear(update: Update, context: Context) -> bool:
    """True if the failure may be told where the update came from: a desk chat, or a known
    person's private chat."""
    desk = desk_of(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.id in desk.desk_chats():
        return update.callback_query is None or (user is not None and desk.is_known(user.id))
    return user is not None and desk.is_known(user.id)


async def tell(update: Update, context: Context, text: str) -> None:
    """Answer a press with `text` in a pop-up, else (or if too late for one) say it in the chat."""
    if update.callback_query is not None and await answer_quietly(update, text, alert=True):
        return
    reply(update, context, escape(text))


async def apologise(update: Update, context: Context, message: str = APOLOGY) -> None:
    """Tell the person their update failed (`message` is an N_ id); a stranger, the refusal."""
    tr = language_of(update, context)
    try:
        allowed = may_hear(update, context)
    except Exception:
        log.warning("Could not tell whether %s may hear of its failure", describe(update))
        allowed = False
    if allowed:
        await tell(update, context, tr(message))
    elif update.callback_query is not None:
        await answer_quietly(update, tr(REFUSAL), alert=True)


async def on_error(update: object, context: Context) -> None:
    """Log every unhandled error with its update, tell the person, and stop the update there."""
    log.error("Unhandled error while handling %s", describe(update), exc_info=context.error)
    if isinstance(update, Update):
        try:
            await apologise(update, context)
        except Exception:
            log.exception("Could not tell the person of the failure of %s", describe(update))
    # Whatever failed, the update goes no further: later groups must not act on half a result.
    raise ApplicationHandlerStop
