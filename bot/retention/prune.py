"""What the retention removes: folded camera events and delivered messages past their days.

Kept whatever their age: events not yet folded into an alert (taken up at start-up), messages
not delivered (pending, failed, dropped: the operator's evidence), and delivered messages a
card or request still points at (`*_outbox_id` columns: an alert, proposal or handover card
is edited through its row, a request's delivery is checked through it). Those keep their row
but give up the image bytes they carried, which nothing reads once sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Column, delete, select, union, update
from sqlalchemy.sql import Select
from sqlmodel import Session, SQLModel, col

from bot.config import RetentionSettings
from bot.db.models import CameraEventRecord, OutboxMessage, OutboxStatus

# A column holding the id of an outbox row it still needs (a card it edits, a delivery).
OUTBOX_REFERENCE_SUFFIX = "_outbox_id"


@dataclass(frozen=True)
class Pruned:
    """What one prune removed, and the moments before which it did."""

    camera_events: int
    delivered_messages: int
    images_freed: int
    events_before: dt.datetime
    messages_before: dt.datetime


def outbox_references() -> list[Column[int]]:
    """Every column, in every table, that names an outbox row it still needs."""
    return [
        column
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if column.name.endswith(OUTBOX_REFERENCE_SUFFIX)
    ]


def _referenced() -> Select[tuple[int]]:
    # NULLs left out: one NULL in a NOT IN list would keep every row.
    return (
        union(*(select(column).where(column.is_not(None)) for column in outbox_references()))
        .subquery()
        .select()
    )


def prune(session: Session, settings: RetentionSettings, now: dt.datetime) -> Pruned:
    """Remove what is past its days, in the caller's transaction; what was removed."""
    events_before = now - dt.timedelta(days=settings.camera_events_days)
    messages_before = now - dt.timedelta(days=settings.delivered_outbox_days)
    connection = session.connection()
    events = connection.execute(
        delete(CameraEventRecord).where(
            col(CameraEventRecord.received_at) < events_before,
            col(CameraEventRecord.alert_id).is_not(None),
        )
    )
    delivered_long_ago = (
        col(OutboxMessage.status) == OutboxStatus.SENT,
        col(OutboxMessage.sent_at) < messages_before,
    )
    referenced = _referenced()
    messages = connection.execute(
        delete(OutboxMessage).where(*delivered_long_ago, col(OutboxMessage.id).not_in(referenced))
    )
    images = connection.execute(
        update(OutboxMessage)
        .where(
            *delivered_long_ago,
            col(OutboxMessage.media).is_not(None),
            col(OutboxMessage.id).in_(referenced),
        )
        .values(media=None)
    )
    return Pruned(
        camera_events=events.rowcount,
        delivered_messages=messages.rowcount,
        images_freed=images.rowcount,
        events_before=events_before,
        messages_before=messages_before,
    )
