"""SQLModel tables: the records the desk keeps; the database is the truth."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime


def utc_column(nullable: bool = False, index: bool = False) -> Column[dt.datetime]:
    """A timezone-aware timestamp column (stored as UTC)."""
    return Column(UTCDateTime(), nullable=nullable, index=index)


def chat_id_column(nullable: bool = False, index: bool = False) -> Column[int]:
    """Telegram ids exceed 32 bits (supergroups are -100…)."""
    return Column(BigInteger, nullable=nullable, index=index)


# Enums are stored as short strings, not native enum types, so adding a member later needs
# no ALTER TYPE on PostgreSQL.
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


class DutyShift(SQLModel, table=True):
    """One 24-hour shift, with the composition the roster gave it when it was first seen."""

    __tablename__ = "duty_shift"

    shift_date: dt.date = Field(primary_key=True)
    starts_at: dt.datetime = Field(sa_column=utc_column())
    ends_at: dt.datetime = Field(sa_column=utc_column())
    composition: str = Field(default="", sa_type=Text)


class ChatMessage(SQLModel, table=True):
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


class LogbookEntry(SQLModel, table=True):
    """A duty logbook line with the Annex I fields; corrections point at what they correct."""

    __tablename__ = "logbook_entry"
    __table_args__ = (UniqueConstraint("shift_date", "seq"),)

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


class UserPreference(SQLModel, table=True):
    """A person's chosen language."""

    __tablename__ = "user_preference"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    locale: str = Field(max_length=8)
    updated_at: dt.datetime = Field(sa_column=utc_column())


class AuditEvent(SQLModel, table=True):
    """Who tried what and was refused, or did something that must be traceable."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=utc_column())
    action: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True, index=True))
    chat_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    detail: str = Field(default="", sa_type=Text)


class OutboxStatus(StrEnum):
    """Where an outgoing message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """A message waiting to go to Telegram, or the record that it went."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_column=utc_column())
    chat_id: int = Field(sa_column=chat_id_column())
    thread_id: int | None = None
    method: str = Field(max_length=32)
    payload: str = Field(sa_type=Text)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=String(16), index=True)
    not_before: dt.datetime = Field(sa_column=utc_column())
    attempts: int = 0
    sent_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    telegram_message_id: int | None = None
    error: str = Field(default="", sa_type=Text)
