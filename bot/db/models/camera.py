"""Cameras: alerts and their events, health, subscriptions, and the intake's replay guard."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import utc_column


class AlertSource(StrEnum):
    """Where a camera alert came from."""

    ONVIF = "onvif"
    WEBHOOK = "webhook"
    HEALTH = "health"


class CameraEventRecord(DeskRow, table=True):
    """Every alert event received, folded or not: nothing valid is dropped."""

    __tablename__ = "camera_event"

    id: int | None = Field(default=None, primary_key=True)
    camera: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    source: AlertSource = Field(sa_type=String(16))
    # The sender's id, so a retried webhook is not counted twice.
    external_id: str | None = Field(default=None, unique=True, max_length=128)
    occurred_at: dt.datetime = Field(sa_column=utc_column())
    received_at: dt.datetime = Field(sa_column=utc_column(index=True))
    detail: str = Field(default="", sa_type=Text)
    refs: str = ""
    # Set once folded or posted; an event without one after a crash is taken up at start.
    alert_id: int | None = Field(default=None, foreign_key="camera_alert.id", index=True)


class CameraAlert(DeskRow, table=True):
    """A camera or analytics alert; repeats inside the fold window only raise its count."""

    __tablename__ = "camera_alert"

    id: int | None = Field(default=None, primary_key=True)
    camera: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=32)
    source: AlertSource = Field(sa_type=String(16))
    occurred_at: dt.datetime = Field(sa_column=utc_column())
    received_at: dt.datetime = Field(sa_column=utc_column())
    last_seen_at: dt.datetime = Field(sa_column=utc_column(index=True))
    count: int = 1
    detail: str = Field(default="", sa_type=Text)
    refs: str = Field(default="", description="references as sent, e.g. container, plate")
    card_outbox_id: int | None = None
    digest: bool = False
    false_alarm_by: str = ""
    false_alarm_reason: str = Field(default="", sa_type=Text)
    incident_id: int | None = Field(default=None, foreign_key="incident.id")
    # What the card says of it: the incident's number and who opened it from the card.
    incident_label: str = ""
    incident_by: str = ""
    # Who pressed "Seen" and when: the alert is in hand, its reminders stop.
    seen_by: str = ""
    seen_at: dt.datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class CameraState(StrEnum):
    """What the last health round found."""

    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    UNKNOWN = "unknown"


class CameraStatus(DeskRow, table=True):
    """The current health of one camera (888 Art. 14.1.1)."""

    __tablename__ = "camera_status"

    camera: str = Field(primary_key=True, max_length=64)
    state: CameraState = Field(sa_type=String(16))
    since: dt.datetime = Field(sa_column=utc_column())
    checked_at: dt.datetime = Field(sa_column=utc_column())
    reason: str = ""
    drift: bool = False
    # Why its events do not reach the desk though it answers (an EventsFault), "" when they do.
    events_fault: str = Field(default="", sa_type=String(16))


class CameraTransition(DeskRow, table=True):
    """A camera's change of state as the health round saw it; availability is reckoned from it."""

    __tablename__ = "camera_transition"
    __table_args__ = (Index("ix_camera_transition_camera_at", "camera", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    camera: str = Field(max_length=64)
    state: CameraState = Field(sa_type=String(16))
    at: dt.datetime = Field(sa_column=utc_column())


class CameraSubscription(SQLModel, table=True):
    """The event subscription a camera keeps for the desk, so a restart takes it up or ends it.

    ONVIF has no call listing a camera's subscriptions, and cameras keep only a few: one whose
    reference died with a killed process holds its place until it expires.
    """

    __tablename__ = "camera_subscription"
    __table_args__ = (UniqueConstraint("desk", "camera"),)

    id: int | None = Field(default=None, primary_key=True)
    # The duty room the camera belongs to; "" is the one desk a configuration runs today.
    desk: str = Field(default="", max_length=64)
    camera: str = Field(max_length=64)
    kind: str = Field(sa_type=String(16))  # pullpoint | notify
    address: str = Field(sa_type=Text)  # the subscription manager's address on the camera
    terminates_at: dt.datetime = Field(sa_column=utc_column())  # unless renewed before
    made_at: dt.datetime = Field(sa_column=utc_column())
    renewed_at: dt.datetime = Field(sa_column=utc_column())
    process: str = Field(max_length=160)  # host:pid of the process that made it
    run: str = Field(max_length=32)  # that process's start, as pids are reused


class IntakeSignature(SQLModel, table=True):
    """A signed intake request already received, kept for the replay window to refuse replays."""

    __tablename__ = "intake_signature"

    # The desk whose intake received it ("" while there is one desk): each desk signs with its
    # own secret and answers for its own replays.
    desk: str = Field(default="", max_length=64, primary_key=True)
    # The request's HMAC-SHA256 (32 bytes): the key that makes a replay fail to insert, so two
    # copies arriving together, in one process or two, get exactly one acceptance.
    digest: bytes = Field(sa_type=LargeBinary(32), primary_key=True)
    # The sender's timestamp in unix seconds: a copy is refused as stale once the replay window
    # has passed it, so the row expires then and is pruned by this (indexed) column. Seconds,
    # not a datetime: the insert is on the intake's hot path, written without the ORM.
    signed_at: int = Field(sa_type=BigInteger, index=True)
