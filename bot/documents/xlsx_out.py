"""XLSX: the Annex I logbook over its columns' parts, and reports' tables, for sums."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents.blocks import Form, Table
from bot.documents.heading import MOTTO, NATION
from bot.documents.logbook import (
    COLUMNS,
    DIRECTION_PARTS,
    INCIDENT_PARTS,
    RESULT_PARTS,
    TITLE,
    LogbookSheet,
)
from bot.documents.printable import printable

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


def _text(cell: Cell) -> None:
    """Text stays text: a line typed as "=> …" or "=SUM(…)" is not a formula in the sheet."""
    if cell.data_type == "f":
        cell.data_type = "s"


def _value(value: Any) -> Any:
    return printable(value) if isinstance(value, str) else value


def _cell(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=_value(value))
    _text(cell)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell of a form's sheet by the export's rule for text."""
    cell: Cell = ws.cell(row, column, _value(value))
    _text(cell)
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


# Characters per centimetre of a table's relative widths, so the sheet reads like the paper.
_CHARS_PER_SHARE = 4.5


def render_form(form: Form) -> bytes:
    """A form's heading, paragraphs and tables as XLSX bytes: the tables' figures as numbers."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Báo cáo"
    tables = [block for block in form.body if isinstance(block, Table)]
    columns = max((len(table.columns) for table in tables), default=1)
    for index in range(columns):
        shares = [table.widths[index] for table in tables if index < len(table.widths)]
        ws.column_dimensions[get_column_letter(index + 1)].width = max(
            6.0, max(shares, default=4.0) * _CHARS_PER_SHARE
        )
    bold, italic = Font(bold=True), Font(italic=True)
    right = max(1, columns // 2 + 1)
    heading = form.heading
    row = 1
    for left_text, right_text, left_font, right_font in (
        (heading.parent, NATION, Font(), bold),
        (heading.issuer, MOTTO, bold, bold),
        ("", heading.place_date, Font(), italic),
    ):
        _put(ws, row, 1, left_text or None).font = left_font
        _put(ws, row, right, right_text or None).font = right_font
        row += 1
    row += 1
    for text, font in ((form.title, Font(bold=True, size=14)), (form.subtitle, bold)):
        if text:
            _put(ws, row, 1, text).font = font
            row += 1
    row += 1
    for block in form.body:
        if isinstance(block, Table):
            row = _table_rows(ws, block, row) + 1
        else:
            _put(ws, row, 1, block.text).font = Font(
                bold=all(run.bold for run in block.runs),
                italic=all(run.italic for run in block.runs),
            )
            row += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table_rows(ws: Worksheet, table: Table, top: int) -> int:
    """A table from row `top`: a bold boxed header, then its rows, figures kept as numbers.

    Returns the row after it.
    """
    for column, title in enumerate(table.columns, start=1):
        cell = _put(ws, top, column, title)
        cell.font, cell.alignment, cell.border = Font(bold=True), _HEAD_ALIGN, _BOX
    for row, values in enumerate(table.rows, start=top + 1):
        for column, value in enumerate(values, start=1):
            cell = _put(ws, row, column, value)
            cell.border, cell.alignment = _BOX, _WRAP
            if isinstance(value, float):
                cell.number_format = "0.0"
    return top + 1 + len(table.rows)
