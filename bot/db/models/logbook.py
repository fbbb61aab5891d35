"""The duty group's messages and the duty logbook with its hash chain."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlmodel import Field

from bot.db.desk_scope import DeskRow, desk_key_field
from bot.db.models.columns import chat_id_column, utc_column


class MessageKind(StrEnum):
    """What a stored chat message carried."""

    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"
    OTHER = "other"


class LogColumn(StrEnum):
    """The Annex I column a piece of logbook text belongs to."""

    WORK = "work"
    INCIDENT = "incident"
    DIRECTION = "direction"
    RESULT = "result"
    NOTE = "note"


class EntryOrigin(StrEnum):
    """How a logbook entry came to be."""

    COMMAND = "command"
    HASHTAG = "hashtag"
    REACTION = "reaction"
    CORRECTION = "correction"
    SYSTEM = "system"


class ChatMessage(DeskRow, table=True):
    """A message of the duty group, one row per revision (edits add rows, never overwrite)."""

    __tablename__ = "chat_message"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", "revision_at"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=chat_id_column())
    message_id: int
    revision_at: dt.datetime = Field(sa_column=utc_column())
    sent_at: dt.datetime = Field(sa_column=utc_column())
    is_edit: bool = False
    user_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    user_name: str = ""
    shift_date: dt.date = Field(index=True)
    kind: MessageKind = Field(default=MessageKind.TEXT, sa_type=String(16))
    text: str = Field(default="", sa_type=Text)
    file_id: str | None = None
    reply_to_message_id: int | None = None
    thread_id: int | None = None


class LogbookEntry(DeskRow, table=True):
    """A duty logbook line with the Annex I fields; corrections point at what they correct."""

    __tablename__ = "logbook_entry"
    __table_args__ = (
        UniqueConstraint("desk", "shift_date", "seq"),
        Index("ix_logbook_entry_chain_seq", "desk", "chain_seq", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_date: dt.date = Field(index=True)
    seq: int = Field(description="the line number (STT) within the shift's logbook")
    created_at: dt.datetime = Field(sa_column=utc_column())
    recorded_at: dt.datetime = Field(sa_column=utc_column())
    author_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    author_name: str = ""
    origin: EntryOrigin = Field(sa_type=String(16))
    # Makes re-delivered updates idempotent: one entry per source event.
    source_key: str | None = Field(default=None, unique=True, max_length=128)
    source_chat_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    source_message_id: int | None = None
    corrects_id: int | None = Field(default=None, foreign_key="logbook_entry.id")
    work_performed: str = Field(default="", sa_type=Text)
    incident: str = Field(default="", sa_type=Text)
    incident_place: str = ""
    incident_refs: str = ""
    incident_arisen_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    incident_received_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    direction: str = Field(default="", sa_type=Text)
    direction_channel: str = ""
    direction_receiver: str = ""
    direction_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    result: str = Field(default="", sa_type=Text)
    result_unit: str = ""
    result_reported_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    notes: str = Field(default="", sa_type=Text)
    # The hash chain (bot/logbook/chain.py): place, the previous entry's seal, and this one's.
    chain_seq: int | None = None
    prev_hash: str = Field(default="", max_length=64)
    entry_hash: str = Field(default="", max_length=64)


# What a logbook entry says, in the Annex I columns and their sub-fields.
LOGBOOK_CONTENT_FIELDS = (
    "work_performed",
    "incident",
    "incident_place",
    "incident_refs",
    "incident_arisen_at",
    "incident_received_at",
    "direction",
    "direction_channel",
    "direction_receiver",
    "direction_at",
    "result",
    "result_unit",
    "result_reported_at",
    "notes",
)


class LogbookChain(DeskRow, table=True):
    """The head of the logbook's hash chain: locked while an entry is sealed."""

    __tablename__ = "logbook_chain"

    # Each desk's logbook is a chain of its own; part of the key.
    desk: str | None = desk_key_field()
    id: int = Field(primary_key=True)
    head: str = Field(max_length=64)
    length: int = 0
