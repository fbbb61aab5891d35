"""Every duty-group message and edit goes into the record; hashtags file it in the logbook."""

from __future__ import annotations

from typing import cast

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot.db.models import MessageKind, OutboxPriority
from bot.desks import Desks
from bot.handlers.common import DESKS_KEY, App, Context, desk_of, telegram_name, tr_for
from bot.handlers.membership import InDutyGroup
from bot.logbook.service import Author, IncomingMessage, Outcome
from bot.logbook.view import correction_notice

# Runs before the feature handlers, and does not stop them (a /log message is recorded too).
RECORD_GROUP = -50
# The bot's quiet "written in the logbook" mark on a message.
RECORDED_REACTION = "✍"


def author_of(message: Message) -> Author:
    """Return who wrote a message."""
    user = message.from_user
    if user is None:
        chat = message.sender_chat
        return Author(None, chat.title or "" if chat else "")
    # The logbook puts the configured name of people on the desk in place of this one.
    return Author(user.id, telegram_name(user))


def incoming(message: Message) -> IncomingMessage:
    """Translate a Telegram message into plain values."""
    kind, file_id = MessageKind.OTHER, None
    if message.photo:
        kind, file_id = MessageKind.PHOTO, message.photo[-1].file_id
    elif message.document:
        kind, file_id = MessageKind.DOCUMENT, message.document.file_id
    elif message.text is not None:
        kind = MessageKind.TEXT
    return IncomingMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        author=author_of(message),
        sent_at=message.date,
        edited_at=message.edit_date,
        kind=kind,
        text=message.text or message.caption or "",
        file_id=file_id,
        reply_to_message_id=message.reply_to_message.message_id
        if message.reply_to_message
        else None,
        thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def record_group_message(update: Update, context: Context) -> None:
    """Store a duty-group message or edit, and acknowledge what reached the logbook."""
    message = update.effective_message
    if message is None:
        return
    desk = desk_of(context)
    recorded = desk.logbook.record_message(incoming(message))
    if recorded.outcome is Outcome.ENTRY:
        # Fresh for as long as the person's act (the message, or the edit that filed it) is.
        desk.outbox.react(
            message.chat_id,
            message.message_id,
            RECORDED_REACTION,
            message_date=message.edit_date or message.date,
        )
    elif recorded.outcome is Outcome.CORRECTION:
        tr = tr_for(update, context)
        entry = recorded.entries[0]
        original = desk.logbook.entry_seq(entry.corrects_id) if entry.corrects_id else None
        # A confirmation, like the ✍: after everything else the chat is sent.
        desk.outbox.send(
            message.chat_id,
            correction_notice(tr, entry, original),
            reply_to=message.message_id,
            priority=OutboxPriority.HOUSEKEEPING,
        )
    elif recorded.outcome is Outcome.NOT_ALLOWED:
        tr = tr_for(update, context)
        desk.outbox.send(
            message.chat_id,
            tr(
                "Not written in the logbook: only the people on the current shift may write it. "
                "Your message is kept in the conversation record."
            ),
            reply_to=message.message_id,
            priority=OutboxPriority.REPLY,
        )


def register(app: App, group_id: int | None) -> None:
    """Record the duty group's messages and edits."""
    if group_id is None:
        return
    # The group's id as Telegram uses it now: an upgrade to a supergroup changes it.
    in_group = InDutyGroup(cast(Desks, app.bot_data[DESKS_KEY]))
    app.add_handler(
        MessageHandler(
            in_group & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE),
            record_group_message,
        ),
        group=RECORD_GROUP,
    )
