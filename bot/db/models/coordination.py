"""Coordination: which process watches which camera when several share one database."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from bot.db.models.columns import utc_column


class CoordinationLease(SQLModel, table=True):
    """A piece of work one process holds (a camera's event stream) until it dies or lets go.

    Written only on PostgreSQL, where several processes share a database; the holder's
    session-level advisory lock tells whether it is alive, `expires_at` whether it is stuck.
    """

    __tablename__ = "coordination_lease"

    # The duty room the work belongs to; "" is the one desk a configuration runs today.
    desk: str = Field(default="", max_length=64, primary_key=True)
    # What is held, e.g. "camera:12"; "process:<key>" is a process's own heartbeat.
    name: str = Field(max_length=160, primary_key=True)
    # The holder's advisory-lock key (alive while its lock is held) and, for the operator,
    # which process it is (host:pid).
    holder_key: int
    holder: str = Field(max_length=160)
    taken_at: dt.datetime = Field(sa_column=utc_column())
    expires_at: dt.datetime = Field(sa_column=utc_column())
