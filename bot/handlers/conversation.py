"""Every duty-group message and edit goes into the record; hashtags file it in the logbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot.db.models import MessageKind, OutboxPriority
from bot.desk import Desk
from bot.desks import Desks
from bot.handlers.common import DESKS_KEY, App, Context, desk_of, telegram_name, tr_for
from bot.handlers.membership import InDutyGroup
from bot.logbook.hashtags import is_command
from bot.logbook.service import Author, IncomingMessage, Outcome, Recorded
from bot.logbook.view import correction_notice

# Runs before the feature handlers, and does not stop them (a /log message is recorded too).
RECORD_GROUP = -50
# The bot's quiet "written in the logbook" mark on a message.
RECORDED_REACTION = "✍"
# What record_ahead recorded of the updates about to be handled, by message revision.
AHEAD_KEY = "recorded_ahead"
# Those of them whose ✍ record_ahead queued already.
MARKED_KEY = "marked_ahead"

RevisionKey = tuple[int, int, object]


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


def _revision_key(message: Message) -> RevisionKey:
    return message.chat_id, message.message_id, message.edit_date or message.date


def _only_recorded(update: Update, desks: Desks) -> tuple[Desk, Message] | None:
    """The desk and message of a duty-group message no handler but the recorder acts on.

    Commands, service messages (members, upgrades) and answers to an open guided question
    are acted on by other handlers, which may write the logbook too: those are not.
    """
    message = update.message or update.edited_message
    if message is None or message.from_user is None:
        return None
    desk = desks.for_chat(message.chat_id)
    if desk is None or message.chat_id not in desks.duty_groups():
        return None
    text = message.text or message.caption or ""
    if not (message.text is not None or message.photo or message.document) or is_command(text):
        return None
    if update.message is not None and desk.drafts.get(message.from_user.id, message.chat_id):
        return None
    return desk, message


def record_ahead(app: App, updates: Sequence[Update]) -> int:
    """Record the leading duty-group messages of a batch, one transaction per desk.

    Returns how many updates from the start were recorded (0 or 1: none worth a batch). Their
    handling then finds the result here and acts on it (the ✍, a correction notice) as if it
    had recorded the message itself: line numbers, shifts and chain come out the same, since
    nothing else acts on these messages in between.
    """
    ahead = cast(dict[RevisionKey, Recorded], app.bot_data.setdefault(AHEAD_KEY, {}))
    marked = cast(set[RevisionKey], app.bot_data.setdefault(MARKED_KEY, set()))
    ahead.clear()
    marked.clear()
    desks = cast(Desks, app.bot_data[DESKS_KEY])
    taken: list[tuple[Desk, Message]] = []
    for update in updates:
        plain = _only_recorded(update, desks)
        if plain is None:
            break
        taken.append(plain)
    if len(taken) < 2:
        return 0
    by_desk: dict[str, tuple[Desk, list[Message]]] = {}
    for desk, message in taken:
        by_desk.setdefault(desk.key, (desk, []))[1].append(message)
    for desk, messages in by_desk.values():
        results = desk.logbook.record_messages([incoming(m) for m in messages])
        ahead.update(zip(map(_revision_key, messages), results, strict=True))
        # The ✍ of the whole batch in one transaction too; their handling then skips it.
        filed = [m for m, r in zip(messages, results, strict=True) if r.outcome is Outcome.ENTRY]
        desk.outbox.react_all([_mark_of(m) for m in filed], RECORDED_REACTION)
        marked.update(map(_revision_key, filed))
    return len(taken)


def _mark_of(message: Message) -> tuple[int, int, dt.datetime]:
    # Fresh for as long as the person's act (the message, or the edit that filed it) is.
    return message.chat_id, message.message_id, message.edit_date or message.date


async def record_group_message(update: Update, context: Context) -> None:
    """Store a duty-group message or edit, and acknowledge what reached the logbook."""
    message = update.effective_message
    if message is None:
        return
    desk = desk_of(context)
    ahead = cast(dict[RevisionKey, Recorded], context.bot_data.get(AHEAD_KEY, {}))
    marked = cast(set[RevisionKey], context.bot_data.get(MARKED_KEY, set()))
    key = _revision_key(message)
    recorded = ahead.pop(key, None) or desk.logbook.record_message(incoming(message))
    if recorded.outcome is Outcome.ENTRY and key not in marked:
        chat_id, message_id, sent_at = _mark_of(message)
        desk.outbox.react(chat_id, message_id, RECORDED_REACTION, message_date=sent_at)
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
