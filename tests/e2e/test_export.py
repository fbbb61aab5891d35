"""/export end to end: the document arrives in the chat as a file that opens as its format."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from docx import Document

from bot.db.models import ProposalKind
from bot.escalation.incidents import IncidentInput
from tests.documents.reading import pdf_text, squeeze
from tests.documents.shift import LEADER_AUTHOR, OFFICER_AUTHOR
from tests.e2e.conftest import CLERK, GROUP, LEADER, OFF_DUTY, OFFICER, STRANGER, Desktop, text_of


def document_of(message: dict[str, Any]) -> bool:
    return "document" in message


async def export(desktop: Desktop, user: int, text: str, chat: int = GROUP) -> dict[str, Any]:
    mark = desktop.emu.mark()
    desktop.say(user, text, chat_id=chat)
    await desktop.settle()
    return await desktop.answer(chat, mark)


def file_of(desktop: Desktop, message: dict[str, Any]) -> bytes:
    return desktop.emu.file_bytes(message["document"]["file_id"])


async def test_the_clerk_gets_the_days_logbook_as_xlsx(desktop: Desktop) -> None:
    desktop.say(OFFICER, "/log Kiểm tra 45 ca-mê-ra khu vực cảng Cát Lái")
    await desktop.later(5)
    sent = await export(desktop, CLERK, "/export logbook today xlsx")
    assert sent["document"]["file_name"] == "nhat-ky-truc-ban_2026-11-25.xlsx"
    assert "Nhật ký trực ban (Phụ lục I), ca trực ngày 25/11/2026." in text_of(sent)
    sheet = openpyxl.load_workbook(io.BytesIO(file_of(desktop, sent))).active
    assert sheet is not None
    assert sheet["I1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    line = [c.value for c in sheet[10]]
    assert line[0] == "01" and line[4] == "Kiểm tra 45 ca-mê-ra khu vực cảng Cát Lái"
    assert "Lãnh đạo ca trực: Nguyễn Văn An" in line[3]


async def test_an_officer_gets_an_incidents_annex_as_docx_and_pdf(desktop: Desktop) -> None:
    esc = desktop.desk.escalation
    now = desktop.clock.now()
    incident = esc.incidents.open(
        OFFICER_AUTHOR,
        IncidentInput(description="Xe container ra cổng B không qua máy soi", place="Cổng B"),
        now,
    ).value
    assert incident.id is not None
    proposal = esc.approvals.propose(
        OFFICER_AUTHOR,
        incident.id,
        ProposalKind.COORDINATION,
        ["hq-kv1"],
        "Đề nghị kiểm tra container CSQU3054383",
        now,
    ).value
    assert proposal is not None and proposal.id is not None
    assert esc.approvals.approve(LEADER_AUTHOR, proposal.id, 1, now).ok
    await desktop.settle()
    sent = await export(desktop, OFFICER, "/export incident 2026/0001 annex2 docx")
    assert sent["document"]["file_name"] == "phu-luc-II_vu-viec-2026-0001.docx"
    document = Document(io.BytesIO(file_of(desktop, sent)))
    assert "ĐIỆN FAX ĐI (Khẩn)" in document.paragraphs[0].text
    assert "Kính gửi: Chi cục HQ CK cảng Sài Gòn KV1." in [p.text for p in document.paragraphs]
    # The default: Annex III as PDF.
    sent = await export(desktop, LEADER, "/export incident 1", chat=LEADER)
    data = file_of(desktop, sent)
    assert data.startswith(b"%PDF")
    assert "ĐỀ XUẤT XỬ LÝ THÔNG TIN PHÁT SINH" in squeeze(pdf_text(data))


async def test_a_person_not_on_shift_is_refused_and_nothing_is_sent(desktop: Desktop) -> None:
    reply = await export(desktop, OFF_DUTY, "/export logbook today")
    assert text_of(reply) == "Chỉ những người trong ca trực hiện tại mới được xuất văn bản."
    assert not any(document_of(m) for m in desktop.emu.bot_messages(GROUP))
    mark = desktop.emu.mark()
    desktop.say(STRANGER, "/export logbook today", chat_id=STRANGER)
    await desktop.settle()
    assert not any(document_of(m) for m in desktop.emu.bot_messages(STRANGER)[mark:])


async def test_bad_arguments_get_the_usage_in_the_persons_language(desktop: Desktop) -> None:
    for text in (
        "/export",
        "/export logbook 2026-13-40",
        "/export logbook 2026-11-30..2026-11-01",
        "/export incident",
        "/export outage abc",
        "/export outage 1 xlsx",
        "/export minutes",
    ):
        reply = await export(desktop, OFFICER, text)
        assert "Hãy ghi văn bản cần xuất, ví dụ:" in text_of(reply), text
        assert "/export logbook 2026-11-01..2026-11-30 xlsx" in text_of(reply)
    desktop.desk.preferences.set_locale(CLERK, "en")
    reply = await export(desktop, CLERK, "/export logbook someday")
    assert text_of(reply).startswith("Write what you need, for example:")
    assert not any(document_of(m) for m in desktop.emu.bot_messages(GROUP))
    missing = await export(desktop, OFFICER, "/export incident 2026/0042")
    assert text_of(missing) == "Không có vụ việc 2026/0042."
    missing = await export(desktop, OFFICER, "/export outage 7 docx")
    assert text_of(missing) == "Không có sự cố DNCX số 7."
