"""Documents (XLSX exports) through the outbox: queued with every other message, sent by the
one sender, so they are paced, retried and survive a restart like the rest.

The outbox and its sender carry text, photos and albums; these subclasses add documents
without touching them. Fold `send_document` into Outbox and its branch into
OutboxSender._call when those modules next change, and this file goes away.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session
from telegram import InputFile, Message
from telegram.constants import ParseMode

from bot.db.models import OutboxMessage
from bot.outbox import Outbox
from bot.sender import OutboxSender

SEND_DOCUMENT = "send_document"


class DocumentOutbox(Outbox):
    """The outbox, able to queue a file as a document too."""

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        filename: str,
        caption: str,
        *,
        thread_id: int | None = None,
        session: Session | None = None,
    ) -> int:
        """Queue a file with an HTML caption; its bytes are kept with the row until sent."""
        payload = {"filename": filename, "caption": caption}
        return self._queue(SEND_DOCUMENT, chat_id, thread_id, payload, session, media=data)


class DocumentSender(OutboxSender):
    """The outbox sender, able to send queued documents too."""

    async def _call(self, row: OutboxMessage) -> Message | bool | tuple[Message, ...]:
        if row.method != SEND_DOCUMENT:
            return await super()._call(row)
        payload: dict[str, Any] = json.loads(row.payload)
        return await self._bot.send_document(
            row.chat_id,
            InputFile(row.media or b"", filename=payload["filename"]),
            caption=payload["caption"],
            parse_mode=ParseMode.HTML,
            message_thread_id=row.thread_id,
        )
