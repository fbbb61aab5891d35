"""The Bot API calls: each outbox method as Telegram takes it (HTML, threads, media, buttons)."""

from __future__ import annotations

import json
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.db.models import OutboxMessage
from bot.outbox import Deliveries, Keyboard

CARRYING_MEDIA = frozenset({"send_photo", "send_album", "edit_photo", "send_document"})
# Calls that change a message sent earlier, named by its Telegram id.
EDITING = frozenset({"edit_message_text", "edit_caption", "edit_photo"})


def inline_keyboard(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Telegram's inline keyboard for the buttons a row stores."""
    if buttons is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in buttons
        ]
    )


def _edit_target(deliveries: Deliveries, payload: dict[str, Any]) -> int:
    """The Telegram id of the message an edit is for (queued earlier, sent by now)."""
    message_id = payload.get("message_id") or deliveries.telegram_id(payload["ref"])
    if message_id is None:
        raise BadRequest("message to edit not found: it was never sent")
    return int(message_id)


def _read_call(deliveries: Deliveries, row: OutboxMessage) -> tuple[dict[str, Any], bytes, int]:
    """What the call needs from the database: its payload, its bytes, the message it edits."""
    assert row.id is not None
    payload: dict[str, Any] = json.loads(row.payload)
    media = deliveries.media_of(row.id) if row.method in CARRYING_MEDIA else b""
    edited = _edit_target(deliveries, payload) if row.method in EDITING else 0
    return payload, media, edited


async def call_telegram(
    bot: Bot, deliveries: Deliveries, row: OutboxMessage
) -> Message | bool | tuple[Message, ...]:
    """Make the Bot API call a row stands for; Telegram's errors go to the caller."""
    payload, media, message_id = await deliveries.blocking(_read_call, deliveries, row)
    markup = inline_keyboard(payload.get("buttons"))
    if row.method == "send_message":
        reply_to = payload.get("reply_to")
        return await bot.send_message(
            row.chat_id,
            payload["text"],
            parse_mode=ParseMode.HTML,
            message_thread_id=row.thread_id,
            reply_markup=markup,
            reply_parameters=(
                ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
            ),
        )
    if row.method == "edit_message_text":
        return await bot.edit_message_text(
            payload["text"],
            chat_id=row.chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    if row.method == "send_photo":
        return await bot.send_photo(
            row.chat_id,
            # A photo Telegram holds already (an alert's snapshot) goes again by its id.
            payload.get("file_id") or media,
            caption=payload["caption"],
            parse_mode=ParseMode.HTML,
            message_thread_id=row.thread_id,
            reply_markup=markup,
        )
    if row.method == "send_album":
        album, offset = [], 0
        for caption, size in zip(payload["captions"], payload["sizes"], strict=True):
            image = media[offset : offset + size]
            album.append(InputMediaPhoto(image, caption=caption, parse_mode=ParseMode.HTML))
            offset += size
        return await bot.send_media_group(row.chat_id, album, message_thread_id=row.thread_id)
    if row.method == "edit_caption":
        return await bot.edit_message_caption(
            chat_id=row.chat_id,
            message_id=message_id,
            caption=payload["caption"],
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    if row.method == "edit_photo":
        return await bot.edit_message_media(
            InputMediaPhoto(media, caption=payload["caption"], parse_mode=ParseMode.HTML),
            chat_id=row.chat_id,
            message_id=message_id,
            reply_markup=markup,
        )
    if row.method == "send_document":
        return await bot.send_document(
            row.chat_id,
            InputFile(media, filename=payload["filename"]),
            caption=payload["caption"],
            parse_mode=ParseMode.HTML,
            message_thread_id=row.thread_id,
        )
    if row.method == "set_reaction":
        return await bot.set_message_reaction(row.chat_id, payload["message_id"], payload["emoji"])
    raise ValueError(f"unknown outbox method {row.method}")
