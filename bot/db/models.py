"""SQLModel tables: the records the desk keeps; the database is the truth."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
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
    __table_args__ = (
        UniqueConstraint("shift_date", "seq"),
        Index("ix_logbook_entry_chain_seq", "chain_seq", unique=True),
    )

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
    # The hash chain (bot/logbook/chain.py): place, the previous entry's seal, and this one's.
    chain_seq: int | None = None
    prev_hash: str = Field(default="", max_length=64)
    entry_hash: str = Field(default="", max_length=64)


# What a logbook entry says, in the Annex I columns and their sub-fields.
LOGBOOK_CONTENT_FIELDS = (
    "work_performed",
    "incident",
    "incident_place",
    "incident_refs",
    "incident_arisen_at",
    "incident_received_at",
    "direction",
    "direction_channel",
    "direction_receiver",
    "direction_at",
    "result",
    "result_unit",
    "result_reported_at",
    "notes",
)


class LogbookChain(SQLModel, table=True):
    """The head of the logbook's hash chain: locked while an entry is sealed."""

    __tablename__ = "logbook_chain"

    id: int = Field(primary_key=True)
    head: str = Field(max_length=64)
    length: int = 0


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
    # Not sent because it was worth nothing by then (a ✍ on a message long gone by); kept
    # and counted, never lost silently.
    DROPPED = "dropped"


class OutboxPriority(IntEnum):
    """Which of a chat's waiting messages goes first when its budget is short; lower first."""

    # What a rule puts a clock on: camera alerts, approval cards and decisions, requests to
    # units, deadline and breach notices, reminders.
    URGENT = 0
    # An answer to what a person just asked (a command, a button).
    REPLY = 1
    NORMAL = 2
    # Confirmations nobody waits for: the ✍ reaction on a filed message.
    HOUSEKEEPING = 3


class OutboxMessage(SQLModel, table=True):
    """A message waiting to go to Telegram, or the record that it went."""

    __tablename__ = "outbox_message"
    # Each chat's sender reads its own pending rows, most urgent then oldest first; without
    # this it scans and sorts them all (thousands while the chat waits out its budget).
    __table_args__ = (
        Index("ix_outbox_pending_chat_priority", "status", "chat_id", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_column=utc_column())
    chat_id: int = Field(sa_column=chat_id_column())
    thread_id: int | None = None
    method: str = Field(max_length=32)
    payload: str = Field(sa_type=Text)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=String(16), index=True)
    priority: int = Field(default=OutboxPriority.NORMAL, sa_type=SmallInteger)
    not_before: dt.datetime = Field(sa_column=utc_column())
    # A row still unsent by then is dropped (status DROPPED): it would tell nobody anything.
    expires_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    attempts: int = 0
    sent_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    telegram_message_id: int | None = None
    # Telegram's id of an uploaded photo, so an edit or a resend needs no second upload.
    telegram_file_id: str | None = None
    error: str = Field(default="", sa_type=Text)
    media: bytes | None = Field(default=None, sa_type=LargeBinary)


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


class Incident(SQLModel, table=True):
    """A matter the desk handles ("vụ việc"), numbered per year."""

    __tablename__ = "incident"
    __table_args__ = (UniqueConstraint("year", "number"),)

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


class IncidentAttachment(SQLModel, table=True):
    """A photo or document attached to an incident (its Telegram file id)."""

    __tablename__ = "incident_attachment"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: MessageKind = Field(sa_type=String(16))
    file_id: str
    caption: str = ""


class Proposal(SQLModel, table=True):
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


class UnitRequest(SQLModel, table=True):
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


class Deadline(SQLModel, table=True):
    """A moment the desk must act; fired exactly once, in the transaction of its effects."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "seq"),
        # Only the live deadlines, in time order: the alarm's questions ("what is next?",
        # "what is due?") must not step over the thousands that already fired.
        Index(
            "ix_deadline_live_due",
            "due_at",
            sqlite_where=text("fired_at IS NULL AND cancelled IS 0"),
            postgresql_where=text("fired_at IS NULL AND cancelled IS false"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=64, description="e.g. request:12 or proposal:7")
    seq: int = 0
    due_at: dt.datetime = Field(sa_column=utc_column())
    fired_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))
    cancelled: bool = False


class Draft(SQLModel, table=True):
    """What a person has typed so far in a guided conversation; survives restarts."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("user_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=chat_id_column())
    chat_id: int = Field(sa_column=chat_id_column())
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: str = Field(default="{}", sa_type=Text)
    updated_at: dt.datetime = Field(sa_column=utc_column())


class AlertSource(StrEnum):
    """Where a camera alert came from."""

    ONVIF = "onvif"
    WEBHOOK = "webhook"
    HEALTH = "health"


class CameraEventRecord(SQLModel, table=True):
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


class CameraAlert(SQLModel, table=True):
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


class CameraState(StrEnum):
    """What the last health round found."""

    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    UNKNOWN = "unknown"


class CameraStatus(SQLModel, table=True):
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


class Invite(SQLModel, table=True):
    """A one-time, expiring invitation that binds a Telegram account to an EPZ enterprise."""

    __tablename__ = "invite"

    code: str = Field(primary_key=True, max_length=64)
    enterprise: str = Field(max_length=64)
    issued_by: int = Field(sa_column=chat_id_column())
    issued_at: dt.datetime = Field(sa_column=utc_column())
    expires_at: dt.datetime = Field(sa_column=utc_column())
    used_by: int | None = Field(default=None, sa_column=chat_id_column(nullable=True))
    used_at: dt.datetime | None = Field(default=None, sa_column=utc_column(True))


class EnterpriseContact(SQLModel, table=True):
    """A Telegram account that reports for one EPZ enterprise."""

    __tablename__ = "enterprise_contact"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    enterprise: str = Field(max_length=64, index=True)
    name: str = ""
    enrolled_at: dt.datetime = Field(sa_column=utc_column())


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


class EpzOutage(SQLModel, table=True):
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


class GateMovementRecord(SQLModel, table=True):
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


class RotationCheck(SQLModel, table=True):
    """One enterprise's camera check in a month's rotation (247 II.1a)."""

    __tablename__ = "epz_rotation_check"
    # One check per enterprise per month: planning again never adds a second.
    __table_args__ = (UniqueConstraint("month", "enterprise"),)

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


class CameraTransition(SQLModel, table=True):
    """A camera's change of state as the health round saw it; availability is reckoned from it."""

    __tablename__ = "camera_transition"
    __table_args__ = (Index("ix_camera_transition_camera_at", "camera", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    camera: str = Field(max_length=64)
    state: CameraState = Field(sa_type=String(16))
    at: dt.datetime = Field(sa_column=utc_column())


class ShiftNoteKind(StrEnum):
    """What a note on a shift is for."""

    # The outgoing shift leader's note for the handover.
    HANDOVER = "handover"
    # Something the next shifts must keep watching (a lot, a vehicle, an enterprise).
    FOCUS = "focus"


class ShiftNote(SQLModel, table=True):
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


class Handover(SQLModel, table=True):
    """The handover of one shift to the next (888 Art. 5.5, 6.6), open until accepted."""

    __tablename__ = "handover"

    id: int | None = Field(default=None, primary_key=True)
    shift_date: dt.date = Field(unique=True, description="the outgoing shift")
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


class DailyReport(SQLModel, table=True):
    """The summary of one shift for the leadership, kept for export."""

    __tablename__ = "daily_report"

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


class ChatMigration(SQLModel, table=True):
    """A group Telegram upgraded to a supergroup: the bot follows its new id from then on.

    Keyed by the old chat id, which names one chat of one desk's configuration.
    """

    __tablename__ = "chat_migration"

    old_chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    new_chat_id: int = Field(sa_column=chat_id_column())
    migrated_at: dt.datetime = Field(sa_column=utc_column())
