"""A gate log as an XLSX workbook for inspection (247 I.2.3a), with Vietnamese headings."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.config import Enterprise
from bot.db.models import EpzOutage, GateMovementRecord
from bot.documents.printable import printable

# The enterprise shows its log to Customs on request; the form is read by Vietnamese
# inspectors whatever language the person asking for it uses.
TITLE = "SỔ THEO DÕI PHƯƠNG TIỆN RA, VÀO DOANH NGHIỆP CHẾ XUẤT"
HEADINGS = (
    "STT",
    "Biển kiểm soát",
    "Số container",
    "Vào/Ra",
    "Thời gian",
    "Người ghi",
    "Thời điểm ghi",
)
DIRECTIONS = {"in": "Vào", "out": "Ra"}
HEADING_ROW = 5
WIDTHS = (6, 16, 16, 8, 18, 24, 18)
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


@dataclass(frozen=True)
class GateLogRow:
    """One movement with the name of whoever recorded it."""

    record: GateMovementRecord
    recorded_by: str


def filename(outage: EpzOutage) -> str:
    """The file's name, e.g. so-theo-doi-cong-su-co-1.xlsx."""
    return f"so-theo-doi-cong-su-co-{outage.id}.xlsx"


def _local(when: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    # Excel has no time zones: the inspector reads local time.
    return when.astimezone(tz).replace(tzinfo=None)


def workbook(
    enterprise: Enterprise, outage: EpzOutage, rows: list[GateLogRow], tz: ZoneInfo
) -> bytes:
    """The gate log of one outage as XLSX bytes."""
    # openpyxl (with numpy) is imported by the first gate log asked for, not with the bot.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Su co {outage.id}"
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = printable(f"Doanh nghiệp: {enterprise.name} — MST {enterprise.tax_code}")
    sheet["A3"] = printable(
        f"Sự cố số {outage.id}, ca-mê-ra {', '.join(outage.camera_numbers()) or '—'}, "
        f"thông báo lúc {_local(outage.notified_at, tz):%d/%m/%Y %H:%M}"
    )
    for column, heading in enumerate(HEADINGS, start=1):
        cell = sheet.cell(row=HEADING_ROW, column=column, value=heading)
        cell.font = Font(bold=True)
    for index, row in enumerate(rows, start=1):
        record = row.record
        values: tuple[str | int | dt.datetime | None, ...] = (
            index,
            record.plate,
            record.container,
            DIRECTIONS.get(record.direction, record.direction),
            _local(record.at, tz),
            row.recorded_by,
            _local(record.recorded_at, tz),
        )
        for column, value in enumerate(values, start=1):
            # What the contact typed is text, by the exports' one rule (a plate "=1+1" is
            # not a formula).
            if isinstance(value, str):
                value = printable(value)
            cell = sheet.cell(row=HEADING_ROW + index, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            if isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    sheet.freeze_panes = f"A{HEADING_ROW + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
