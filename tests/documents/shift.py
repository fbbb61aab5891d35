"""A realistic shift recorded through the desk's own services: what the forms are drawn from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.models import Incident, MessageKind, OutageKind, ProposalKind
from bot.desk import Desk
from bot.epz.outages import NoticeInput
from bot.escalation.incidents import IncidentInput
from bot.logbook.service import Author, IncomingMessage
from tests.conftest import MORNING
from tests.e2e.conftest import (
    CLERK,
    ENTERPRISE,
    GROUP,
    LEADER,
    OFFICER,
    PEOPLE,
    TEAM_CHAT,
    UNIT_CHAT,
    UNIT_CONTACT,
    desk_config,
)

OFFICER_AUTHOR = Author(OFFICER, "Phạm Thị Dung")
LEADER_AUTHOR = Author(LEADER, "Nguyễn Văn An")
CLERK_AUTHOR = Author(CLERK, "Lê Văn Cường")
UNIT_AUTHOR = Author(UNIT_CONTACT, "Võ Văn Giang")
CONTACT = 3001
CONTACT_AUTHOR = Author(CONTACT, "Trần Minh Tuấn")
BRANCH_HEAD = 2010

# Where the forms' fields come from besides the chat: the desk's people with their phones,
# the units with their parent body, place and head, the director, the enterprise's signer.
PHONES = {LEADER: "0903 111 222", OFFICER: "0912 345 678"}
FORM_SOURCES: dict[str, Any] = {
    "people": [
        {**person, "phone": PHONES[person["id"]]} if person["id"] in PHONES else person
        for person in PEOPLE
    ]
    + [{"id": BRANCH_HEAD, "name": "Trần Văn Hùng", "title": "Chi cục trưởng", "unit": "hq-kv1"}],
    "units": [
        {
            "key": "hq-kv1",
            "name": "Chi cục HQ CK cảng Sài Gòn KV1",
            "chat_id": UNIT_CHAT,
            "head": BRANCH_HEAD,
            "parent": "Cục Hải quan TP. Hồ Chí Minh",
            "place": "TP. Hồ Chí Minh",
        },
        {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": TEAM_CHAT},
    ],
    "documents": {"director": "Trần Văn Đức", "phone": "024 3944 0833"},
    "enterprises": [{**ENTERPRISE, "place": "TP. Hồ Chí Minh"}],
}
ASSESSMENT = "Xe ra cổng không qua soi, có dấu hiệu đưa hàng chưa kiểm tra ra khỏi khu vực giám sát"
ESCALATED_ASSESSMENT = "Hàng đã thông quan nhưng có dấu hiệu khai sai tên hàng, cần kiểm tra lại"
SUGGESTION = "Đề nghị bổ sung ca-mê-ra tại làn ra cổng B"


@dataclass
class RecordedShift:
    """The desk and what happened in its shift of 25 November 2026."""

    desk: Desk
    coordination: Incident
    escalated: Incident
    outage_id: int


def at(hours: int, minutes: int) -> dt.datetime:
    """A moment on 25 November 2026, local time."""
    return MORNING.replace(hour=hours, minute=minutes)


def build_desk(url: str, **extra: Any) -> Desk:
    """The e2e desk's configuration, without Telegram; `extra` replaces config sections."""
    emu = SimpleNamespace(
        token="1:test", base_url="http://127.0.0.1:1/bot", base_file_url="http://127.0.0.1:1/file"
    )
    settings = Settings(**desk_config(emu, url, **extra))  # type: ignore[arg-type]
    return Desk.build(settings, make_engine(url), ManualClock(MORNING))


def record_shift(desk: Desk) -> RecordedShift:
    """A morning: routine checks, an incident handled with a unit, one escalated, an outage."""
    logbook, esc = desk.logbook, desk.escalation
    logbook.write(
        OFFICER_AUTHOR,
        "Kiểm tra trạng thái 45 ca-mê-ra khu vực cảng Cát Lái, hoạt động bình thường",
        at(8, 30),
        source=None,
        source_key="w1",
    )
    coordination = esc.incidents.open(
        OFFICER_AUTHOR,
        IncidentInput(
            description="Xe container ra cổng B không qua máy soi",
            place="Cảng Cát Lái, cổng B",
            camera="12",
            declarations=["105123456789"],
            containers=["CSQU3054383"],
            plates=["51C-123.45"],
            arisen_at=at(9, 5),
        ),
        at(9, 10),
    ).value
    assert coordination.id is not None
    proposal = esc.approvals.propose(
        OFFICER_AUTHOR,
        coordination.id,
        ProposalKind.COORDINATION,
        ["hq-kv1"],
        "Đề nghị Chi cục KV1 dừng xe và kiểm tra container CSQU3054383 tại cổng B",
        at(9, 12),
        assessment=ASSESSMENT,
    ).value
    assert proposal is not None and proposal.id is not None
    assert esc.approvals.approve(LEADER_AUTHOR, proposal.id, 1, at(9, 15)).ok
    request = esc.incidents.history(coordination.id).requests[0]  # type: ignore[union-attr]
    assert request.id is not None
    assert esc.requests.acknowledge(
        UNIT_AUTHOR, request.id, "Võ Văn Giang, 0903 123 456", at(11, 0), at(9, 27)
    ).ok
    assert esc.requests.report_result(
        UNIT_AUTHOR,
        request.id,
        "Đã dừng xe 51C-123.45, kiểm tra container CSQU3054383: hàng hóa phù hợp khai báo",
        "",
        "",
        at(10, 40),
        suggestion=SUGGESTION,
    ).ok
    escalated = esc.incidents.open(
        OFFICER_AUTHOR,
        IncidentInput(
            description="Lô hàng đã thông quan có dấu hiệu khai sai tên hàng",
            place="ICD Transimex",
            camera="16",
            declarations=["105987654321"],
            containers=["MSKU1234565"],
            tax_codes=["0312345678"],
        ),
        at(11, 20),
    ).value
    assert escalated.id is not None
    stop = esc.approvals.propose(
        OFFICER_AUTHOR,
        escalated.id,
        ProposalKind.INTERVENTION,
        ["doi-ks"],
        "Dừng đưa hàng ra khỏi khu vực giám sát, kiểm tra lại lô hàng",
        at(11, 25),
        assessment=ESCALATED_ASSESSMENT,
    ).value
    assert stop is not None and stop.id is not None
    assert esc.approvals.approve(LEADER_AUTHOR, stop.id, 1, at(11, 30)).ok
    assert esc.approvals.record_escalation(LEADER_AUTHOR, stop.id, True, at(12, 5)).ok
    # A filed message, then its edit: the edit is a correction of that line.
    logbook.record_message(
        IncomingMessage(GROUP, 501, CLERK_AUTHOR, at(13, 0), text="#ghichu Bàn giao 3 bộ hồ sơ")
    )
    logbook.record_message(
        IncomingMessage(
            GROUP,
            501,
            CLERK_AUTHOR,
            at(13, 0),
            kind=MessageKind.TEXT,
            text="#ghichu Bàn giao 4 bộ hồ sơ",
            edited_at=at(13, 5),
        )
    )
    invite = desk.enrolment.issue("dncx-abc", OFFICER, at(13, 30))
    desk.enrolment.redeem(invite.code, CONTACT, CONTACT_AUTHOR.name, at(13, 31))
    outage = desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.CAMERA,
            description="Ca-mê-ra cổng chính mất tín hiệu do hỏng nguồn",
            cameras=["C01"],
            effect="Không giám sát được phương tiện ra, vào cổng chính",
            expected_fix=dt.date(2026, 11, 28),
            tech_contact="Nguyễn Văn Kỹ, 0912 345 678",
        ),
        CONTACT_AUTHOR,
        at(14, 0),
    ).value
    assert outage is not None and outage.id is not None
    return RecordedShift(desk, coordination, escalated, outage.id)
