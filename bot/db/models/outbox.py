"""The outbox: every message to Telegram, waiting or sent."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum

from sqlalchemy import Index, LargeBinary, SmallInteger, String, Text
from sqlmodel import Field

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import chat_id_column, utc_column


class OutboxStatus(StrEnum):
    """Where an outgoing message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # Not sent because it was worth nothing by then (a ✍ on a message long gone by); kept
    # and counted, never lost silently.
    DROPPED = "dropped"


class OutboxPriority(IntEnum):
    """Which of a chat's waiting messages goes first when its budget is short; lower first."""

    # What a rule puts a clock on: camera alerts, approval cards and decisions, requests to
    # units, deadline and breach notices, reminders.
    URGENT = 0
    # An answer to what a person just asked (a command, a button).
    REPLY = 1
    NORMAL = 2
    # Confirmations nobody waits for: the ✍ reaction on a filed message.
    HOUSEKEEPING = 3


class OutboxMessage(DeskRow, table=True):
    """A message waiting to go to Telegram, or the record that it went."""

    __tablename__ = "outbox_message"
    # Each chat's sender reads its own pending rows, most urgent then oldest first; without
    # this it scans and sorts them all (thousands while the chat waits out its budget).
    __table_args__ = (
        Index("ix_outbox_pending_chat_priority", "status", "chat_id", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_column=utc_column())
    chat_id: int = Field(sa_column=chat_id_column())
    thread_id: int | None = None
    method: str = Field(max_length=32)
    payload: str = Field(sa_type=Text)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=String(16), index=True)
    priority: int = Field(default=OutboxPriority.NORMAL, sa_type=SmallInteger)
    not_before: dt.datetime = Field(sa_column=utc_column())
    # A row still unsent by then is dropped (status DROPPED): it would tell nobody anything.
    expires_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    attempts: int = 0
    sent_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    telegram_message_id: int | None = None
    # Telegram's id of an uploaded photo, so an edit or a resend needs no second upload.
    telegram_file_id: str | None = None
    error: str = Field(default="", sa_type=Text)
    media: bytes | None = Field(default=None, sa_type=LargeBinary)
