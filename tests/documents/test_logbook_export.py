"""Annex I from a recorded shift: DOCX, XLSX and PDF with the seed's columns and the records."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
from docx import Document

from bot.documents.logbook import COLUMNS
from bot.documents.periods import Period
from bot.documents.service import Documents, Format
from bot.logbook.chain import verify
from tests.documents.reading import pdf_text, render_png, squeeze
from tests.documents.shift import RecordedShift, at

DAY = dt.date(2026, 11, 25)
HEAD = "4be1c0d9a7f3"


def documents(shift: RecordedShift) -> Documents:
    desk = shift.desk
    return Documents(desk.settings, desk.engine, desk.roster)


def test_docx_logbook_has_the_annex_layout_and_the_shift(shift: RecordedShift) -> None:
    made = documents(shift).logbook(Period(DAY, DAY), Format.DOCX, at(15, 0), chain_head=HEAD)
    assert made.filename == "nhat-ky-truc-ban_2026-11-25.docx"
    document = Document(io.BytesIO(made.data))
    heading, table = document.tables
    left, right = (cell.text for cell in heading.rows[0].cells)
    assert left.splitlines()[:2] == ["TỔNG CỤC HẢI QUAN", "TRỰC BAN"]
    assert right.splitlines()[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert "Hà Nội, ngày 25 tháng 11 năm 2026" in right
    paragraphs = [p.text for p in document.paragraphs]
    assert "NHẬT KÝ TRỰC BAN" in paragraphs
    assert any(p.startswith("Ca trực ngày 25/11/2026 (từ 08:00") for p in paragraphs)
    assert [cell.text for cell in table.rows[0].cells] == list(COLUMNS)
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    first = rows[0]
    assert first[0] == "01" and first[1] == "25/11/2026\n08:30"
    assert "Lãnh đạo ca trực: Nguyễn Văn An (Phó Cục trưởng)" in first[2]
    assert "Công chức Phòng Tổng hợp: Lê Văn Cường" in first[2]
    assert first[3].startswith("Kiểm tra trạng thái 45 ca-mê-ra")
    incident = next(row for row in rows if "[2026/0001]" in row[4])
    assert incident[4].splitlines() == [
        "Phát sinh 09:05, tiếp nhận 09:10",
        "Địa điểm: Cảng Cát Lái, cổng B",
        "Liên quan: TK 105123456789 · Cont CSQU3054383 · BKS 51C-123.45",
        "[2026/0001] Xe container ra cổng B không qua máy soi",
    ]
    direction = next(row for row in rows if "[2026/0001]" in row[5])
    assert direction[5].splitlines()[0] == "09:15 (tin nhắn)"
    assert "Đầu mối: Chi cục HQ CK cảng Sài Gòn KV1" in direction[5]
    result = next(row for row in rows if "hàng hóa phù hợp khai báo" in row[6])
    assert "Báo cáo lúc: 10:40" in result[6]
    # Only the shift's first line carries the composition, as in the paper book.
    assert all(row[2] == "" for row in rows[1:])
    original = next(row for row in rows if "Bàn giao 3 bộ hồ sơ" in row[7])
    correction = next(row for row in rows if "Bàn giao 4 bộ hồ sơ" in row[7])
    assert correction[7].startswith(f"Đính chính dòng {original[0]}")
    assert original[7].startswith(f"Đã được đính chính tại dòng {correction[0]}")
    assert document.sections[0].footer.paragraphs[0].text == f"Mã kiểm tra chuỗi nhật ký: {HEAD}"


def test_the_export_carries_the_chain_head_that_verify_confirms(shift: RecordedShift) -> None:
    made = documents(shift).logbook(Period(DAY, DAY), Format.DOCX, at(15, 0))
    document = Document(io.BytesIO(made.data))
    verdict = verify(shift.desk.engine)
    assert verdict.intact and verdict.checked > 0
    assert document.sections[0].footer.paragraphs[0].text == (
        f"Mã kiểm tra chuỗi nhật ký: {verdict.head}"
    )


def test_xlsx_logbook_puts_each_part_of_a_column_in_its_own_cell(shift: RecordedShift) -> None:
    made = documents(shift).logbook(Period(DAY, DAY), Format.XLSX, at(15, 0), chain_head=HEAD)
    sheet = openpyxl.load_workbook(io.BytesIO(made.data)).active
    assert sheet is not None
    assert sheet["A1"].value == "TỔNG CỤC HẢI QUAN" and sheet["A2"].value == "TRỰC BAN"
    assert sheet["I1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert sheet["I2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert sheet["A5"].value == "NHẬT KÝ TRỰC BAN"
    titles = [c.value for c in sheet[8] if c.value]
    assert titles == list(COLUMNS)
    parts = [c.value for c in sheet[9]]
    assert parts[5:9] == [
        "Thời gian phát sinh, tiếp nhận",
        "Địa điểm/địa bàn xảy ra",
        "Thông tin liên quan (tờ khai, số container,...)",
        "Nội dung vụ việc",
    ]
    assert "A8:A9" in {str(r) for r in sheet.merged_cells.ranges}
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=10)]
    incident = next(row for row in rows if row[8] and "[2026/0001]" in row[8])
    assert incident[:3] == ["02", "25/11/2026", "09:10"]
    assert incident[5:8] == [
        "Phát sinh 09:05, tiếp nhận 09:10",
        "Cảng Cát Lái, cổng B",
        "TK 105123456789 · Cont CSQU3054383 · BKS 51C-123.45",
    ]
    direction = next(row for row in rows if row[11] and "Đề nghị Chi cục KV1" in row[11])
    assert direction[9:13] == [
        "09:15",
        "tin nhắn",
        direction[11],
        "Chi cục HQ CK cảng Sài Gòn KV1",
    ]
    result = next(row for row in rows if row[13] and "phù hợp khai báo" in row[13])
    assert result[14:16] == ["10:40", "Chi cục HQ CK cảng Sài Gòn KV1"]
    assert rows[-1][0] == f"Mã kiểm tra chuỗi nhật ký: {HEAD}"


def test_pdf_logbook_reads_as_the_annex(shift: RecordedShift, tmp_path: Path) -> None:
    made = documents(shift).logbook(Period(DAY, DAY), Format.PDF, at(15, 0), chain_head=HEAD)
    text = squeeze(pdf_text(made.data))
    for expected in (
        "TỔNG CỤC HẢI QUAN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "NHẬT KÝ TRỰC BAN",
        *COLUMNS,
        "Lãnh đạo ca trực: Nguyễn Văn An",
        "CSQU3054383",
        f"Mã kiểm tra chuỗi nhật ký: {HEAD}",
        "Trang 1",
    ):
        assert expected in text, expected
    assert "hàng hóa phù hợp khai báo" in text
    png = render_png(made.data, tmp_path, "annex-i")
    assert png.stat().st_size > 10_000


def test_a_period_spans_its_shifts_and_names_them(shift: RecordedShift) -> None:
    made = documents(shift).logbook(Period(DAY - dt.timedelta(days=1), DAY), Format.DOCX, at(15, 0))
    assert made.filename == "nhat-ky-truc-ban_2026-11-24_2026-11-25.docx"
    document = Document(io.BytesIO(made.data))
    assert "Từ ca trực ngày 24/11/2026 đến ca trực ngày 25/11/2026" in [
        p.text for p in document.paragraphs
    ]


def test_the_pdf_is_written_at_native_speed_in_binary_streams(shift: RecordedShift) -> None:
    made = documents(shift).logbook(Period(DAY, DAY), Format.PDF, at(15, 0), chain_head=HEAD)
    # Compressed, not also spelled out in ASCII85 (a quarter more bytes, and time to write).
    assert b"/FlateDecode" in made.data
    assert b"/ASCII85Decode" not in made.data
    # reportlab's C accelerator (rl-accel, declared with the bot) does the work its pure-Python
    # fallbacks would otherwise do, measuring every string of a month's logbook.
    from reportlab.lib import rl_accel

    assert "instanceStringWidthTTF" in rl_accel._c_funcs
