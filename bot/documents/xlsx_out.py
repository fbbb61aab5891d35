"""The Annex I logbook as XLSX: the eight columns over their parts, for filtering and sums."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.documents.heading import MOTTO, NATION
from bot.documents.logbook import (
    COLUMNS,
    DIRECTION_PARTS,
    INCIDENT_PARTS,
    RESULT_PARTS,
    TITLE,
    LogbookSheet,
)

# (Annex I column, its parts): a column without parts takes both header rows.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (COLUMNS[0], ()),
    (COLUMNS[1], ("Ngày", "Giờ")),
    (COLUMNS[2], ()),
    (COLUMNS[3], ()),
    (COLUMNS[4], INCIDENT_PARTS),
    (COLUMNS[5], DIRECTION_PARTS),
    (COLUMNS[6], RESULT_PARTS),
    (COLUMNS[7], ()),
)
WIDTHS = (5, 11, 6, 30, 36, 18, 22, 22, 40, 10, 12, 40, 24, 36, 10, 24, 30)
HEADER_ROW = 8
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)


def _cell(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def render_logbook(sheet: LogbookSheet) -> bytes:
    """The logbook as XLSX bytes, written row by row (openpyxl's write-only mode)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("Nhật ký trực ban")
    span = len(WIDTHS)
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    bold, centre = Font(bold=True), Alignment(horizontal="center")
    heading = sheet.heading
    right = get_column_letter(9)
    top: list[tuple[str, str, Font | None]] = [
        (heading.parent, NATION, bold),
        (heading.issuer, MOTTO, bold),
        ("", heading.place_date, Font(italic=True)),
    ]
    for row, (left_text, right_text, right_font) in enumerate(top, start=1):
        left_font = bold if row == 2 else None
        ws.append(
            [_cell(ws, left_text, font=left_font or Font(), alignment=centre)]
            + [None] * 7
            + [_cell(ws, right_text, font=right_font, alignment=centre)]
        )
        ws.merged_cells.add(f"A{row}:E{row}")
        ws.merged_cells.add(f"{right}{row}:{get_column_letter(span)}{row}")
    ws.append([])
    ws.append([_cell(ws, TITLE, font=Font(bold=True, size=14), alignment=centre)])
    ws.append([_cell(ws, sheet.period, font=Font(italic=True), alignment=centre)])
    for row in (5, 6):
        ws.merged_cells.add(f"A{row}:{get_column_letter(span)}{row}")
    ws.append([])
    titles: list[Any] = []
    parts: list[Any] = []
    column = 1
    for title, pieces in GROUPS:
        width = max(1, len(pieces))
        titles += [_cell(ws, title, font=bold, alignment=_HEAD_ALIGN, border=_BOX)] + [
            _cell(ws, None, border=_BOX) for _ in range(width - 1)
        ]
        if pieces:
            parts += [
                _cell(ws, piece, font=bold, alignment=_HEAD_ALIGN, border=_BOX) for piece in pieces
            ]
            first, last = get_column_letter(column), get_column_letter(column + width - 1)
            if width > 1:
                ws.merged_cells.add(f"{first}{HEADER_ROW}:{last}{HEADER_ROW}")
        else:
            parts.append(_cell(ws, None, border=_BOX))
            letter = get_column_letter(column)
            ws.merged_cells.add(f"{letter}{HEADER_ROW}:{letter}{HEADER_ROW + 1}")
        column += width
    ws.append(titles)
    ws.append(parts)
    ws.freeze_panes = f"A{HEADER_ROW + 2}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    for line in sheet.lines:
        # A styled cell costs far more than a bare value: wrap only where there is text.
        ws.append([_cell(ws, value, alignment=_WRAP) if value else None for value in line.flat()])
    if sheet.footer:
        ws.append([])
        ws.append([_cell(ws, sheet.footer, font=Font(italic=True))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
