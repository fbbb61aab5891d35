"""Queueing: every message for Telegram is written to the outbox first, in the caller's work.

With a session, a row commits (or rolls back) with what the caller decided; the sender sends
only what was committed. Priorities, folding and staleness are set here, at queue time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col, select, update

from bot.clock import Clock
from bot.db.desk_scope import DEFAULT_DESK, engine_desk
from bot.db.models import OutboxMessage, OutboxPriority, OutboxStatus
from bot.outbox.deliveries import STALE, Deliveries
from bot.outbox.folding import EDIT_METHODS, merge_edit, replace_reaction, waiting_reactions
from bot.outbox.keyboards import Keyboard

# Ten minutes: an officer still has the message on screen and may wonder whether it was
# filed; an hour later a ✍ tells nobody anything (and /logbook shows what was filed).
DEFAULT_REACTION_FRESH = dt.timedelta(minutes=10)

# A payload key: this row goes ahead of the chat's other waiting rows of its kind.
FIRST = "first"

_INSERT = OutboxMessage.__table__.insert()  # type: ignore[attr-defined]


def _inserted_id(result: CursorResult[Any]) -> int:
    row_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert isinstance(row_id, int)
    return row_id


class Outbox:
    """Queues outgoing messages in the database and wakes the sender."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        resolve_chat: Callable[[int], int] | None = None,
        *,
        reaction_fresh: dt.timedelta = DEFAULT_REACTION_FRESH,
        wakeup: asyncio.Event | None = None,
    ) -> None:
        self._engine = engine
        # Named in the plain inserts of the rows, which the desk's session does not stamp.
        self._desk = engine_desk(engine) or DEFAULT_DESK
        self._clock = clock
        # A group upgraded to a supergroup has a new id; whoever still names the old one
        # (the configuration, a stored request) is sent to the new one.
        self._resolve_chat = resolve_chat or (lambda chat_id: chat_id)
        self._reaction_fresh = reaction_fresh
        # Shared by every desk of a deployment: the one sender wakes for any desk's message.
        self.wakeup = wakeup or asyncio.Event()
        # What the sender reads and records; it shares the engine and the clock.
        self.deliveries = Deliveries(engine, clock)

    def send(
        self,
        chat_id: int,
        text: str,
        *,
        thread_id: int | None = None,
        buttons: Keyboard | None = None,
        reply_to: int | None = None,
        session: Session | None = None,
        first: bool = False,
        not_before: dt.datetime | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue an HTML text message; with a session it commits with the caller's work.

        `first` sends it ahead of the chat's other waiting rows of its priority;
        `not_before` holds it until then.
        """
        payload: dict[str, Any] = {"text": text}
        if buttons:
            payload["buttons"] = buttons
        if reply_to is not None:
            payload["reply_to"] = reply_to
        if first:
            payload[FIRST] = True
        return self._queue(
            "send_message",
            chat_id,
            thread_id,
            payload,
            session,
            priority,
            not_before=not_before,
        )

    def rewrite_waiting(self, row_id: int, text: str, session: Session) -> bool:
        """Give a text message still held for later new text; False once due, sent or gone.

        A row whose time has not come is not in the sender's hands, so nothing of the new
        text can be lost to a send already under way.
        """
        result = session.connection().execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == row_id,
                col(OutboxMessage.method) == "send_message",
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.not_before) > self._clock.now(),
            )
            .values(payload=json.dumps({"text": text}, ensure_ascii=False))
        )
        return bool(result.rowcount == 1)

    def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        buttons: Keyboard | None = None,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue an in-place edit of a message the bot sent."""
        payload: dict[str, Any] = {"message_id": message_id, "text": text}
        if buttons is not None:
            payload["buttons"] = buttons
        return self._queue("edit_message_text", chat_id, None, payload, session, priority)

    def edit_sent(
        self,
        chat_id: int,
        outbox_id: int,
        text: str,
        *,
        buttons: Keyboard | None = None,
        session: Session | None = None,
        first: bool = False,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue an edit of a message queued earlier, whose Telegram id is known once sent."""
        fields: dict[str, Any] = {"text": text}
        if first:
            fields[FIRST] = True
        return self._edit_ref(
            "edit_message_text", chat_id, outbox_id, fields, buttons, session, priority
        )

    def send_photo(
        self,
        chat_id: int,
        image: bytes,
        caption: str,
        *,
        thread_id: int | None = None,
        buttons: Keyboard | None = None,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue a JPEG with an HTML caption; the image is kept with the row until sent."""
        payload: dict[str, Any] = {"caption": caption}
        if buttons:
            payload["buttons"] = buttons
        return self._queue(
            "send_photo", chat_id, thread_id, payload, session, priority, media=image
        )

    def send_photo_again(
        self,
        chat_id: int,
        file_id: str,
        caption: str,
        *,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue a photo Telegram holds already (sent or received before), by its file id."""
        payload = {"caption": caption, "file_id": file_id}
        return self._queue("send_photo", chat_id, None, payload, session, priority)

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        filename: str,
        caption: str,
        *,
        thread_id: int | None = None,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue a file (an export) with an HTML caption; its bytes are kept until sent."""
        payload = {"filename": filename, "caption": caption}
        return self._queue(
            "send_document", chat_id, thread_id, payload, session, priority, media=data
        )

    def send_album(
        self,
        chat_id: int,
        images: list[tuple[bytes, str]],
        *,
        thread_id: int | None = None,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue 2-10 images (JPEG snapshots, PNG charts) with captions as one album."""
        payload = {
            "captions": [caption for _, caption in images],
            "sizes": [len(image) for image, _ in images],
        }
        return self._queue(
            "send_album",
            chat_id,
            thread_id,
            payload,
            session,
            priority,
            media=b"".join(image for image, _ in images),
        )

    def edit_caption_sent(
        self,
        chat_id: int,
        outbox_id: int,
        caption: str,
        *,
        buttons: Keyboard | None = None,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue a caption edit of a photo queued earlier."""
        return self._edit_ref(
            "edit_caption", chat_id, outbox_id, {"caption": caption}, buttons, session, priority
        )

    def edit_photo_sent(
        self,
        chat_id: int,
        outbox_id: int,
        image: bytes,
        caption: str,
        *,
        buttons: Keyboard | None = None,
        session: Session | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int:
        """Queue the replacement of a photo queued earlier (the snapshot arrived late)."""
        return self._edit_ref(
            "edit_photo",
            chat_id,
            outbox_id,
            {"caption": caption},
            buttons,
            session,
            priority,
            media=image,
        )

    def _edit_ref(
        self,
        method: str,
        chat_id: int,
        outbox_id: int,
        fields: dict[str, Any],
        buttons: Keyboard | None,
        session: Session | None,
        priority: OutboxPriority,
        media: bytes | None = None,
    ) -> int:
        # "ref" first: merging a newer edit into a pending one matches on that prefix.
        payload: dict[str, Any] = {"ref": outbox_id, **fields}
        if buttons is not None:
            payload["buttons"] = buttons
        return self._queue(method, chat_id, None, payload, session, priority, media=media)

    def react(self, chat_id: int, message_id: int, emoji: str, *, message_date: dt.datetime) -> int:
        """Queue the bot's reaction on a message (a quiet acknowledgement), sent last of all.

        It replaces a reaction on the same message still waiting, and is dropped once the
        message (sent at `message_date`) is older than the reactions' freshness.
        """
        return self.react_all([(chat_id, message_id, message_date)], emoji)[0]

    def react_all(self, marks: Sequence[tuple[int, int, dt.datetime]], emoji: str) -> list[int]:
        """Queue the same reaction on each (chat, message, sent at), in one transaction.

        A backlog's ✍ marks cost a few statements, not a few each: the reactions still
        waiting on those messages are looked up at once, the new rows inserted at once.
        """
        rows = [
            self._row(
                "set_reaction",
                self._resolve_chat(chat_id),
                None,
                # "message_id" first: merging a newer reaction into a pending one matches on it.
                {"message_id": message_id, "emoji": emoji},
                OutboxPriority.HOUSEKEEPING,
                expires_at=message_date + self._reaction_fresh,
            )
            for chat_id, message_id, message_date in marks
        ]
        fresh = [row for row in rows if row["status"] != OutboxStatus.DROPPED]
        row_ids: dict[int, int] = {}
        with self._engine.begin() as connection:
            waiting: dict[tuple[int, int], int] = {}
            for chat_id in {row["chat_id"] for row in fresh}:
                ours = [
                    message_id
                    for (_, message_id, _), row in zip(marks, rows, strict=True)
                    if row["chat_id"] == chat_id and row["status"] != OutboxStatus.DROPPED
                ]
                found = waiting_reactions(connection, chat_id, ours)
                waiting |= {(chat_id, message_id): rid for message_id, rid in found.items()}
            new = []
            for (_, message_id, _), row in zip(marks, rows, strict=True):
                waits = waiting.get((row["chat_id"], message_id))
                if waits is not None and row["status"] != OutboxStatus.DROPPED:
                    row_ids[id(row)] = replace_reaction(connection, row["chat_id"], row) or waits
                else:
                    new.append(row)
            if new:
                returning = _INSERT.returning(_INSERT.table.c.id, sort_by_parameter_order=True)
                inserted = connection.execute(returning, new).scalars().all()
                row_ids |= {id(row): row_id for row, row_id in zip(new, inserted, strict=True)}
        if fresh:
            self.notify()
        return [row_ids[id(row)] for row in rows]

    def notify(self) -> None:
        """Wake the sender (after the caller's transaction committed)."""
        self.wakeup.set()

    def _queue(
        self,
        method: str,
        chat_id: int,
        thread_id: int | None,
        payload: dict[str, Any],
        session: Session | None,
        priority: OutboxPriority,
        media: bytes | None = None,
        not_before: dt.datetime | None = None,
        expires_at: dt.datetime | None = None,
    ) -> int:
        chat_id = self._resolve_chat(chat_id)
        if method in EDIT_METHODS:
            merged = self._merge_edit(method, chat_id, payload, session, media, priority)
            if merged is not None:
                return merged
        row = self._row(
            method, chat_id, thread_id, payload, priority, media, not_before, expires_at
        )
        # A plain insert rather than an ORM object: a burst of deadlines or alerts queues
        # thousands of rows, and the unit of work would cost more than the insert itself.
        if session is not None:
            return _inserted_id(session.connection().execute(_INSERT, row))
        with self._engine.begin() as connection:
            row_id = _inserted_id(connection.execute(_INSERT, row))
        if row["status"] == OutboxStatus.PENDING:
            self.notify()
        return row_id

    def _row(
        self,
        method: str,
        chat_id: int,
        thread_id: int | None,
        payload: dict[str, Any],
        priority: OutboxPriority,
        media: bytes | None = None,
        not_before: dt.datetime | None = None,
        expires_at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        now = self._clock.now()
        stale = expires_at is not None and expires_at <= now
        return {
            "desk": self._desk,
            "created_at": now,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "method": method,
            "payload": json.dumps(payload, ensure_ascii=False),
            # Stale already (a backlog read after a restart): kept as dropped, so it is
            # counted like one that went stale while waiting, and costs the sender nothing.
            "status": OutboxStatus.DROPPED if stale else OutboxStatus.PENDING,
            "priority": priority,
            "not_before": max(now, not_before) if not_before is not None else now,
            "expires_at": expires_at,
            "attempts": 0,
            "error": STALE if stale else "",
            "media": media,
        }

    def _merge_edit(
        self,
        method: str,
        chat_id: int,
        payload: dict[str, Any],
        session: Session | None,
        media: bytes | None,
        priority: OutboxPriority,
    ) -> int | None:
        """Fold an edit into a pending edit of the same message, in the caller's work if any."""
        if session is not None:
            return merge_edit(session, method, chat_id, payload, media, priority, self._clock.now())
        with Session(self._engine) as own:
            merged = merge_edit(own, method, chat_id, payload, media, priority, self._clock.now())
            if merged is not None:
                own.commit()
                self.notify()
            return merged

    def chat_of(self, chat_id: int) -> int:
        """The id a chat's messages go to now (a group upgraded to a supergroup moved)."""
        return self._resolve_chat(chat_id)

    def move_chat(self, session: Session, old_chat_id: int, new_chat_id: int) -> int:
        """Send what still waits for a chat to its new id instead; how many rows moved."""
        result = session.connection().execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.status) == OutboxStatus.PENDING,
                col(OutboxMessage.chat_id) == old_chat_id,
            )
            .values(chat_id=new_chat_id)
        )
        return int(result.rowcount)

    def pending_count(self) -> int:
        """How many messages wait to be sent."""
        return self._count(OutboxStatus.PENDING)

    def dropped_count(self) -> int:
        """How many rows were dropped unsent because they had gone stale."""
        return self._count(OutboxStatus.DROPPED)

    def _count(self, status: OutboxStatus) -> int:
        with Session(self._engine) as session:
            return int(
                session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == status)
                ).one()
            )
