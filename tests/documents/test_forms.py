"""Annexes II-V and the 247 Annex II notice, drawn from the recorded shift, in DOCX and PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from bot.documents.cases import Annex
from bot.documents.service import Documents, Exported, Format, Missing
from bot.escalation.incidents import IncidentInput
from tests.documents.reading import docx_text, pdf_text, printed_pages, render_png, squeeze
from tests.documents.shift import (
    ASSESSMENT,
    ESCALATED_ASSESSMENT,
    OFFICER_AUTHOR,
    SUGGESTION,
    RecordedShift,
    at,
    build_desk,
    record_shift,
)

NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def documents(shift: RecordedShift) -> Documents:
    desk = shift.desk
    return Documents(desk.settings, desk.engine, desk.roster)


def made(result: Exported | Missing) -> Exported:
    assert isinstance(result, Exported), result
    return result


def both(shift: RecordedShift, label: str, annex: Annex) -> tuple[str, str]:
    """The DOCX's and the PDF's text of one annex, whitespace squeezed."""
    docs = documents(shift)
    docx = made(docs.incident(label, annex, Format.DOCX, at(15, 0)))
    pdf = made(docs.incident(label, annex, Format.PDF, at(15, 0)))
    assert docx.filename.endswith(".docx") and pdf.filename.endswith(".pdf")
    return squeeze(docx_text(docx.data)), squeeze(pdf_text(pdf.data))


def heading_cells(data: bytes) -> tuple[str, str]:
    document = Document(io.BytesIO(data))
    left, right = (cell.text for cell in document.tables[0].rows[0].cells)
    return left, right


def signer_cell(data: bytes) -> str:
    """The signature block: the signer's title, the note, the name last."""
    document = Document(io.BytesIO(data))
    return document.tables[-1].rows[0].cells[1].text.strip()


def test_annex_ii_is_the_urgent_fax_to_the_unit(shift: RecordedShift) -> None:
    label = shift.coordination.label
    docx = made(documents(shift).incident(label, Annex.II, Format.DOCX, at(15, 0)))
    assert docx.filename == "phu-luc-II_vu-viec-2026-0001.docx"
    left, right = heading_cells(docx.data)
    assert left.splitlines()[:4] == [
        "TỔNG CỤC HẢI QUAN",
        "TRỰC BAN",
        "———————",
        "Fax số: 2026/0001-1",
    ]
    assert "09 giờ 15 phút, ngày 25/11/2026" in left
    # The seed's fax has no national name, motto or place-date line.
    assert right == ""
    for text in both(shift, label, Annex.II):
        for absent in (*NATIONAL, "Hà Nội, ngày", "Như trên", "nút"):
            assert absent not in text, absent
        for expected in (
            "ĐIỆN FAX ĐI (Khẩn)",
            "THÔNG BÁO",
            "Kính gửi: Chi cục HQ CK cảng Sài Gòn KV1.",
            "quyết định số 3333/QĐ-TCHQ ngày 06/10/2016",
            "- Nội dung yêu cầu phối hợp thực hiện: Yêu cầu phối hợp",
            "Đề nghị Chi cục KV1 dừng xe và kiểm tra container CSQU3054383 tại cổng B",
            "TK 105123456789 · Cont CSQU3054383 · BKS 51C-123.45",
            "trong vòng 30 phút kể từ khi nhận yêu cầu (trước 09:45 25/11/2026)",
            "- Hình thức hồi báo: Hồi báo qua nhóm trực ban trên ứng dụng Telegram",
            "hoặc qua điện thoại trực ban số 024 3944 0833; kết quả xử lý báo cáo bằng văn bản "
            "theo mẫu Phụ lục IV",
            "- Đầu mối phối hợp thực hiện: Phạm Thị Dung (công chức trực ban), ĐT: 0912 345 678; "
            "Nguyễn Văn An (lãnh đạo ca trực), ĐT: 0903 111 222",
            "Nơi nhận: - Văn phòng Tổng cục; - Cục nghiệp vụ (để theo dõi); - Lưu: Trực ban.",
            "PHỤ TRÁCH TRỰC BAN",
            "Nguyễn Văn An",
        ):
            assert expected in text, expected


def test_annex_iii_carries_the_leaders_and_the_director_generals_decisions(
    shift: RecordedShift,
) -> None:
    for text in both(shift, shift.escalated.label, Annex.III):
        for expected in (
            "TỔNG CỤC HẢI QUAN",
            *NATIONAL,
            "Hà Nội, ngày 25 tháng 11 năm 2026",
            "ĐỀ XUẤT XỬ LÝ THÔNG TIN PHÁT SINH",
            "1. Nội dung thông tin phát sinh",
            "- Thời gian phát sinh, tiếp nhận thông tin: 11:20 25/11/2026",
            "- Địa điểm/địa bàn xảy ra: ICD Transimex, ca-mê-ra số 16",
            "- Đơn vị/cá nhân có liên quan: Công ty TNHH ABC Việt Nam (mã số thuế 0312345678); "
            "tờ khai số 105987654321; container số MSKU1234565",
            "- Nội dung vụ việc: Lô hàng đã thông quan có dấu hiệu khai sai tên hàng",
            "2. Đề xuất",
            f"- Phân tích, nhận định: {ESCALATED_ASSESSMENT}",
            "- Nội dung đề xuất xử lý: Can thiệp đối với hàng hóa đã thông quan",
            "Dừng đưa hàng ra khỏi khu vực giám sát, kiểm tra lại lô hàng (gửi Đội Kiểm soát",
            "Nơi nhận: - Tổng cục trưởng; - Lưu: Trực ban.",
            "Ý kiến của lãnh đạo Tổng cục",
            "Lãnh đạo ca trực: Đồng ý, trình lãnh đạo Tổng cục — Nguyễn Văn An, 11:30 25/11/2026",
            "Lãnh đạo Tổng cục: Đồng ý. (ghi nhận lúc 12:05 25/11/2026",
        ):
            assert expected in text, expected


def test_annex_iii_of_an_ordinary_proposal_shows_the_shift_leaders_decision(
    shift: RecordedShift,
) -> None:
    docx, pdf = both(shift, shift.coordination.label, Annex.III)
    assert "Ý kiến của lãnh đạo ca trực" in docx
    assert "Lãnh đạo ca trực: Đồng ý — Nguyễn Văn An, 09:15 25/11/2026." in docx
    assert "Lãnh đạo Tổng cục" not in docx
    for text in (docx, pdf):
        # Who decides is the same in the box and under "Nơi nhận": the shift leader.
        assert "Nơi nhận: - Lãnh đạo ca trực; - Lưu: Trực ban." in text
        assert "- Tổng cục trưởng;" not in text
        # The proposer's own assessment, not the kind of handling again.
        assert f"- Phân tích, nhận định: {ASSESSMENT}" in text
        assert "- Đơn vị/cá nhân có liên quan: tờ khai số 105123456789; container số " in text
        assert "phương tiện biển kiểm soát 51C-123.45" in text
        assert "CÔNG CHỨC TRỰC BAN (Ký, ghi rõ họ tên) Phạm Thị Dung" in text


def test_annex_iv_is_the_units_report_with_its_timeline(shift: RecordedShift) -> None:
    label = shift.coordination.label
    docx = made(documents(shift).incident(label, Annex.IV, Format.DOCX, at(15, 0)))
    left, right = heading_cells(docx.data)
    # The unit's own parent body and place, its name broken between word groups.
    assert left.splitlines()[:4] == [
        "CỤC HẢI QUAN",
        "TP. HỒ CHÍ MINH",
        "CHI CỤC HQ CK",
        "CẢNG SÀI GÒN KV1",
    ]
    assert right.splitlines()[-1] == "TP. Hồ Chí Minh, ngày 25 tháng 11 năm 2026"
    assert signer_cell(docx.data).splitlines()[-1] == "Trần Văn Hùng"
    for text in both(shift, label, Annex.IV):
        assert "TỔNG CỤC HẢI QUAN" not in text and "Hà Nội" not in text
        for expected in (
            *NATIONAL,
            "CỤC HẢI QUAN TP. HỒ CHÍ MINH CHI CỤC HQ CK CẢNG SÀI GÒN KV1",
            "Kính gửi: Văn phòng Tổng cục (Phòng Tổng hợp – bộ phận trực ban).",
            "tại điện fax số 2026/0001-1, ngày 25 tháng 11 năm 2026 của Trực ban",
            "- Tiến trình xử lý: 09:15 25/11/2026 nhận yêu cầu; 09:27 25/11/2026 xác nhận, "
            "đầu mối Võ Văn Giang, 0903 123 456, dự kiến hoàn thành 11:00 25/11/2026; "
            "10:40 25/11/2026 báo cáo kết quả.",
            "- Kết quả xử lý: Đã dừng xe 51C-123.45, kiểm tra container CSQU3054383",
            "Không (xử lý đúng thời gian yêu cầu).",
            f"- Đề xuất (nếu có): {SUGGESTION}",
            "- Đầu mối phối hợp trao đổi thông tin: Võ Văn Giang, 0903 123 456",
            "LÃNH ĐẠO ĐƠN VỊ (Ký, ghi rõ họ tên, chức vụ) Trần Văn Hùng",
        ):
            assert expected in text, expected


def test_annex_v_is_the_online_monitoring_request(shift: RecordedShift) -> None:
    label = shift.coordination.label
    docx = made(documents(shift).incident(label, Annex.V, Format.DOCX, at(15, 0)))
    pdf = made(documents(shift).incident(label, Annex.V, Format.PDF, at(15, 0)))
    left, right = heading_cells(docx.data)
    # The issuer's name breaks between word groups, as in the seed, in both formats.
    assert left.splitlines()[:3] == ["TỔNG CỤC HẢI QUAN", "CỤC ĐIỀU TRA", "CHỐNG BUÔN LẬU"]
    assert right == ""
    assert printed_pages(pdf.data)[0].lines()[2:4] == ["CỤC ĐIỀU TRA", "CHỐNG BUÔN LẬU"]
    # The configured director signs, not the shift leader who approved.
    assert signer_cell(docx.data).splitlines()[-1] == "Trần Văn Đức"
    for text in both(shift, label, Annex.V):
        for absent in (*NATIONAL, "Nguyễn Văn An (lãnh đạo", "Hà Nội, ngày"):
            assert absent not in text or absent.startswith("Nguyễn"), absent
        assert "CỤC TRƯỞNG (Ký, ghi rõ họ tên) Trần Văn Đức" in text
        for expected in (
            "ĐIỆN FAX ĐI (Khẩn)",
            "CỤC ĐIỀU TRA CHỐNG BUÔN LẬU",
            "Về việc phối hợp thực hiện giám sát trực tuyến",
            "quyết định số 888/QĐ-TCHQ ngày 17/3/2017",
            "Cục Điều tra chống buôn lậu yêu cầu đơn vị phối hợp",
            "- Nội dung yêu cầu phối hợp thực hiện giám sát trực tuyến:",
            "Trân trọng./.",
            "- Như trên (để thực hiện);",
            "CỤC TRƯỞNG",
        ):
            assert expected in text, expected


def test_the_epz_notice_follows_247_annex_ii(shift: RecordedShift, tmp_path: Path) -> None:
    docs = documents(shift)
    docx = made(docs.outage(shift.outage_id, Format.DOCX))
    pdf = made(docs.outage(shift.outage_id, Format.PDF))
    assert docx.filename == "thong-bao-su-co_1.docx"
    left, right = heading_cells(docx.data)
    assert left.splitlines()[:2] == ["CÔNG TY TNHH", "ABC VIỆT NAM"]
    assert "Số: 01/TB-SC" in left
    assert right.splitlines()[:2] == list(NATIONAL)
    # Signed by the configured legal representative, not the contact who wrote in the chat.
    assert signer_cell(docx.data).splitlines()[-1] == "Lê Thị Hạnh"
    for text in (squeeze(docx_text(docx.data)), squeeze(pdf_text(pdf.data))):
        # Item 4 is what the enterprise wrote; the statutory deadline is the desk's note.
        item_4 = text[text.index("4. Thời gian dự kiến") : text.index("5. Đầu mối kỹ thuật")]
        assert "ngày làm việc" not in item_4 and "Thời hạn" not in item_4
        notes = text[text.index("Ghi chú của cơ quan Hải quan") :]
        assert "Thời hạn khắc phục theo Quyết định số 247/QĐ-TCHQ: 10 ngày làm việc" in notes
        assert "Hà Nội" not in text and "Trần Minh Tuấn" not in text
        for expected in (
            "THÔNG BÁO",
            "Về sự cố hệ thống ca-mê-ra giám sát của doanh nghiệp chế xuất",
            "Quyết định số 247/QĐ-TCHQ",
            "1. Tên, địa chỉ, mã số thuế của Doanh nghiệp",
            "Công ty TNHH ABC Việt Nam; địa chỉ: KCX Tân Thuận, Quận 7; mã số thuế: 0312345678.",
            "Ca-mê-ra cổng chính mất tín hiệu do hỏng nguồn.",
            "Ca-mê-ra theo sơ đồ: C01 (Cổng chính) (số lượng: 1).",
            "3. Ảnh hưởng của sự cố",
            "Không giám sát được phương tiện ra, vào cổng chính",
            "Dự kiến khắc phục xong ngày 28 tháng 11 năm 2026.",
            "Nguyễn Văn Kỹ, 0912 345 678",
            "quý Chi cục HQ CK cảng Sài Gòn KV1 được biết./.",
            "TP. Hồ Chí Minh, ngày 25 tháng 11 năm 2026",
            "ĐẠI DIỆN THEO PHÁP LUẬT",
            "Lê Thị Hạnh",
        ):
            assert expected in text, expected
    assert render_png(pdf.data, tmp_path, "epz").stat().st_size > 10_000


@pytest.mark.parametrize("annex", [Annex.II, Annex.III, Annex.IV, Annex.V])
def test_every_annex_renders_as_a_pdf_page(
    shift: RecordedShift, annex: Annex, tmp_path: Path
) -> None:
    label = shift.escalated.label if annex is Annex.III else shift.coordination.label
    pdf = made(documents(shift).incident(label, annex, Format.PDF, at(15, 0)))
    assert render_png(pdf.data, tmp_path, annex.value).stat().st_size > 10_000


def test_what_cannot_be_made_says_why(shift: RecordedShift) -> None:
    docs = documents(shift)
    bare = shift.desk.escalation.incidents.open(
        OFFICER_AUTHOR, IncidentInput(description="Người lạ trèo rào"), at(15, 0)
    ).value
    assert docs.incident(bare.label, Annex.III, Format.PDF, at(15, 1)) is Missing.NO_PROPOSAL
    assert docs.incident("2026/0099", Annex.III, Format.PDF, at(15, 1)) is Missing.NO_INCIDENT
    escalated = shift.escalated.label
    assert docs.incident(escalated, Annex.IV, Format.PDF, at(15, 1)) is Missing.NO_RESULT
    assert docs.incident(escalated, Annex.III, Format.XLSX, at(15, 1)) is Missing.WRONG_FORMAT
    assert docs.outage(99, Format.PDF) is Missing.NO_OUTAGE


def test_what_is_not_configured_is_left_blank_for_the_clerk(migrated_url: str) -> None:
    """No director, no unit parent or place, no unit head: lines to fill in, never a wrong
    name (the shift leader, the desk's place, the contact who answered)."""
    desk = build_desk(migrated_url)
    try:
        shift = record_shift(desk)
        docs = documents(shift)
        label = shift.coordination.label
        annex_v = made(docs.incident(label, Annex.V, Format.DOCX, at(15, 0)))
        assert signer_cell(annex_v.data).splitlines()[-1] == "(Ký, ghi rõ họ tên)"
        annex_iv = made(docs.incident(label, Annex.IV, Format.DOCX, at(15, 0)))
        left, right = heading_cells(annex_iv.data)
        assert left.splitlines()[0] == "……"
        assert right.splitlines()[-1] == "……, ngày 25 tháng 11 năm 2026"
        assert signer_cell(annex_iv.data).splitlines()[-1] == "(Ký, ghi rõ họ tên, chức vụ)"
    finally:
        desk.engine.dispose()
