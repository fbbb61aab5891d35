"""The desk's own bookkeeping: languages, drafts, the audit trail, migrated chats."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import chat_id_column, utc_column


class UserPreference(SQLModel, table=True):
    """A person's chosen language."""

    __tablename__ = "user_preference"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    locale: str = Field(max_length=8)
    updated_at: dt.datetime = Field(sa_column=utc_column())


class AuditEvent(DeskRow, table=True):
    """Who tried what and was refused, or did something that must be traceable."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=utc_column())
    action: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True, index=True))
    chat_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    detail: str = Field(default="", sa_type=Text)


class Draft(DeskRow, table=True):
    """What a person has typed so far in a guided conversation; survives restarts."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("desk", "user_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=chat_id_column())
    chat_id: int = Field(sa_column=chat_id_column())
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: str = Field(default="{}", sa_type=Text)
    updated_at: dt.datetime = Field(sa_column=utc_column())


class ChatMigration(SQLModel, table=True):
    """A group Telegram upgraded to a supergroup: the bot follows its new id from then on.

    Keyed by the old chat id, which names one chat of one desk's configuration.
    """

    __tablename__ = "chat_migration"

    old_chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    new_chat_id: int = Field(sa_column=chat_id_column())
    migrated_at: dt.datetime = Field(sa_column=utc_column())


class DeskChoice(SQLModel, table=True):
    """The desk a person known to several chose to deal with in their private chat."""

    __tablename__ = "desk_choice"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    desk: str = Field(max_length=64)
    chosen_at: dt.datetime = Field(sa_column=utc_column())
