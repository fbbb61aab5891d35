"""The gate: the bot serves the duty group and known people, and refuses anyone else once."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.db.models import OutboxPriority
from bot.handlers.common import APOLOGY, REFUSAL, App, Context, answer_quietly, desk_of, tr_for
from bot.handlers.failures import describe, language_of

log = logging.getLogger(__name__)

GATE_GROUP = -100
INVITE_START = re.compile(r"^/start [A-Za-z0-9_-]{8,64}$")


def _update_kind(update: Update) -> str:
    for kind in (
        "message",
        "edited_message",
        "callback_query",
        "message_reaction",
        "my_chat_member",
        "channel_post",
    ):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def _opens_invite(update: Update) -> bool:
    message = update.message
    chat = update.effective_chat
    return bool(
        message is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and message.text
        and INVITE_START.match(message.text)
    )


async def check_access(update: Update, context: Context) -> None:
    """Let through updates from the duty group or from known people; fail closed."""
    try:
        await _check(update, context)
    except ApplicationHandlerStop:
        raise
    except Exception:
        # A gate that cannot decide must not let the update through to the features.
        log.exception("The access check failed on %s; it was refused", describe(update))
        await answer_quietly(update, language_of(update, context)(APOLOGY), alert=True)
        raise ApplicationHandlerStop from None


async def _check(update: Update, context: Context) -> None:
    desk = desk_of(context)
    chat = update.effective_chat
    user = update.effective_user
    if chat is None and user is None:
        # Nothing anyone sent (e.g. an update the bot could not read, kept only for its id).
        raise ApplicationHandlerStop
    known = user is not None and desk.is_known(user.id)
    desk_chats = desk.desk_chats()
    if chat is not None and chat.id in desk_chats and (known or update.callback_query is None):
        # Everything said in the duty group is recorded; buttons answer only known people.
        return
    if known and (chat is None or chat.type == ChatType.PRIVATE or chat.id in desk_chats):
        return
    if _opens_invite(update):
        # An EPZ contact opening an invite link is not known yet; the invite decides.
        return
    if update.my_chat_member is not None:
        # Being added to or removed from a chat is not a request; nothing to answer.
        raise ApplicationHandlerStop
    chat_id = chat.id if chat else None
    user_id = user.id if user else None
    log.info("Refused %s from user %s in chat %s", _update_kind(update), user_id, chat_id)
    already_told = chat_id is not None and desk.audit.seen("refusal_sent", chat_id=chat_id)
    desk.audit.record("refused", user_id=user_id, chat_id=chat_id, detail=_update_kind(update))
    tr = tr_for(update, context)
    refusal = tr(REFUSAL)
    if update.callback_query is not None:
        await answer_quietly(update, refusal, alert=True)
    elif chat_id is not None and not already_told and update.effective_message is not None:
        desk.audit.record("refusal_sent", user_id=user_id, chat_id=chat_id)
        desk.outbox.send(chat_id, refusal, priority=OutboxPriority.REPLY)
    raise ApplicationHandlerStop


def register(app: App) -> None:
    """Put the gate before every other handler."""
    app.add_handler(TypeHandler(Update, check_access), group=GATE_GROUP)
