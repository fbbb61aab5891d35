"""Export processing zones (247): enterprises' contacts, outages, gate movements, checks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Column, String, Text, UniqueConstraint
from sqlmodel import Field

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import chat_id_column, utc_column


class Invite(DeskRow, table=True):
    """A one-time, expiring invitation that binds a Telegram account to an EPZ enterprise."""

    __tablename__ = "invite"

    code: str = Field(primary_key=True, max_length=64)
    enterprise: str = Field(max_length=64)
    issued_by: int = Field(sa_column=chat_id_column())
    issued_at: dt.datetime = Field(sa_column=utc_column())
    expires_at: dt.datetime = Field(sa_column=utc_column())
    used_by: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    used_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))


class EnterpriseContact(DeskRow, table=True):
    """A Telegram account that reports for one EPZ enterprise."""

    __tablename__ = "enterprise_contact"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    enterprise: str = Field(max_length=64, index=True)
    name: str = ""
    enrolled_at: dt.datetime = Field(sa_column=utc_column())
    # The enterprise's legal representative as the contact gave it at enrolment (247 Annex II's
    # signer), asked only when the configuration names none.
    legal_representative: str = ""


class OutageKind(StrEnum):
    """What failed, which sets the repair deadline (247 I.2.3)."""

    CAMERA = "camera"
    TRANSMISSION = "transmission"
    MAINTENANCE = "maintenance"
    POWER_CUT = "power_cut"


class OutageStatus(StrEnum):
    """Where an EPZ outage stands."""

    OPEN = "open"
    RESTORED_REPORTED = "restored_reported"
    CLOSED = "closed"


class EpzOutage(DeskRow, table=True):
    """An EPZ enterprise's camera-system fault, as notified on the Annex II form."""

    __tablename__ = "epz_outage"

    id: int | None = Field(default=None, primary_key=True)
    enterprise: str = Field(max_length=64, index=True)
    kind: OutageKind = Field(sa_type=String(16))
    cameras: str = Field(default="", description="camera numbers on the enterprise's map")
    description: str = Field(sa_type=Text)
    effect: str = Field(default="", sa_type=Text)
    expected_fix: dt.date | None = None
    tech_contact: str = ""
    reporter_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    notified_at: dt.datetime = Field(sa_column=utc_column())
    # When the outage began: for a fault, since when it has lasted as the notice says (the
    # time it arose, before the notice); for planned maintenance or a power cut, when it
    # begins. None: at the notice (notices recorded before the question was asked).
    starts_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    deadline: dt.date | None = None
    status: OutageStatus = Field(sa_type=String(24), index=True)
    explanation: str = Field(default="", sa_type=Text)
    new_date: dt.date | None = None
    restored_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    closed_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    closed_by: str = ""
    met_deadline: bool | None = None
    # The incident an interim supervision measure is proposed under (made on first proposal).
    incident_id: int | None = Field(default=None, foreign_key="incident.id")

    def camera_numbers(self) -> list[str]:
        """The affected cameras."""
        return [n for n in self.cameras.split(",") if n]

    @property
    def arisen_at(self) -> dt.datetime:
        """When the outage began (Annex I's time arisen; the notice is the time received)."""
        return self.starts_at or self.notified_at

    def started(self, now: dt.datetime) -> bool:
        """True once the outage is under way (planned work from its start)."""
        return self.starts_at is None or self.starts_at <= now


class GateMovementRecord(DeskRow, table=True):
    """A vehicle through an EPZ gate while its camera is down (247 I.2.3)."""

    __tablename__ = "gate_movement"

    id: int | None = Field(default=None, primary_key=True)
    outage_id: int = Field(foreign_key="epz_outage.id", index=True)
    plate: str = Field(max_length=16)
    container: str | None = Field(default=None, max_length=11)
    direction: str = Field(max_length=3)
    at: dt.datetime = Field(sa_column=utc_column())
    recorded_at: dt.datetime = Field(sa_column=utc_column())
    recorded_by: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))


class CheckOutcome(StrEnum):
    """What a rotation check found."""

    PLANNED = "planned"
    DONE = "done"
    NOT_DONE = "not_done"
    FINDINGS = "findings"


class RotationCheck(DeskRow, table=True):
    """One enterprise's camera check in a month's rotation (247 II.1a)."""

    __tablename__ = "epz_rotation_check"
    # One check per enterprise per month: planning again never adds a second.
    __table_args__ = (UniqueConstraint("desk", "month", "enterprise"),)

    id: int | None = Field(default=None, primary_key=True)
    month: dt.date = Field(index=True, description="the first day of the month")
    enterprise: str = Field(max_length=64)
    officer_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    due_at: dt.datetime = Field(sa_column=utc_column())
    planned_at: dt.datetime = Field(sa_column=utc_column())
    outcome: CheckOutcome = Field(default=CheckOutcome.PLANNED, sa_type=String(16))
    finding: str = Field(default="", sa_type=Text)
    recorded_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    recorded_by: str = ""
