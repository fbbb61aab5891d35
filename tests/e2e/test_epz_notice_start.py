"""An EPZ outage notice knows when the fault began, and the assigned officer hears of it
(issue 12, item 8; 247 I.2.3 and Annex II)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from sqlmodel import Session, select

from bot.db.models import EpzOutage, LogbookEntry
from tests.e2e.conftest import GROUP, OFFICER, Desktop, buttons_of, text_of
from tests.e2e.test_epz import CONTACT, ICT, enrol, press, reviewed, say


def outage_row(desktop: Desktop) -> EpzOutage:
    with Session(desktop.desk.engine) as session:
        return session.exec(select(EpzOutage)).one()


async def test_a_free_text_notice_keeps_when_the_fault_began_and_tells_the_officer(
    desktop: Desktop,
) -> None:
    await enrol(desktop)
    # 09:00 on Wednesday 25/11; the gate camera broke yesterday morning.
    await say(
        desktop,
        "Camera C01 cổng chính mất hình từ 6h30 ngày 24/11, dự kiến 30/11. "
        "Liên hệ anh Tuấn 0903 123 456",
        "ảnh hưởng",
    )
    done = await reviewed(desktop, "Không ghi hình xe ra vào cổng")
    assert "⏰ xảy ra từ 24/11/2026 06:30" in text_of(done)
    # The repair's 10 working days count from the notice (247 I.2.3): 09/12, not 08/12.
    assert "hết ngày 09/12/2026" in text_of(done)
    await desktop.settle()

    outage = outage_row(desktop)
    assert outage.starts_at == dt.datetime(2026, 11, 24, 6, 30, tzinfo=ICT)
    assert outage.notified_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=ICT)
    assert outage.deadline == dt.date(2026, 12, 9)
    assert outage.expected_fix == dt.date(2026, 11, 30)
    assert outage.tech_contact == "anh Tuấn 0903 123 456"

    card = text_of(
        next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    )
    assert "⏰ xảy ra từ 24/11/2026 06:30 (thông báo lúc 25/11/2026 09:00)" in card
    assert "👤 Công chức theo dõi khắc phục: Phạm Thị Dung" in card
    assert "Đầu mối kỹ thuật: anh Tuấn 0903 123 456" in card

    # The officer who follows the repair hears of it privately, with what they will use.
    private = [text_of(m) for m in desktop.emu.bot_messages(OFFICER)]
    assert len(private) == 1
    notice = private[0]
    assert "Thông báo sự cố mới số 1 của Công ty TNHH ABC Việt Nam" in notice
    assert "camera C01: Camera C01 cổng chính mất hình" in notice
    assert "xảy ra từ 24/11/2026 06:30" in notice
    assert "hết ngày 09/12/2026 (10 ngày làm việc kể từ khi thông báo)" in notice
    assert "16:00 mỗi ngày làm việc" in notice
    assert "/measure 1" in notice and "/restored" in notice

    with Session(desktop.desk.engine) as session:
        entry = session.exec(select(LogbookEntry).where(LogbookEntry.incident != "")).one()
    assert entry.incident_arisen_at == dt.datetime(2026, 11, 24, 6, 30, tzinfo=ICT)
    assert entry.incident_received_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=ICT)

    view = await say(desktop, "/epz", "Doanh nghiệp chế xuất", chat=OFFICER, user=OFFICER)
    assert "xảy ra từ 24/11/2026 06:30" in text_of(view)

    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/export outage 1 docx", chat_id=OFFICER)
    await desktop.settle()
    sent = await desktop.answer(OFFICER, mark, lambda m: "document" in m)
    document = Document(io.BytesIO(desktop.emu.file_bytes(sent["document"]["file_id"])))
    paragraphs = [p.text for p in document.paragraphs]
    assert any("Sự cố xảy ra từ 06:30 24/11/2026." in p for p in paragraphs), paragraphs
    assert any(p == "anh Tuấn 0903 123 456" for p in paragraphs)

    # The name comes back with the phone on the next notice.
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì")
    question = await press(desktop, question, "dr:kind:power_cut", "Khi nào bắt đầu")
    assert question is not None
    question = await press(desktop, question, "dr:start-now", "camera nào")
    assert question is not None
    question = await press(desktop, question, "dr:cams-done", "Mô tả sự cố")
    await say(desktop, "Cắt điện toàn khu", "ảnh hưởng")
    await say(desktop, "Không ghi hình", "Khi nào xong")
    question = await say(desktop, "26/11", "Đầu mối kỹ thuật")
    assert buttons_of(question)[0] == ("Dùng: anh Tuấn 0903 123 456", "dr:contact-last")


async def test_the_guided_notice_asks_since_when_and_refuses_what_cannot_be(
    desktop: Desktop,
) -> None:
    await enrol(desktop)
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì")
    question = await press(desktop, question, "dr:kind:camera", "Sự cố xảy ra từ lúc nào")
    assert question is not None
    assert ("Ngay bây giờ", "dr:start-now") in buttons_of(question)
    refused = await say(desktop, "28/11 06:30", "chưa tới")
    assert "Đề nghị ghi thời điểm sự cố bắt đầu, ví dụ 6h30" in text_of(refused)
    await say(desktop, "25/10 06:30", "đã cách đây hơn 30 ngày")
    await say(desktop, "hôm trước", "không phải là thời gian")
    await say(desktop, "từ 6h30", "camera nào bị ảnh hưởng")
    question = desktop.emu.bot_messages(CONTACT)[-1]
    await press(desktop, question, "dr:cam:C01", "camera nào")
    question = desktop.emu.bot_messages(CONTACT)[-1]
    await press(desktop, question, "dr:cams-done", "Mô tả sự cố")
    question = await say(desktop, "Mất hình camera cổng", "ảnh hưởng")
    await press(desktop, question, "dr:skip", "Dự kiến khắc phục")
    await say(desktop, "30/11", "Đầu mối kỹ thuật")
    await reviewed(desktop, "Tuấn 0903123456")
    outage = outage_row(desktop)
    assert outage.starts_at == dt.datetime(2026, 11, 25, 6, 30, tzinfo=ICT)
    assert outage.notified_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=ICT)


async def test_a_free_text_notice_without_a_start_asks_for_it(desktop: Desktop) -> None:
    await enrol(desktop)
    question = await say(
        desktop,
        "Camera C02 kho ngoại quan hỏng, dự kiến 30/11, liên hệ 0903123456",
        "Sự cố xảy ra từ lúc nào",
    )
    # "Now": the fault began as it was notified.
    await press(desktop, question, "dr:start-now", "ảnh hưởng")
    await reviewed(desktop, "Không giám sát được kho")
    outage = outage_row(desktop)
    assert outage.starts_at == outage.notified_at
