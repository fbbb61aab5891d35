"""Proposals, the shift leader's decisions and the requests to units (888 Art. 8-9)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import String, Text
from sqlmodel import Field

from bot.db.desk_scope import DeskRow
from bot.db.models.columns import chat_id_column, utc_column


class ProposalKind(StrEnum):
    """What a proposal asks for (888 Art. 8.2)."""

    REMINDER = "reminder"
    INFORMATION = "information"
    COORDINATION = "coordination"
    INTERVENTION = "intervention"
    MOBILE_EQUIPMENT = "mobile_equipment"
    # Not a request to a unit: an EPZ outage's interim supervision measure (247 I.2.3c),
    # decided by the head of the managing branch rather than the shift leader.
    INTERIM_MEASURE = "interim_measure"


class UrgentCase(StrEnum):
    """The three cases an officer acts on at once and reports at the same time (888 Art. 8.1)."""

    LUGGAGE = "luggage"
    OUTSIDE_CONTROL_AREA = "outside_area"
    PASSING_GATE = "passing_gate"


class ProposalStatus(StrEnum):
    """Where a proposal stands in the approval rule."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    ESCALATION_APPROVED = "escalation_approved"
    ESCALATION_REJECTED = "escalation_rejected"
    URGENT_SENT = "urgent_sent"
    URGENT_CONFIRMED = "urgent_confirmed"


class RequestStatus(StrEnum):
    """Where a unit's request stands under the 30-minute rule (888 Art. 9)."""

    WAITING = "waiting"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"
    REPORTED = "reported"
    # Telegram refused the delivery for good (a person who never opened a chat with the bot,
    # a group the bot was removed from): the desk phones them; no clock runs on it.
    UNREACHABLE = "unreachable"


class Proposal(DeskRow, table=True):
    """A proposed handling of an incident, waiting for (or carrying) the shift leader's decision."""

    __tablename__ = "proposal"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: ProposalKind = Field(sa_type=String(24))
    units: str = Field(default="", description="unit keys, comma-separated")
    people: str = Field(
        default="", description="Telegram ids of named people asked privately, comma-separated"
    )
    content: str = Field(sa_type=Text)
    # The proposer's assessment (Annex III "Phân tích, nhận định"), asked in the proposal flow.
    assessment: str = Field(default="", sa_type=Text)
    urgent_case: UrgentCase | None = Field(default=None, sa_type=String(24))
    status: ProposalStatus = Field(sa_type=String(24), index=True)
    version: int = 1
    proposer_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    proposer_name: str = ""
    created_at: dt.datetime = Field(sa_column=utc_column())
    decided_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    decider_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    decider_name: str = ""
    reason: str = Field(default="", sa_type=Text)
    escalation_decided_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    escalation_note: str = Field(default="", sa_type=Text)
    # The outbox row of the card in the duty group; its Telegram id is known once sent.
    card_outbox_id: int | None = None
    # Set for an interim supervision measure: the EPZ outage it is for.
    outage_id: int | None = Field(default=None, foreign_key="epz_outage.id", index=True)

    def unit_keys(self) -> list[str]:
        """The addressed units' keys."""
        return [key for key in self.units.split(",") if key]

    def person_ids(self) -> list[int]:
        """The Telegram ids of the named people addressed privately."""
        return [int(pid) for pid in self.people.split(",") if pid]


class UnitRequest(DeskRow, table=True):
    """A request delivered to one unit (or one named person); the clock runs from delivery."""

    __tablename__ = "unit_request"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    # Empty for a request to a named person: then person_id says who, and only they answer.
    unit_key: str = Field(max_length=64)
    person_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    chat_id: int = Field(sa_column=chat_id_column())
    # The outbox row that carried the request, so a delivery Telegram refuses is not lost.
    delivery_outbox_id: int | None = Field(default=None, index=True)
    status: RequestStatus = Field(sa_type=String(16), index=True)
    delivered_at: dt.datetime = Field(sa_column=utc_column())
    reply_due_at: dt.datetime = Field(sa_column=utc_column())
    breached_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    acknowledged_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    contact: str = ""
    eta: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    responder_id: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    responder_name: str = ""
    reported_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    timeline: str = Field(default="", sa_type=Text)
    result: str = Field(default="", sa_type=Text)
    late_reason: str = Field(default="", sa_type=Text)
    responsible: str = ""
    # Annex IV's "Đề xuất (nếu có)": None when never asked, "" when the unit had none.
    suggestion: str | None = Field(default=None, sa_type=Text)
