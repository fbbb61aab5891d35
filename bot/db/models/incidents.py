"""Incidents (“vụ việc”) and what is attached to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import chat_id_column, utc_column
from bot.db.models.logbook import MessageKind


class Incident(DeskRow, table=True):
    """A matter the desk handles ("vụ việc"), numbered per year."""

    __tablename__ = "incident"
    __table_args__ = (UniqueConstraint("desk", "year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    number: int
    shift_date: dt.date = Field(index=True)
    arisen_at: dt.datetime = Field(sa_column=utc_column())
    received_at: dt.datetime = Field(sa_column=utc_column())
    reporter_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    reporter_name: str = ""
    place: str = ""
    camera: str = ""
    declarations: str = ""
    containers: str = ""
    plates: str = ""
    tax_codes: str = ""
    description: str = Field(sa_type=Text)
    source_chat_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    source_message_id: int | None = None

    @property
    def label(self) -> str:
        """The human number, e.g. 2026/0142."""
        return f"{self.year}/{self.number:04d}"


class IncidentAttachment(DeskRow, table=True):
    """A photo or document attached to an incident (its Telegram file id)."""

    __tablename__ = "incident_attachment"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: MessageKind = Field(sa_type=String(16))
    file_id: str
    caption: str = ""
