"""A desk without Telegram, on a real database, with the clock at 09:00 on 25 November 2026.

The roster (tests/e2e/conftest.py): on the 25th Nguyễn Văn An (LEADER) leads, Trần Thị Bình
(SECTION) is the section leader, Phạm Thị Dung (OFFICER) an officer; on the 26th Trần Thị Bình
leads; nobody is rostered on the 27th. The EPZ enterprise's branch (hq-kv1) is headed by Hoàng
Văn Em (OFF_DUTY), who is on no roster.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.db.models import (
    Deadline,
    Incident,
    LogbookEntry,
    OutageKind,
    OutboxMessage,
    Proposal,
    ProposalKind,
    UnitRequest,
)
from bot.desk import Desk
from bot.epz.outages import NoticeInput
from bot.escalation.incidents import IncidentInput
from bot.logbook.service import Author
from tests.conftest import MORNING
from tests.documents.shift import build_desk
from tests.e2e.conftest import (
    CLERK,
    LEADER,
    OFF_DUTY,
    OFFICER,
    SECTION,
    STRANGER,
    TEAM_CHAT,
    TEAM_CONTACT,
    UNIT_CHAT,
    UNIT_CONTACT,
)

AN = Author(LEADER, "Nguyễn Văn An")
BINH = Author(SECTION, "Trần Thị Bình")
CUONG = Author(CLERK, "Lê Văn Cường")
DUNG = Author(OFFICER, "Phạm Thị Dung")
EM = Author(OFF_DUTY, "Hoàng Văn Em")
GIANG = Author(UNIT_CONTACT, "Võ Văn Giang")
HOA = Author(TEAM_CONTACT, "Đặng Thị Hoa")
NOBODY = Author(STRANGER, "Người lạ")
TOMORROW = MORNING + dt.timedelta(days=1)
NOBODY_ROSTERED = MORNING + dt.timedelta(days=2)
UNITS = [
    {
        "key": "hq-kv1",
        "name": "Chi cục HQ CK cảng Sài Gòn KV1",
        "chat_id": UNIT_CHAT,
        "head": OFF_DUTY,
    },
    {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": TEAM_CHAT},
]


@dataclass
class World:
    """The desk, its clock, and shortcuts to what a test does and reads."""

    desk: Desk

    @property
    def clock(self) -> ManualClock:
        assert isinstance(self.desk.clock, ManualClock)
        return self.desk.clock

    def later(self, minutes: float) -> dt.datetime:
        """Move the clock on and fire what is due; the new time."""
        self.clock.advance(dt.timedelta(minutes=minutes))
        self.desk.timers.fire_due(self.clock.now())
        return self.clock.now()

    def incident(self) -> int:
        incident = self.desk.escalation.incidents.open(
            DUNG, IncidentInput(description="Xe lạ đỗ sát kho CFS", place="Bãi B3"), MORNING
        ).value
        assert incident.id is not None
        return incident.id

    def proposal(
        self, kind: ProposalKind = ProposalKind.COORDINATION, unit: str = "hq-kv1"
    ) -> Proposal:
        step = self.desk.escalation.approvals.propose(
            DUNG, self.incident(), kind, [unit], "Đề nghị kiểm tra xe", self.clock.now()
        )
        assert step.ok and step.value is not None
        return step.value

    def outage(self) -> int:
        outage = self.desk.outages.notify(
            NoticeInput(
                enterprise="dncx-abc",
                kind=OutageKind.CAMERA,
                description="Ca-mê-ra cổng chính mất tín hiệu",
                cameras=["C01"],
                effect="Không giám sát được cổng chính",
                expected_fix=dt.date(2026, 11, 28),
                tech_contact="Nguyễn Văn Kỹ, 0912 345 678",
            ),
            Author(None, "Công ty TNHH ABC Việt Nam"),
            self.clock.now(),
        ).value
        assert outage is not None and outage.id is not None
        return outage.id

    def state(self) -> tuple[object, ...]:
        """Everything a step could change: proposals, requests, the outbox, logbook, deadlines."""
        with Session(self.desk.engine) as session:
            proposals = [
                (p.id, p.status, p.version, p.content, p.decider_id)
                for p in session.exec(select(Proposal).order_by(col(Proposal.id)))
            ]
            requests = [
                (r.id, r.status, r.result)
                for r in session.exec(select(UnitRequest).order_by(col(UnitRequest.id)))
            ]
            counts = [
                session.exec(select(func.count()).select_from(table)).one()
                for table in (OutboxMessage, LogbookEntry, Deadline, Incident)
            ]
        return proposals, requests, counts

    def live_deadlines(self, subject: str) -> list[tuple[str, dt.datetime]]:
        """A subject's deadlines still to fire, soonest first: (kind, due at)."""
        with Session(self.desk.engine) as session:
            rows = session.exec(
                select(Deadline)
                .where(
                    Deadline.subject == subject,
                    col(Deadline.fired_at).is_(None),
                    col(Deadline.cancelled).is_(False),
                )
                .order_by(col(Deadline.due_at))
            ).all()
        return [(row.kind, row.due_at) for row in rows]

    def sent_to(self, chat_id: int) -> list[str]:
        """The texts queued for a chat, oldest first."""
        with Session(self.desk.engine) as session:
            rows = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.method == "send_message")
                .order_by(col(OutboxMessage.id))
            ).all()
        return [json.loads(row.payload)["text"] for row in rows]

    def notes(self) -> list[str]:
        """The logbook's notes column, oldest first."""
        with Session(self.desk.engine) as session:
            entries = session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all()
        return [e.notes for e in entries if e.notes]

    def requests(self) -> list[UnitRequest]:
        with Session(self.desk.engine) as session:
            return list(session.exec(select(UnitRequest).order_by(col(UnitRequest.id))).all())

    def proposal_now(self, proposal_id: int) -> Proposal:
        found = self.desk.escalation.approvals.get(proposal_id)
        assert found is not None
        return found


@pytest.fixture
def world(migrated_url: str) -> Iterator[World]:
    """The e2e desk (the branch hq-kv1 headed by Hoàng Văn Em), built without Telegram."""
    desk = build_desk(migrated_url, units=UNITS)
    yield World(desk)
    desk.engine.dispose()
