"""The duty logbook (888 Annex I) of a shift, a day or a period, as rows ready to print."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import DocumentSettings
from bot.db.desk_scope import session_desk
from bot.db.models import LOGBOOK_CONTENT_FIELDS, DutyShift, LogbookEntry
from bot.documents.heading import Heading, place_date, short_date, time_near
from bot.shifts import ROLE_ORDER, Role, Roster

TITLE = "NHẬT KÝ TRỰC BAN"
# The Annex I columns, word for word.
COLUMNS = (
    "STT",
    "Ngày",
    "Thành phần trực ban",
    "Nội dung thực hiện",
    "Vụ việc phát sinh",
    "Nội dung chỉ đạo",
    "Kết quả thực hiện",
    "Ghi chú",
)
# What the Annex's notes ask each of the three compound columns to hold.
INCIDENT_PARTS = (
    "Thời gian phát sinh, tiếp nhận",
    "Địa điểm/địa bàn xảy ra",
    "Thông tin liên quan (tờ khai, số container,...)",
    "Nội dung vụ việc",
)
DIRECTION_PARTS = (
    "Thời gian xử lý",
    "Hình thức xử lý",
    "Nội dung xử lý",
    "Đầu mối tiếp nhận thực hiện",
)
RESULT_PARTS = ("Kết quả thực hiện, xử lý", "Thời gian báo cáo", "Đơn vị báo cáo")
CHAIN_LABEL = "Mã kiểm tra chuỗi nhật ký"

ROLE_NAMES = {
    Role.SHIFT_LEADER: "Lãnh đạo ca trực",
    Role.SECTION_LEADER: "Lãnh đạo cấp phòng trực ban",
    Role.CLERK: "Công chức Phòng Tổng hợp",
    Role.OFFICER: "Công chức trực ban",
}
CHANNELS = {"message": "tin nhắn", "phone": "điện thoại", "fax": "fax", "document": "văn bản"}


@dataclass(frozen=True)
class LogbookLine:
    """One Annex I line; the compound columns keep their parts apart for the spreadsheet."""

    stt: str
    day: str
    time: str
    composition: str
    work: str
    incident: tuple[str, str, str, str]
    direction: tuple[str, str, str, str]
    result: tuple[str, str, str]
    note: str

    def cells(self) -> tuple[str, ...]:
        """The eight Annex I cells, each compound column as labelled lines."""
        arisen, place, refs, content = self.incident
        when, channel, order, receiver = self.direction
        outcome, reported, unit = self.result
        return (
            self.stt,
            f"{self.day}\n{self.time}",
            self.composition,
            self.work,
            _lines(arisen, _labelled("Địa điểm", place), _labelled("Liên quan", refs), content),
            _lines(
                " ".join(filter(None, [when, f"({channel})" if channel else ""])),
                order,
                _labelled("Đầu mối", receiver),
            ),
            _lines(outcome, _labelled("Báo cáo lúc", reported), _labelled("Đơn vị", unit)),
            self.note,
        )

    def flat(self) -> tuple[str, ...]:
        """Every field in its own cell, in the order of the spreadsheet's columns."""
        return (
            self.stt,
            self.day,
            self.time,
            self.composition,
            self.work,
            *self.incident,
            *self.direction,
            *self.result,
            self.note,
        )


@dataclass(frozen=True)
class LogbookSheet:
    """A logbook ready to print: heading, the period it covers, its lines, the chain head."""

    heading: Heading
    period: str
    lines: list[LogbookLine]
    chain_head: str | None = None

    @property
    def footer(self) -> str:
        """The chain-head line a printed logbook is checked against, if there is a head."""
        return f"{CHAIN_LABEL}: {self.chain_head}" if self.chain_head else ""


def _labelled(label: str, value: str) -> str:
    return f"{label}: {value}" if value else ""


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def period_text(first: dt.date, last: dt.date, roster: Roster, tz: ZoneInfo) -> str:
    """'Ca trực ngày 25/11/2026 (08:00 25/11/2026 - 08:00 26/11/2026)', or a from-to line."""
    if first == last:
        window = roster.window(first)
        starts, ends = window.starts_at.astimezone(tz), window.ends_at.astimezone(tz)
        return (
            f"Ca trực ngày {short_date(first)} "
            f"(từ {starts:%H:%M} ngày {starts:%d/%m/%Y} đến {ends:%H:%M} ngày {ends:%d/%m/%Y})"
        )
    return f"Từ ca trực ngày {short_date(first)} đến ca trực ngày {short_date(last)}"


def composition_text(members: Iterable[tuple[Role, str]]) -> str:
    """'Lãnh đạo ca trực: Nguyễn Văn An' and so on, a role a line, leader first."""
    by_role: dict[Role, list[str]] = {}
    for role, name in members:
        by_role.setdefault(role, []).append(name)
    return "\n".join(
        f"{ROLE_NAMES[role]}: {', '.join(by_role[role])}" for role in ROLE_ORDER if role in by_role
    )


# The columns read for each line; rows, not ORM objects, since a month holds 20,000 of them.
_TABLE = LogbookEntry.__table__  # type: ignore[attr-defined]
_FIELDS = [
    _TABLE.c[name]
    for name in ("id", "shift_date", "seq", "created_at", "corrects_id", *LOGBOOK_CONTENT_FIELDS)
]


class LogbookReader:
    """Reads a period's entries, the shifts' composition and the corrections between lines."""

    def __init__(self, engine: Engine, roster: Roster, tz: ZoneInfo) -> None:
        self._engine = engine
        self._roster = roster
        self._tz = tz

    def sheet(
        self,
        first: dt.date,
        last: dt.date,
        settings: DocumentSettings,
        today: dt.date,
        chain_head: str | None = None,
    ) -> LogbookSheet:
        """The logbook of the shifts from `first` to `last`, both included."""
        heading = Heading(
            parent=settings.authority.upper(),
            issuer=settings.desk.upper(),
            place_date=place_date(settings.place, today),
        )
        return LogbookSheet(
            heading,
            period_text(first, last, self._roster, self._tz),
            self.lines(first, last),
            chain_head,
        )

    def lines(self, first: dt.date, last: dt.date) -> list[LogbookLine]:
        """The Annex I lines of a period, shift by shift, in line order."""
        with Session(self._engine) as session:
            rows = (
                session.connection()
                .execute(
                    sa_select(*_FIELDS)
                    .where(
                        _TABLE.c.desk == session_desk(session),
                        _TABLE.c.shift_date >= first,
                        _TABLE.c.shift_date <= last,
                    )
                    .order_by(_TABLE.c.shift_date, _TABLE.c.seq)
                )
                .all()
            )
            compositions = self._compositions(session, first, last)
            lines_of, corrected_by = self._corrections(session, first, rows)
        lines: list[LogbookLine] = []
        shift: dt.date | None = None
        for row in rows:
            composition = ""
            if row.shift_date != shift:
                # Written once, on a shift's first line, as in the paper logbook.
                shift = row.shift_date
                composition = compositions.get(shift, "")
            lines.append(self._line(row, composition, lines_of, corrected_by))
        return lines

    def _line(
        self,
        row: Any,
        composition: str,
        lines_of: dict[int, tuple[dt.date, int]],
        corrected_by: dict[int, list[tuple[dt.date, int]]],
    ) -> LogbookLine:
        r = row  # a Row with the _FIELDS attributes
        tz = self._tz
        created = r.created_at.astimezone(tz)
        day = created.date()
        notes: list[str] = []
        if r.corrects_id is not None:
            target = lines_of.get(r.corrects_id)
            if target is not None:
                notes.append("Đính chính " + _line_ref(target, r.shift_date))
        for fix in corrected_by.get(r.id, []):
            notes.append("Đã được đính chính tại " + _line_ref(fix, r.shift_date))
        if r.notes:
            notes.append(r.notes)
        incident = ("", "", "", "")
        if r.incident:
            arisen = time_near(r.incident_arisen_at, day, tz)
            received = time_near(r.incident_received_at, day, tz)
            times = (
                f"Phát sinh {arisen}, tiếp nhận {received}"
                if arisen and arisen != received
                else (f"Tiếp nhận {received}" if received else "")
            )
            incident = (times, r.incident_place, r.incident_refs, r.incident)
        direction = ("", "", "", "")
        if r.direction:
            direction = (
                time_near(r.direction_at, day, tz),
                CHANNELS.get(r.direction_channel, r.direction_channel),
                r.direction,
                r.direction_receiver,
            )
        result = ("", "", "")
        if r.result:
            result = (
                r.result,
                time_near(r.result_reported_at, day, tz),
                r.result_unit,
            )
        return LogbookLine(
            stt=f"{r.seq:02d}",
            day=short_date(day),
            time=f"{created:%H:%M}",
            composition=composition,
            work=r.work_performed,
            incident=incident,
            direction=direction,
            result=result,
            note="\n".join(notes),
        )

    def _compositions(self, session: Session, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Each shift's composition as recorded when the shift was first seen, else the roster's."""
        found: dict[dt.date, str] = {}
        for shift in session.exec(
            select(DutyShift).where(DutyShift.shift_date >= first, DutyShift.shift_date <= last)
        ).all():
            try:
                members = json.loads(shift.composition or "[]")
                found[shift.shift_date] = composition_text(
                    (Role(m["role"]), _person(m)) for m in members
                )
            except (ValueError, KeyError, TypeError):
                found[shift.shift_date] = ""
        day = first
        while day <= last:
            if not found.get(day):
                found[day] = composition_text(
                    (m.role, _person({"name": m.person.name, "title": m.person.title}))
                    for m in self._roster.members(day)
                )
            day += dt.timedelta(days=1)
        return found

    def _corrections(
        self, session: Session, first: dt.date, rows: Iterable[Any]
    ) -> tuple[dict[int, tuple[dt.date, int]], dict[int, list[tuple[dt.date, int]]]]:
        """Which line each correction corrects, and which lines correct each line."""
        lines_of = {r.id: (r.shift_date, r.seq) for r in rows}
        # A correction comes after what it corrects, so those of this period start in it.
        c = _TABLE.c
        fixes = (
            session.connection()
            .execute(
                sa_select(c.id, c.corrects_id, c.shift_date, c.seq).where(
                    c.desk == session_desk(session),
                    c.corrects_id.is_not(None),
                    c.shift_date >= first,
                )
            )
            .all()
        )
        corrected_by: dict[int, list[tuple[dt.date, int]]] = {}
        for fix_id, target, shift_date, seq in fixes:
            if target is not None:
                corrected_by.setdefault(target, []).append((shift_date, seq))
            lines_of.setdefault(fix_id, (shift_date, seq))
        outside = {t for _, t, _, _ in fixes if t is not None and t not in lines_of}
        if outside:
            for entry_id, shift_date, seq in (
                session.connection()
                .execute(sa_select(c.id, c.shift_date, c.seq).where(c.id.in_(outside)))
                .all()
            ):
                if entry_id is not None:
                    lines_of[entry_id] = (shift_date, seq)
        return lines_of, corrected_by


def _person(member: dict[str, str]) -> str:
    name, title = member.get("name", ""), member.get("title", "")
    return f"{name} ({title})" if title else name


def _line_ref(line: tuple[dt.date, int], shift_date: dt.date) -> str:
    """'dòng 03', or 'dòng 03 ca ngày 24/11/2026' when the line is in another shift."""
    target_shift, seq = line
    if target_shift == shift_date:
        return f"dòng {seq:02d}"
    return f"dòng {seq:02d} ca ngày {short_date(target_shift)}"
