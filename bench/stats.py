"""Statistics of a quarter of a busy desk: /stats figures, its four charts, the equipment report.

A fresh SQLite database gets the fourth quarter of 2026 as a busy desk records it, written
with plain inserts shaped as the services write them (so the statistics count every row):
200 cameras in 8 areas (two of them export processing zones with their enterprises), 1,500
incidents with proposals of every kind, about 3,000 requests to units (about one in ten past
the 30 minutes, some never answered), 30,000 camera alerts (some false alarms), each camera
going down and up a few dozen times, and 40 EPZ outages (repaired in time, late, still open).
Each measurement then runs in its own process (so one's memory does not count against the
next): the figures of a week, a month and the quarter; the quarter's figures and four charts
as /stats makes them, with the process's memory before matplotlib is imported and after the
charts are drawn (what the first /stats adds to a running bot); and the quarter's equipment
report (96 part III) as DOCX, XLSX and PDF. Each prints its time and its peak RSS.

Usage: python bench/stats.py [--scale 1.0] [--keep DIR]
Targets (this bench's own; the issue sets none for /stats): under 5 s for the quarter's
figures and charts together; under 10 s and 500 MB peak RSS for each report format.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine, upgrade
from bot.db.models import (
    AlertSource,
    CameraAlert,
    CameraState,
    CameraStatus,
    CameraTransition,
    EpzOutage,
    Incident,
    OutageKind,
    OutageStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RequestStatus,
    UnitRequest,
)
from bot.epz.outages import REPAIR_WORKING_DAYS
from bot.epz.workdays import desk_calendar
from bot.shifts import Roster

TARGET_STATS_SECONDS = 5.0
TARGET_REPORT_SECONDS = 10.0
TARGET_MB = 500.0
ICT = dt.timezone(dt.timedelta(hours=7))
FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
# The shifts of the quarter run from 08:00 on 1/10 to 08:00 on 1/1.
START = dt.datetime(2026, 10, 1, 8, 0, tzinfo=ICT)
END = dt.datetime(2027, 1, 1, 8, 0, tzinfo=ICT)
# The quarter is over when the statistics are asked for.
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=ICT)
REPLY_LIMIT = dt.timedelta(minutes=30)
PERIODS = {"week": ("last-week", dt.date(2026, 12, 21)), "month": ("2026-11", LAST)}
PERIODS["quarter"] = ("2026-Q4", LAST)
REPORTS = ("docx", "xlsx", "pdf")
PNG = b"\x89PNG\r\n\x1a\n"

PEOPLE = [
    {"id": 1001, "name": "Nguyễn Văn An", "title": "Phó Cục trưởng"},
    {"id": 1002, "name": "Trần Thị Bình", "title": "Trưởng phòng"},
    {"id": 1003, "name": "Lê Văn Cường", "title": "Chuyên viên Phòng Tổng hợp"},
    {"id": 1004, "name": "Phạm Thị Dung", "title": "Công chức"},
    {"id": 1005, "name": "Hoàng Văn Em", "title": "Công chức"},
    {"id": 1006, "name": "Đỗ Thị Phương", "title": "Công chức"},
]
OFFICERS = [(1004, "Phạm Thị Dung"), (1005, "Hoàng Văn Em"), (1006, "Đỗ Thị Phương")]
LEADER = (1001, "Nguyễn Văn An")
UNITS = [
    {"key": "hq-kv1", "name": "Chi cục HQ CK cảng Sài Gòn KV1", "chat_id": -1001000000101},
    {"key": "hq-kv3", "name": "Chi cục HQ CK cảng Sài Gòn KV3", "chat_id": -1001000000103},
    {"key": "hq-ktt", "name": "Chi cục HQ KCX Tân Thuận", "chat_id": -1001000000104},
    {"key": "hq-klt", "name": "Chi cục HQ KCX Linh Trung", "chat_id": -1001000000105},
    {"key": "hq-tsn", "name": "Chi cục HQ CK sân bay Tân Sơn Nhất", "chat_id": -1001000000106},
    {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": -1001000000107},
    {"key": "doi-cbl", "name": "Đội Kiểm soát chống buôn lậu", "chat_id": -1001000000108},
]
# Area, its unit, where its cameras are, and whether it is an export processing zone.
AREAS = [
    ("Cát Lái", "hq-kv1", "Cảng Cát Lái", False),
    ("Hiệp Phước", "hq-kv3", "Cảng Hiệp Phước", False),
    ("ICD Phước Long", "hq-kv1", "ICD Phước Long", False),
    ("ICD Transimex", "hq-kv1", "ICD Transimex", False),
    ("Sân bay TSN", "hq-tsn", "Sân bay Tân Sơn Nhất", False),
    ("Kho CFS", "hq-kv3", "Kho CFS số 2", False),
    ("KCX Tân Thuận", "hq-ktt", "KCX Tân Thuận", True),
    ("KCX Linh Trung", "hq-klt", "KCX Linh Trung", True),
]
CAMERA_SPOTS = ["Cổng {n} làn vào", "Cổng {n} làn ra", "Bãi {n}", "Kho {n}", "Máy soi {n}"]
# Each EPZ area holds this many enterprises, with the area's cameras shared out between them.
ENTERPRISES_PER_ZONE = 5
INCIDENT_TEXTS = [
    "Xe container {plate} ra cổng không qua máy soi",
    "Phát hiện người lạ trèo rào khu vực bãi",
    "Xe chở hàng dừng lâu bất thường tại bãi",
    "Lô hàng tờ khai {decl} có dấu hiệu khai sai tên hàng",
    "Container {cont} niêm phong có dấu hiệu bị cắt",
    "Xe biển số {plate} vào khu vực giám sát không có lệnh",
]
PROPOSAL_TEXTS = {
    ProposalKind.REMINDER: "Nhắc đơn vị thực hiện đúng quy trình giám sát",
    ProposalKind.INFORMATION: "Đề nghị cung cấp hồ sơ tờ khai {decl}",
    ProposalKind.COORDINATION: "Đề nghị phối hợp dừng xe {plate}, kiểm tra container {cont}",
    ProposalKind.INTERVENTION: "Đề nghị dừng đưa hàng ra khỏi khu vực giám sát",
    ProposalKind.MOBILE_EQUIPMENT: "Đề nghị điều máy soi di động đến cổng",
    ProposalKind.INTERIM_MEASURE: "Bố trí công chức giám sát trực tiếp tại cổng đến khi khắc phục",
}
# The handling of an incident's latest proposal; None: nothing proposed.
KIND_WEIGHTS: list[tuple[ProposalKind | None, int]] = [
    (None, 10),
    (ProposalKind.REMINDER, 25),
    (ProposalKind.INFORMATION, 25),
    (ProposalKind.COORDINATION, 25),
    (ProposalKind.INTERVENTION, 8),
    (ProposalKind.MOBILE_EQUIPMENT, 5),
]
ESCALATED = (ProposalKind.INTERVENTION, ProposalKind.MOBILE_EQUIPMENT)
ALERT_KINDS = ["motion", "line_crossing", "intrusion", "tampering", "plate_watchlist"]


def cameras() -> list[dict[str, Any]]:
    """The registry: 25 cameras in each area; those of a zone belong to its enterprises."""
    registry = []
    for area_index, (area, unit, place, zone) in enumerate(AREAS):
        for n in range(25):
            number = f"C{area_index * 25 + n + 1:03d}"
            camera: dict[str, Any] = {
                "number": number,
                "name": CAMERA_SPOTS[n % len(CAMERA_SPOTS)].format(n=n // len(CAMERA_SPOTS) + 1),
                "place": place,
                "area": area,
                "unit": unit,
            }
            if zone:
                camera["enterprise"] = f"dncx-{area_index}-{n % ENTERPRISES_PER_ZONE}"
            registry.append(camera)
    return registry


def enterprises(registry: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The EPZ enterprises, each with its share of the zone's cameras on its map."""
    found: dict[str, dict[str, Any]] = {}
    for camera in registry:
        key = camera.get("enterprise")
        if key is None:
            continue
        enterprise = found.setdefault(
            key,
            {
                "key": key,
                "name": f"Công ty TNHH Chế xuất {camera['area'][4:]} {len(found) + 1:02d}",
                "tax_code": f"03{len(found) + 10000000:08d}",
                "branch": camera["unit"],
                "cameras": [],
            },
        )
        enterprise["cameras"].append(
            {"number": camera["number"], "name": camera["name"], "kind": "gate"}
        )
    return list(found.values())


def settings_for(url: str) -> Settings:
    """The desk of the bench: people, units, the camera registry and the EPZ enterprises."""
    registry = cameras()
    return Settings(
        database={"url": url},
        people=PEOPLE,
        units=UNITS,
        cameras=registry,
        enterprises=enterprises(registry),
        documents={"desk": "Trực ban Cục Hải quan TP. Hồ Chí Minh", "place": "TP. Hồ Chí Minh"},
    )


def moment(rng: random.Random, first: dt.datetime = START, last: dt.datetime = END) -> dt.datetime:
    """A random moment between two, to the second."""
    return first + dt.timedelta(seconds=rng.randint(0, int((last - first).total_seconds())))


def words(rng: random.Random) -> dict[str, str]:
    """References as officers write them."""
    return {
        "plate": f"51C-{rng.randint(100, 999)}.{rng.randint(10, 99)}",
        "cont": f"CSQU{rng.randint(1000000, 9999999)}",
        "decl": f"10{rng.randint(1000000000, 9999999999)}",
    }


class Rows:
    """Rows to insert, table by table, with the ids the services would have given them."""

    def __init__(self) -> None:
        self.tables: dict[type[SQLModel], list[dict[str, Any]]] = {}

    def add(self, model: type[SQLModel], **row: Any) -> int:
        rows = self.tables.setdefault(model, [])
        if "id" in model.model_fields:
            row.setdefault("id", len(rows) + 1)
        rows.append(row)
        return int(row.get("id", len(rows)))

    def count(self, model: type[SQLModel]) -> int:
        return len(self.tables.get(model, []))


def _incident(rows: Rows, rng: random.Random, roster: Roster, when: dt.datetime) -> int:
    officer_id, officer_name = rng.choice(OFFICERS)
    w = words(rng)
    camera = rng.randint(1, 200)
    return rows.add(
        Incident,
        year=2026,
        number=rows.count(Incident) + 1,
        shift_date=roster.shift_date_at(when),
        arisen_at=when - dt.timedelta(minutes=rng.randint(0, 20)),
        received_at=when,
        reporter_id=officer_id,
        reporter_name=officer_name,
        place=rng.choice(AREAS)[2],
        camera=f"C{camera:03d}",
        declarations=w["decl"],
        containers=w["cont"],
        plates=w["plate"],
        tax_codes="",
        description=rng.choice(INCIDENT_TEXTS).format(**w),
    )


def _request(
    rows: Rows, rng: random.Random, proposal_id: int, unit: dict[str, Any], at: dt.datetime
) -> None:
    """One request delivered at `at`, answered as units answer: mostly in time, some never."""
    delivered = at
    due = delivered + REPLY_LIMIT
    row: dict[str, Any] = {
        "proposal_id": proposal_id,
        "unit_key": unit["key"],
        "person_id": None,
        "chat_id": unit["chat_id"],
        "delivery_outbox_id": None,
        "delivered_at": delivered,
        "reply_due_at": due,
        "breached_at": None,
        "acknowledged_at": None,
        "contact": "",
        "eta": None,
        "responder_id": None,
        "responder_name": "",
        "reported_at": None,
        "timeline": "",
        "result": "",
        "late_reason": "",
        "responsible": "",
    }
    fate = rng.random()
    if fate < 0.05:
        # Never answered: the 30 minutes passed and the breach was recorded.
        row.update(status=RequestStatus.WAITING.value, breached_at=due)
    elif fate < 0.07:
        # Telegram refused the delivery: the desk phoned them, no clock ran.
        row.update(status=RequestStatus.UNREACHABLE.value)
    elif fate < 0.2:
        # Answered at once with the result.
        row.update(
            status=RequestStatus.ANSWERED.value,
            reported_at=delivered + dt.timedelta(minutes=rng.uniform(1, 25)),
            result="Đã thực hiện theo đề nghị",
            responder_name="Võ Văn Giang",
        )
    else:
        late = fate < 0.25
        waited = rng.uniform(31, 180) if late else rng.uniform(1, 28)
        acknowledged = delivered + dt.timedelta(minutes=waited)
        row.update(
            status=RequestStatus.ACKNOWLEDGED.value,
            breached_at=due if late else None,
            acknowledged_at=acknowledged,
            contact="Võ Văn Giang, 0903 123 456",
            eta=acknowledged + dt.timedelta(hours=2),
            responder_name="Võ Văn Giang",
            late_reason="Đang xử lý vụ việc khác" if late else "",
        )
        if rng.random() < 0.85:
            row.update(
                status=RequestStatus.REPORTED.value,
                reported_at=acknowledged + dt.timedelta(minutes=rng.uniform(20, 300)),
                result="Đã kiểm tra, hàng hóa phù hợp khai báo",
                timeline="Kiểm tra tại cổng, đối chiếu tờ khai",
            )
    rows.add(UnitRequest, **row)


def _proposal(
    rows: Rows,
    rng: random.Random,
    incident_id: int,
    kind: ProposalKind,
    when: dt.datetime,
    status: ProposalStatus,
    outage_id: int | None = None,
) -> None:
    """A proposal made at `when`, decided five minutes later, and its requests when sent."""
    w = words(rng)
    officer_id, officer_name = rng.choice(OFFICERS)
    units = rng.sample(UNITS, rng.choice((1, 2, 2, 3, 3))) if outage_id is None else []
    decided = when + dt.timedelta(minutes=5)
    escalated = status is ProposalStatus.ESCALATION_APPROVED
    sent_at = decided + dt.timedelta(minutes=35) if escalated else decided
    proposal_id = rows.add(
        Proposal,
        incident_id=incident_id,
        kind=kind.value,
        units=",".join(unit["key"] for unit in units),
        people="",
        content=PROPOSAL_TEXTS[kind].format(**w),
        urgent_case=None,
        status=status.value,
        version=1,
        proposer_id=officer_id,
        proposer_name=officer_name,
        created_at=when,
        decided_at=None if status is ProposalStatus.PENDING else decided,
        decider_id=None if status is ProposalStatus.PENDING else LEADER[0],
        decider_name="" if status is ProposalStatus.PENDING else LEADER[1],
        reason="Xe của cảng, đã có lệnh" if status is ProposalStatus.REJECTED else "",
        escalation_decided_at=sent_at if escalated else None,
        escalation_note="Tổng cục trưởng đồng ý" if escalated else "",
        card_outbox_id=None,
        outage_id=outage_id,
    )
    if status in (ProposalStatus.APPROVED, ProposalStatus.ESCALATION_APPROVED):
        for unit in units:
            _request(rows, rng, proposal_id, unit, sent_at)


def _handled(
    rows: Rows, rng: random.Random, incident_id: int, kind: ProposalKind | None, when: dt.datetime
) -> None:
    """An incident's proposals: sometimes an earlier one, then the latest of `kind`."""
    if kind is None:
        return
    proposed = when + dt.timedelta(minutes=rng.randint(3, 15))
    if rng.random() < 0.3:
        earlier = rng.choice([k for k, _ in KIND_WEIGHTS if k is not None and k is not kind])
        first = rng.choice((ProposalStatus.APPROVED, ProposalStatus.REJECTED))
        if earlier in ESCALATED and first is ProposalStatus.APPROVED:
            first = ProposalStatus.ESCALATION_APPROVED
        _proposal(rows, rng, incident_id, earlier, proposed, first)
        proposed += dt.timedelta(minutes=rng.randint(40, 120))
    fate = rng.random()
    if fate < 0.04:
        status = ProposalStatus.PENDING
    elif fate < 0.12:
        status = ProposalStatus.REJECTED
    else:
        status = (
            ProposalStatus.ESCALATION_APPROVED if kind in ESCALATED else ProposalStatus.APPROVED
        )
    _proposal(rows, rng, incident_id, kind, proposed, status)


def _incidents(rows: Rows, rng: random.Random, roster: Roster, count: int) -> None:
    """`count` incidents over the quarter, in time order, each with its proposals."""
    kinds = [k for k, _ in KIND_WEIGHTS]
    weights = [w for _, w in KIND_WEIGHTS]
    for when in sorted(moment(rng) for _ in range(count)):
        incident_id = _incident(rows, rng, roster, when)
        _handled(rows, rng, incident_id, rng.choices(kinds, weights)[0], when)


def _health(rows: Rows, rng: random.Random, registry: list[dict[str, Any]]) -> None:
    """Each camera's state changes as the health round records them, and where it stands now."""
    for index, camera in enumerate(registry):
        if index % 67 == 66:
            continue  # a few cameras without ONVIF: never checked
        number = camera["number"]
        first_seen = START - dt.timedelta(days=rng.randint(5, 60))
        changes = [(CameraState.UP, first_seen)]
        starts = sorted(moment(rng) for _ in range(rng.randint(20, 45)))
        for start, following in zip(starts, [*starts[1:], END], strict=True):
            # Mostly minutes, sometimes hours; now and then a day or two waiting for a repair.
            minutes = rng.lognormvariate(3.5, 1.2) * (30 if rng.random() < 0.03 else 1)
            restored = min(start + dt.timedelta(minutes=minutes), following)
            broken = CameraState.DEGRADED if rng.random() < 0.2 else CameraState.DOWN
            changes.append((broken, start))
            if restored < following:
                changes.append((CameraState.UP, restored))
        for state, at in changes:
            rows.add(CameraTransition, camera=number, state=state.value, at=at)
        state, since = changes[-1]
        rows.add(
            CameraStatus,
            camera=number,
            state=state.value,
            since=since,
            checked_at=NOW - dt.timedelta(minutes=2),
            reason="" if state is CameraState.UP else "ONVIF không phản hồi",
            drift=False,
        )


def _alerts(rows: Rows, rng: random.Random, registry: list[dict[str, Any]], count: int) -> None:
    """Alerts the cameras raised; some were marked false alarms by an officer."""
    # Some cameras watch busier gates than others.
    weights = [rng.uniform(0.2, 3.0) for _ in registry]
    numbers = [camera["number"] for camera in registry]
    for camera in rng.choices(numbers, weights, k=count):
        received = moment(rng)
        false_alarm = rng.random() < 0.08
        times = rng.choice((1, 1, 1, 2, 3, 5))
        rows.add(
            CameraAlert,
            camera=camera,
            kind=rng.choice(ALERT_KINDS),
            source=rng.choice((AlertSource.ONVIF, AlertSource.WEBHOOK)).value,
            occurred_at=received - dt.timedelta(seconds=rng.randint(0, 5)),
            received_at=received,
            last_seen_at=received + dt.timedelta(seconds=40 * (times - 1)),
            count=times,
            detail="",
            refs=f"BKS {words(rng)['plate']}" if rng.random() < 0.3 else "",
            card_outbox_id=None,
            digest=False,
            false_alarm_by=rng.choice(OFFICERS)[1] if false_alarm else "",
            false_alarm_reason="Chim bay qua" if false_alarm else "",
            incident_id=None,
        )


def _outages(
    rows: Rows, rng: random.Random, settings: Settings, roster: Roster, count: int
) -> Counter[str]:
    """EPZ outages: repaired in time, late, still open; one from September over before."""
    calendar = desk_calendar(settings)
    fates: Counter[str] = Counter()
    notices = [START - dt.timedelta(days=20), START - dt.timedelta(days=3)]
    notices += sorted(moment(rng, START, END - dt.timedelta(days=2)) for _ in range(count - 2))
    for index, notified in enumerate(notices):
        notified = notified.replace(hour=rng.randint(8, 16))
        enterprise = rng.choice(settings.enterprises)
        kind = rng.choices(list(OutageKind), (70, 20, 6, 4))[0]
        days = REPAIR_WORKING_DAYS.get(kind)
        expected = (notified + dt.timedelta(days=rng.randint(1, 3))).date()
        deadline = calendar.add_working_days(notified, days) if days else expected
        numbers = [camera.number for camera in enterprise.cameras]
        on_map = numbers if kind is OutageKind.TRANSMISSION else rng.sample(numbers, 1)
        due = dt.datetime.combine(deadline, dt.time(16, 0), tzinfo=ICT)
        fate = "met" if index == 0 else rng.choices(("met", "late", "open"), (55, 25, 20))[0]
        if fate == "met":
            restored = notified + (due - notified) * rng.uniform(0.1, 0.9)
        else:
            restored = due + dt.timedelta(days=rng.uniform(1, 8))
        if fate == "open" or restored > NOW:
            restored, fate = None, "open"
        outage_id = rows.add(
            EpzOutage,
            enterprise=enterprise.key,
            kind=kind.value,
            cameras=",".join(on_map),
            description="Mất tín hiệu ca-mê-ra" if kind is OutageKind.CAMERA else "Sự cố",
            effect="Không giám sát được cổng",
            expected_fix=expected if not days else None,
            tech_contact="Kỹ thuật viên, 0908 765 432",
            reporter_id=3000 + index,
            notified_at=notified,
            starts_at=notified if not days else None,
            deadline=deadline,
            status=(OutageStatus.CLOSED if restored else OutageStatus.OPEN).value,
            explanation="",
            new_date=None,
            restored_at=restored,
            closed_at=restored + dt.timedelta(hours=1) if restored else None,
            closed_by=rng.choice(OFFICERS)[1] if restored else "",
            met_deadline=None if restored is None else fate == "met",
            incident_id=None,
        )
        fates[fate] += 1
        if index % 4 == 1:
            # An interim supervision measure, proposed under an incident made for the outage.
            incident_id = _incident(rows, rng, roster, notified + dt.timedelta(minutes=30))
            rows.tables[EpzOutage][-1]["incident_id"] = incident_id
            when = notified + dt.timedelta(minutes=40)
            _proposal(
                rows,
                rng,
                incident_id,
                ProposalKind.INTERIM_MEASURE,
                when,
                ProposalStatus.APPROVED,
                outage_id,
            )
    return fates


def fill(url: str, scale: float, seed: int = 4) -> tuple[dict[str, int], Counter[str]]:
    """Write the quarter; return the rows written per table and the outages' fates."""
    rng = random.Random(seed)
    upgrade(url)
    settings = settings_for(url)
    roster = Roster(settings)
    registry = [camera.model_dump() for camera in settings.cameras]
    rows = Rows()
    fates = _outages(rows, rng, settings, roster, max(3, round(40 * scale)))
    _incidents(rows, rng, roster, round(1500 * scale) - rows.count(Incident))
    _health(rows, rng, registry)
    _alerts(rows, rng, registry, round(30_000 * scale))
    engine = make_engine(url)
    # Parents before the rows that point at them.
    order = [Incident, EpzOutage, Proposal, UnitRequest, CameraTransition, CameraStatus]
    order.append(CameraAlert)
    with Session(engine) as session:
        connection = session.connection()
        for model in order:
            connection.execute(model.__table__.insert(), rows.tables[model])  # type: ignore[attr-defined]
        session.commit()
    engine.dispose()
    return {model.__tablename__: rows.count(model) for model in order}, fates  # type: ignore[misc]


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, what: str, out: Path) -> dict[str, Any]:
    """One measurement in this process, as the running bot makes it."""
    from bot.desk import Desk
    from bot.documents.service import Format
    from bot.stats.periods import parse_stats_period

    settings = settings_for(url)
    desk = Desk.build(settings, make_engine(url), ManualClock(NOW))
    if what in REPORTS:
        period = parse_stats_period(*PERIODS["quarter"])
        assert period is not None
        started = time.perf_counter()
        made = desk.documents.equipment(period, Format(what), NOW)
        seconds = time.perf_counter() - started
        (out / made.filename).write_bytes(made.data)
        return {"seconds": seconds, "peak_mb": peak_mb(), "bytes": len(made.data)}
    period = parse_stats_period(*PERIODS["quarter" if what == "charts" else what])
    assert period is not None
    started = time.perf_counter()
    figures = desk.stats.figures(period, NOW)
    reckoned = time.perf_counter() - started
    result: dict[str, Any] = {
        "seconds": reckoned,
        "days": len(figures.incidents),
        "incidents": figures.incident_count,
        "requests": len(figures.replies),
        "breaches": figures.breaches,
        "unanswered": figures.unanswered,
        "alerts": figures.alerts,
        "false_alarms": figures.false_alarms,
        "availability": figures.camera_total().availability,
        "faults": figures.camera_total().faults,
        "outages": Counter(outage.verdict.value for outage in figures.outages),
    }
    if what == "charts":
        from bot.i18n import translator
        from bot.stats import charts

        assert "matplotlib" not in sys.modules
        before = rss_mb()
        started = time.perf_counter()
        drawn = charts.render(figures, translator("vi", settings.tz))
        result.update(drawn=time.perf_counter() - started, before_mb=before, after_mb=rss_mb())
        result["charts"] = []
        for chart in drawn:
            (out / f"stats-{chart.name}.png").write_bytes(chart.png)
            width, height = struct.unpack(">II", chart.png[16:24])
            is_png = chart.png.startswith(PNG)
            result["charts"].append([chart.name, is_png, width, height, len(chart.png)])
    result["peak_mb"] = peak_mb()
    return result


def measure(url: str, what: str, folder: Path) -> dict[str, Any]:
    """Run one measurement in its own process and read its figures."""
    command = [sys.executable, __file__, "--child", what, "--url", url, "--keep", str(folder)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def verdict(met: bool) -> str:
    return "meets" if met else "MISSES"


def report(url: str, folder: Path) -> bool:
    """Measure everything, print the figures beside the targets; True if every target is met."""
    for name in ("week", "month", "quarter"):
        got = measure(url, name, folder)
        outages = ", ".join(f"{n} {v}" for v, n in sorted(got["outages"].items()))
        print(
            f"figures {name:7} {got['seconds']:6.2f} s  {got['peak_mb']:5.0f} MB peak  "
            f"{got['days']} shifts, {got['incidents']} incidents, {got['requests']} requests "
            f"({got['breaches']} past 30 min, {got['unanswered']} unanswered), "
            f"{got['alerts']} alerts ({got['false_alarms']} false), {got['faults']} faults, "
            f"{got['availability']:.1f}% up, outages: {outages}"
        )
    got = measure(url, "charts", folder)
    for name, is_png, width, height, size in got["charts"]:
        kind = "PNG" if is_png else "NOT A PNG"
        print(f"  chart {name:9} {kind} {width}x{height}, {size / 1024:.0f} KB")
    together = got["seconds"] + got["drawn"]
    pngs = all(is_png for _, is_png, *_ in got["charts"]) and len(got["charts"]) == 4
    stats_ok = together < TARGET_STATS_SECONDS and pngs
    print(
        f"/stats quarter: figures {got['seconds']:.2f} s + four charts {got['drawn']:.2f} s = "
        f"{together:.2f} s, {got['peak_mb']:.0f} MB peak; RSS {got['before_mb']:.0f} MB before "
        f"matplotlib, {got['after_mb']:.0f} MB after the charts "
        f"(+{got['after_mb'] - got['before_mb']:.0f} MB the first /stats adds)"
    )
    print(
        f"target (this bench's own): quarter's figures and charts under "
        f"{TARGET_STATS_SECONDS:.0f} s: {verdict(stats_ok)}"
    )
    ok = stats_ok
    for fmt in REPORTS:
        got = measure(url, fmt, folder)
        met = got["seconds"] < TARGET_REPORT_SECONDS and got["peak_mb"] < TARGET_MB
        ok &= met
        print(
            f"equipment report {fmt.upper():4} {got['seconds']:6.2f} s  {got['peak_mb']:5.0f} MB "
            f"peak  {got['bytes'] / 1024:6.0f} KB file  target (this bench's own) under "
            f"{TARGET_REPORT_SECONDS:.0f} s and {TARGET_MB:.0f} MB: {verdict(met)}"
        )
    return ok


def main() -> int:
    """Fill a database, measure each thing in its own process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="times the busy desk's rows")
    parser.add_argument("--keep", type=Path, help="keep the database, charts and reports here")
    parser.add_argument("--child", choices=[*PERIODS, "charts", *REPORTS], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.child, args.keep)))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bench-stats.db").unlink(missing_ok=True)
        url = f"sqlite:///{folder / 'bench-stats.db'}"
        started = time.perf_counter()
        counts, fates = fill(url, args.scale)
        print(
            f"{FIRST:%d/%m}-{LAST:%d/%m/%Y} written in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{count} {table}" for table, count in counts.items())
            + f"; outages by fate: {', '.join(f'{n} {fate}' for fate, n in sorted(fates.items()))}"
        )
        ok = report(url, folder)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
