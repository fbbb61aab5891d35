"""The equipment status report (96 part III) of November 2026 carries the statistics' figures."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from docx import Document

from bot.documents.service import Format
from bot.stats.periods import parse_stats_period
from tests.conftest import MORNING, SHIFT_DAY
from tests.documents.reading import pdf_text, squeeze
from tests.stats.month import Month, at, month_desk, record_month


@pytest.fixture
def month(migrated_url: str) -> Iterator[Month]:
    desk = month_desk(migrated_url)
    yield record_month(desk)
    desk.engine.dispose()


def report(month: Month, fmt: Format, period: str = "month") -> tuple[str, bytes]:
    asked = parse_stats_period(period, SHIFT_DAY)
    assert asked is not None
    made = month.desk.documents.equipment(asked, fmt, MORNING)
    return made.filename, made.data


def rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_docx_has_the_heading_the_summary_and_a_line_per_area_camera_and_outage(
    month: Month,
) -> None:
    name, data = report(month, Format.DOCX)
    assert name == "bao-cao-thiet-bi_2026-11.docx"
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert (
        "Tình hình và kết quả hoạt động của trang thiết bị kiểm tra, giám sát hải quan "
        "tháng 11 năm 2026"
    ) in texts
    assert "Số liệu từ 08:00 01/11/2026 đến 09:00 25/11/2026 (kỳ báo cáo chưa kết thúc)." in texts
    assert "- Tổng số ca-mê-ra: 6; được kiểm tra trong kỳ: 3." in texts
    assert (
        "- Tỷ lệ hoạt động chung: 98,2%; tổng thời gian không hoạt động: 30 giờ 00 phút; "
        "số lần sự cố (mất tín hiệu, tín hiệu chập chờn): 3."
    ) in texts
    assert "- Cảnh báo từ ca-mê-ra và hệ thống phân tích: 4, trong đó báo động giả: 1." in texts
    assert (
        "- Sự cố hệ thống ca-mê-ra của doanh nghiệp chế xuất: 3; khắc phục đúng hạn: 1; "
        "khắc phục quá hạn: 1; đang khắc phục: 1 (trong đó đã quá hạn: 1)."
    ) in texts
    heading, areas, cameras, outages, _signature = document.tables
    assert heading.rows[0].cells[1].paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert "Hà Nội, ngày 25 tháng 11 năm 2026" in heading.rows[0].cells[1].text
    assert rows(areas)[1:] == [
        ["01", "Cát Lái", "3", "2", "99,5", "6,0", "2", "3"],
        ["02", "ICD", "2", "1", "95,7", "24,0", "1", "1"],
        ["03", "KCX Tân Thuận", "1", "0", "—", "—", "0", "0"],
    ]
    camera_rows = {row[1]: row for row in rows(cameras)[1:]}
    assert camera_rows["12"][2:] == [
        "Cổng B làn vào, Cảng Cát Lái, cổng B",
        "Cát Lái",
        "Chi cục HQ CK cảng Sài Gòn KV1",
        "99,0",
        "6,0",
        "2",
        "3",
        "1",
        "",
    ]
    assert camera_rows["14"][5:8] == ["—", "—", "—"]
    assert camera_rows["C01"][-1] == "số 2, số 3"
    in_time, late, still_open = month.outages
    assert [row[1] for row in rows(outages)[1:]] == [str(in_time), str(still_open), str(late)]
    assert rows(outages)[3][3:] == [
        "Sự cố kênh truyền",
        "C01, C02",
        "09:00 09/11/2026",
        "10:00 16/11/2026",
        "12/11/2026",
        "5",
        "3",
        "Khắc phục quá hạn",
    ]
    assert rows(outages)[2][-4:] == ["20/11/2026", "12", "10", "Đang khắc phục, đã quá hạn"]


def test_the_xlsx_keeps_the_figures_as_numbers(month: Month) -> None:
    name, data = report(month, Format.XLSX, "2026-Q4")
    assert name == "bao-cao-thiet-bi_2026-Q4.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    cells = [value for row in values for value in row if value is not None]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert (
        "Tình hình và kết quả hoạt động của trang thiết bị kiểm tra, giám sát hải quan "
        "quý IV năm 2026"
    ) in cells
    area = next(row for row in values if row[:2] == ["01", "Cát Lái"])
    # The quarter also holds camera 12's alert of 31 October.
    assert area[2:8] == [3, 2, 99.5, 6.0, 2, 4]
    camera = next(row for row in values if row[1] == "15")
    assert camera[5:10] == [95.7, 24.0, 1, 1, 0]
    outage = next(row for row in values if row[1] == month.outages[2])
    assert outage[8:11] == [12, 10, "Đang khắc phục, đã quá hạn"]


def test_a_period_without_records_says_so_and_a_pdf_prints(month: Month) -> None:
    _, data = report(month, Format.PDF, "2026-09")
    text = squeeze(pdf_text(data))
    assert "tháng 09 năm 2026" in text
    assert "Trong kỳ chưa có kết quả kiểm tra tình trạng ca-mê-ra." in text
    assert "Trong kỳ không có sự cố." in text
    name, data = report(month, Format.PDF, "2026-11-02..2026-11-08")
    assert name == "bao-cao-thiet-bi_2026-11-02_2026-11-08.pdf"
    text = squeeze(pdf_text(data))
    assert "từ ngày 02/11/2026 đến ngày 08/11/2026" in text
    assert f"Số liệu từ 08:00 02/11/2026 đến {at(9, 8):%H:%M %d/%m/%Y}." in text
