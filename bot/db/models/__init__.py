"""SQLModel tables: the records the desk keeps; the database is the truth.

One module per domain; importing this package registers every table on SQLModel.metadata
(Alembic and create_all need them all), and `from bot.db.models import X` finds any of them.
"""

from __future__ import annotations

from bot.db.models.camera import (
    AlertSource,
    CameraAlert,
    CameraEventRecord,
    CameraSilence,
    CameraState,
    CameraStatus,
    CameraSubscription,
    CameraTransition,
    IntakeSignature,
)
from bot.db.models.columns import chat_id_column, utc_column
from bot.db.models.coordination import CoordinationLease
from bot.db.models.deadlines import Deadline
from bot.db.models.desk import AuditEvent, ChatMigration, DeskChoice, Draft, UserPreference
from bot.db.models.epz import (
    CheckOutcome,
    EnterpriseContact,
    EpzOutage,
    GateMovementRecord,
    Invite,
    OutageKind,
    OutageStatus,
    RotationCheck,
)
from bot.db.models.escalation import (
    Proposal,
    ProposalKind,
    ProposalStatus,
    RequestStatus,
    UnitRequest,
    UrgentCase,
)
from bot.db.models.incidents import Incident, IncidentAttachment
from bot.db.models.logbook import (
    LOGBOOK_CONTENT_FIELDS,
    ChatMessage,
    EntryOrigin,
    LogbookChain,
    LogbookEntry,
    LogColumn,
    MessageKind,
)
from bot.db.models.outbox import OutboxMessage, OutboxPriority, OutboxStatus
from bot.db.models.shifts import (
    DailyReport,
    DutyShift,
    Handover,
    HandoverStatus,
    ShiftNote,
    ShiftNoteKind,
)

__all__ = [
    "LOGBOOK_CONTENT_FIELDS",
    "AlertSource",
    "AuditEvent",
    "CameraAlert",
    "CameraEventRecord",
    "CameraSilence",
    "CameraState",
    "CameraStatus",
    "CameraSubscription",
    "CameraTransition",
    "ChatMessage",
    "ChatMigration",
    "CheckOutcome",
    "CoordinationLease",
    "DailyReport",
    "Deadline",
    "DeskChoice",
    "Draft",
    "DutyShift",
    "EnterpriseContact",
    "EntryOrigin",
    "EpzOutage",
    "GateMovementRecord",
    "Handover",
    "HandoverStatus",
    "Incident",
    "IncidentAttachment",
    "IntakeSignature",
    "Invite",
    "LogColumn",
    "LogbookChain",
    "LogbookEntry",
    "MessageKind",
    "OutageKind",
    "OutageStatus",
    "OutboxMessage",
    "OutboxPriority",
    "OutboxStatus",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "RequestStatus",
    "RotationCheck",
    "ShiftNote",
    "ShiftNoteKind",
    "UnitRequest",
    "UrgentCase",
    "UserPreference",
    "chat_id_column",
    "utc_column",
]
