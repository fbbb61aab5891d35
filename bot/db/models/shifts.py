"""Shifts: the shift itself, its notes, its handover and its daily report."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field

from bot.db.desk_scope import DeskRow, desk_key_field
from bot.db.models.columns import chat_id_column, utc_column


class DutyShift(DeskRow, table=True):
    """One 24-hour shift, with the composition the roster gave it when it was first seen."""

    __tablename__ = "duty_shift"

    # Each desk keeps its own; part of the key.
    desk: str | None = desk_key_field()
    shift_date: dt.date = Field(primary_key=True)
    starts_at: dt.datetime = Field(sa_column=utc_column())
    ends_at: dt.datetime = Field(sa_column=utc_column())
    composition: str = Field(default="", sa_type=Text)


class ShiftNoteKind(StrEnum):
    """What a note on a shift is for."""

    # The outgoing shift leader's note for the handover.
    HANDOVER = "handover"
    # Something the next shifts must keep watching (a lot, a vehicle, an enterprise).
    FOCUS = "focus"


class ShiftNote(DeskRow, table=True):
    """A handover note or a focus item, written during a shift."""

    __tablename__ = "shift_note"

    id: int | None = Field(default=None, primary_key=True)
    shift_date: dt.date = Field(index=True)
    kind: ShiftNoteKind = Field(sa_type=String(16))
    author_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    author_name: str = ""
    text: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(sa_column=utc_column())


class HandoverStatus(StrEnum):
    """Where a handover stands."""

    OPEN = "open"
    ACCEPTED = "accepted"


class Handover(DeskRow, table=True):
    """The handover of one shift to the next (888 Art. 5.5, 6.6), open until accepted."""

    __tablename__ = "handover"
    __table_args__ = (UniqueConstraint("desk", "shift_date"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_date: dt.date = Field(description="the outgoing shift")
    prepared_at: dt.datetime = Field(sa_column=utc_column())
    outgoing_leader_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    incoming_leader_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    status: HandoverStatus = Field(default=HandoverStatus.OPEN, sa_type=String(16), index=True)
    # The handover as posted, in the desk's language: the record of what was handed over.
    summary: str = Field(default="", sa_type=Text)
    card_outbox_id: int | None = None
    accepted_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    accepted_by_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    accepted_by_name: str = ""
    remarks: str = Field(default="", sa_type=Text)


class DailyReport(DeskRow, table=True):
    """The summary of one shift for the leadership, kept for export."""

    __tablename__ = "daily_report"

    # Each desk keeps its own; part of the key.
    desk: str | None = desk_key_field()
    shift_date: dt.date = Field(primary_key=True)
    made_at: dt.datetime = Field(sa_column=utc_column())
    period_start: dt.datetime = Field(sa_column=utc_column())
    period_end: dt.datetime = Field(sa_column=utc_column())
    incidents: int = 0
    proposals: int = 0
    # Proposals by kind, as JSON {"coordination": 2, ...}.
    proposals_by_kind: str = Field(default="{}", sa_type=Text)
    approvals: int = 0
    rejections: int = 0
    unit_requests: int = 0
    breaches: int = 0
    cameras_watched: int = 0
    # Percent of camera time up during the shift; None when no camera was watched.
    camera_availability: float | None = None
    camera_down_minutes: int = 0
    outages_opened: int = 0
    outages_closed: int = 0
    outages_overdue: int = 0
    text: str = Field(default="", sa_type=Text)
