"""Deadlines: the moments the desk must act, kept in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import utc_column


class Deadline(DeskRow, table=True):
    """A moment the desk must act; fired exactly once, in the transaction of its effects."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("desk", "kind", "subject", "seq"),
        # Only the live deadlines, in time order: the alarm's questions ("what is next?",
        # "what is due?") must not step over the thousands that already fired. The index is
        # partial (WHERE fired_at IS NULL AND the deadline not cancelled), written for each
        # dialect by the migrations (0008, 0020; tests/db/test_live_deadlines_index.py). Named
        # here without its predicate, which Alembic's check does not compare: a
        # postgresql_where would load the PostgreSQL dialect into every SQLite bot (2 MB and
        # 20 ms of its start), a sqlite_where SQLite's into every PostgreSQL one.
        Index("ix_deadline_live_due", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=64, description="e.g. request:12 or proposal:7")
    seq: int = 0
    due_at: dt.datetime = Field(sa_column=utc_column())
    fired_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    cancelled: bool = False
