"""The EPZ notice in at most 8 taps and 1 text, reviewed before it goes, its copy back to the
contact with Annex II on one tap (issue 16, item 5; 247 I.2.3 and Annex II)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from sqlmodel import Session, select

from bot.db.models import EpzOutage
from tests.e2e.conftest import GROUP, OFFICER, STRANGER, Desktop, buttons_of, text_of
from tests.e2e.test_epz import CONTACT, ICT, enrol, press, say


def outage_row(desktop: Desktop) -> EpzOutage:
    with Session(desktop.desk.engine) as session:
        return session.exec(select(EpzOutage)).one()


def taps_and_texts(desktop: Desktop) -> tuple[int, int]:
    """What the contact did in their private chat, from the emulator's record: button presses,
    and typed messages that are not commands."""
    taps = sum(
        1
        for query in desktop.emu.queries.values()
        if query["from"]["id"] == CONTACT and query["message"]["chat"]["id"] == CONTACT
    )
    texts = sum(
        1
        for message in desktop.emu.chat_messages(CONTACT)
        if message.get("from", {}).get("id") == CONTACT
        and not str(message.get("text", "")).startswith("/")
    )
    return taps, texts


async def tap(desktop: Desktop, message: dict[str, Any], data: str, expect: str) -> dict[str, Any]:
    answered = await press(desktop, message, data, expect)
    assert answered is not None
    return answered


async def test_the_usual_notice_takes_8_taps_and_1_text_and_comes_back_as_a_copy(
    desktop: Desktop,
) -> None:
    await enrol(desktop)
    # 09:00 on Wednesday 25/11/2026; the gate camera went dark an hour ago.
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì?")
    # Every button starts with a capital letter (after its icon, if any).
    assert all(
        next(c for c in label if c.isalpha()).isupper() for label, _ in buttons_of(question)
    ), buttons_of(question)
    question = await tap(desktop, question, "dr:kind:camera", "Sự cố xảy ra từ lúc nào")
    assert [label for label, _ in buttons_of(question)][:4] == [
        "Ngay bây giờ",
        "1 giờ trước",
        "Sáng nay (07:00)",
        "Khác…",
    ]
    question = await tap(desktop, question, "dr:start-1h", "camera nào bị ảnh hưởng")
    question = await tap(desktop, question, "dr:cam:C01", "camera nào bị ảnh hưởng")
    question = await tap(desktop, question, "dr:cams-done", "Mô tả sự cố")
    question = await say(desktop, "Camera cổng chính mất hình do hỏng nguồn", "ảnh hưởng")
    effect = "Cơ quan Hải quan không giám sát được qua ca-mê-ra C01 (Cổng chính)."
    assert (effect, "dr:effect-cams") in buttons_of(question)
    question = await tap(desktop, question, "dr:effect-cams", "Dự kiến khắc phục")
    # Working days from today: Thu 26/11, Mon 30/11, Wed 02/12, Wed 09/12.
    offered = buttons_of(question)
    assert offered[:4] == [
        ("26/11/2026 (+1 ngày làm việc)", "dr:exp:2026-11-26"),
        ("30/11/2026 (+3 ngày làm việc)", "dr:exp:2026-11-30"),
        ("02/12/2026 (+5 ngày làm việc)", "dr:exp:2026-12-02"),
        ("09/12/2026 (+10 ngày làm việc)", "dr:exp:2026-12-09"),
    ]
    question = await tap(desktop, question, "dr:exp:2026-12-09", "Đầu mối kỹ thuật")
    # The contact enrolled as Tuấn: offered as the technical contact.
    assert ("👤 Tuấn (Telegram)", "dr:contact-me") in buttons_of(question)
    review = await tap(desktop, question, "dr:contact-me", "kiểm tra lại thông báo")

    # The whole notice, before anything goes to the duty desk.
    text = text_of(review)
    for part in (
        "1. Công ty TNHH ABC Việt Nam · KCX Tân Thuận, Quận 7 · MST 0312345678",
        "2. sự cố camera, thiết bị · camera C01",
        "Camera cổng chính mất hình do hỏng nguồn",
        "xảy ra từ 25/11/2026 08:00",
        f"3. Ảnh hưởng đến công tác giám sát hải quan: {effect}",
        "4. Dự kiến khắc phục: 09/12/2026",
        "5. Đầu mối kỹ thuật: Tuấn (Telegram)",
    ):
        assert part in text, (part, text)
    assert ("📨 Gửi", "dr:send") in buttons_of(review)
    assert ("✏️ Sửa", "dr:edit") in buttons_of(review)
    await desktop.settle()
    assert not any("Thông báo sự cố" in text_of(m) for m in desktop.emu.bot_messages(GROUP))

    copy = await tap(desktop, review, "dr:send", "Thông báo số 1")
    assert taps_and_texts(desktop) == (8, 1)

    # The copy of the notice as sent, with the gate-log advice and Annex II on one tap.
    text = text_of(copy)
    assert "Bản sao thông báo số 1 đã gửi lúc 25/11/2026 09:00" in text
    assert "Camera cổng chính mất hình do hỏng nguồn" in text
    assert "5. Đầu mối kỹ thuật: Tuấn (Telegram)" in text
    assert "hết ngày 09/12/2026" in text
    assert "ca-mê-ra cổng không hoạt động" in text and "mỗi phương tiện một dòng" in text
    assert "51C-123.45 CSQU3054383 vào 14:05" in text
    assert ("📄 Phụ lục II (DOCX)", "ep:dx:1") in buttons_of(copy)
    assert ("📄 Phụ lục II (PDF)", "ep:pf:1") in buttons_of(copy)

    outage = outage_row(desktop)
    assert outage.starts_at == dt.datetime(2026, 11, 25, 8, 0, tzinfo=ICT)
    assert outage.expected_fix == dt.date(2026, 12, 9)
    assert (outage.effect, outage.tech_contact) == (effect, "Tuấn (Telegram)")
    await desktop.settle()
    card = next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    assert "Camera cổng chính mất hình do hỏng nguồn" in text_of(card)

    # The example line is one the gate log takes as it is.
    recorded = await say(desktop, "51C-123.45 CSQU3054383 vào 14:05", "lượt xe qua cổng")
    assert "Đã ghi 1 lượt xe qua cổng cho sự cố số 1." in text_of(recorded)

    docx = await press(desktop, copy, "ep:dx:1", None)
    assert docx is None
    await desktop.settle()
    sent = await desktop.answer(CONTACT, 0, lambda m: "document" in m)
    assert sent["document"]["file_name"] == "thong-bao-su-co_1.docx"
    document = Document(io.BytesIO(desktop.emu.file_bytes(sent["document"]["file_id"])))
    paragraphs = [p.text for p in document.paragraphs]
    assert any("Camera cổng chính mất hình do hỏng nguồn" in p for p in paragraphs)
    assert "Tuấn (Telegram)" in paragraphs
    mark = desktop.emu.mark()
    await press(desktop, copy, "ep:pf:1", None)
    await desktop.settle()
    pdf = await desktop.answer(CONTACT, mark, lambda m: "document" in m)
    assert pdf["document"]["file_name"] == "thong-bao-su-co_1.pdf"
    assert desktop.emu.file_bytes(pdf["document"]["file_id"]).startswith(b"%PDF")


async def test_edit_changes_one_part_and_keeps_the_rest(desktop: Desktop) -> None:
    await enrol(desktop)
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì?")
    question = await tap(desktop, question, "dr:kind:camera", "Sự cố xảy ra từ lúc nào")
    question = await tap(desktop, question, "dr:start-now", "camera nào bị ảnh hưởng")
    question = await tap(desktop, question, "dr:cam:C02", "camera nào bị ảnh hưởng")
    question = await tap(desktop, question, "dr:cams-done", "Mô tả sự cố")
    question = await say(desktop, "Camera kho mất hình", "ảnh hưởng")
    question = await tap(desktop, question, "dr:effect-cams", "Dự kiến khắc phục")
    question = await tap(desktop, question, "dr:exp:2026-11-30", "Đầu mối kỹ thuật")
    review = await tap(desktop, question, "dr:contact-me", "kiểm tra lại thông báo")
    # Only the storage camera is down: no gate log to keep.
    parts = await tap(desktop, review, "dr:edit", "muốn sửa mục nào")
    assert ("Mô tả", "dr:fix:description") in buttons_of(parts)
    question = await tap(desktop, parts, "dr:fix:description", "Mô tả sự cố")
    review = await say(desktop, "Camera kho mất hình do đứt cáp nguồn", "kiểm tra lại thông báo")
    text = text_of(review)
    assert "Camera kho mất hình do đứt cáp nguồn" in text
    assert "4. Dự kiến khắc phục: 30/11/2026" in text
    assert "5. Đầu mối kỹ thuật: Tuấn (Telegram)" in text
    # A second change, by buttons: the expected date.
    parts = await tap(desktop, review, "dr:edit", "muốn sửa mục nào")
    question = await tap(desktop, parts, "dr:fix:expected", "Dự kiến khắc phục")
    review = await tap(desktop, question, "dr:exp:2026-12-02", "kiểm tra lại thông báo")
    assert "4. Dự kiến khắc phục: 02/12/2026" in text_of(review)
    assert "Camera kho mất hình do đứt cáp nguồn" in text_of(review)
    copy = await tap(desktop, review, "dr:send", "Thông báo số 1")
    assert "ca-mê-ra cổng" not in text_of(copy)
    outage = outage_row(desktop)
    assert (outage.description, outage.expected_fix, outage.cameras) == (
        "Camera kho mất hình do đứt cáp nguồn",
        dt.date(2026, 12, 2),
        "C02",
    )


async def test_other_answers_are_typed_and_bad_ones_leave_the_step_as_it_was(
    desktop: Desktop,
) -> None:
    await enrol(desktop)
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì?")
    question = await tap(desktop, question, "dr:kind:transmission", "Sự cố xảy ra từ lúc nào")
    prompt = await tap(desktop, question, "dr:other", "Đề nghị ghi thời điểm sự cố bắt đầu")
    assert [data for _, data in buttons_of(prompt)] == ["dr:cancel"]
    refused = await say(desktop, "hôm trước", "không phải là thời gian")
    # Said in Vietnamese, and the same question is put again with its buttons.
    assert "Sự cố xảy ra từ lúc nào" in text_of(refused)
    assert ("1 giờ trước", "dr:start-1h") in buttons_of(refused)
    question = await say(desktop, "22h hôm qua", "camera nào bị ảnh hưởng")
    question = await tap(desktop, question, "dr:cams-done", "Mô tả sự cố")
    question = await say(desktop, "Mất kết nối cáp quang", "ảnh hưởng")
    question = await tap(desktop, question, "dr:skip", "Dự kiến khắc phục")
    await tap(desktop, question, "dr:other", "Đề nghị ghi ngày")
    refused = await say(desktop, "20/11", "không phải ngày từ hôm nay trở đi")
    assert "Dự kiến khắc phục" in text_of(refused)
    state = desktop.desk.drafts.get(CONTACT, CONTACT)
    assert state is not None and state.step == "expected"
    assert state.data["description"] == "Mất kết nối cáp quang"
    assert state.data["start"] == dt.datetime(2026, 11, 24, 22, 0, tzinfo=ICT).isoformat()
    # A forged date the question does not offer is refused with a word, and changes nothing.
    query = desktop.emu.forge_press(CONTACT, refused["message_id"], CONTACT, "dr:exp:2026-11-20")
    answer = await desktop.emu.wait_for_answer(query)
    assert answer["show_alert"] is True and "Nút này không còn hiệu lực" in answer["text"]
    state = desktop.desk.drafts.get(CONTACT, CONTACT)
    assert state is not None and state.step == "expected" and "expected" not in state.data
    question = await say(desktop, "3 ngày", "Đầu mối kỹ thuật")
    await tap(desktop, question, "dr:other", "họ tên và số điện thoại")
    review = await say(desktop, "Anh Tuấn 0903 123 456", "kiểm tra lại thông báo")
    assert "5. Đầu mối kỹ thuật: Anh Tuấn 0903 123 456" in text_of(review)
    # Typing at the review sends nothing: it says what to tap.
    again = await say(desktop, "gửi đi", "Thông báo chưa được gửi")
    assert ("📨 Gửi", "dr:send") in buttons_of(again)
    copy = await tap(desktop, again, "dr:send", "Thông báo số 1")
    # The line carries the gate camera too: the gate log is asked for.
    assert "51C-123.45 CSQU3054383 vào 14:05" in text_of(copy)
    assert outage_row(desktop).expected_fix == dt.date(2026, 11, 28)


async def test_someone_else_cannot_fetch_the_contacts_notice(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính mất hình từ 8h, dự kiến 30/11. Liên hệ anh Tuấn 0903 123 456",
        "ảnh hưởng",
    )
    review = await say(desktop, "Không ghi hình xe ra vào cổng", "kiểm tra lại thông báo")
    copy = await tap(desktop, review, "dr:send", "Thông báo số 1")
    desktop.emu.add_user(STRANGER, "Người lạ")
    # The officer of the desk passes the door but is not the enterprise's contact: the service
    # refuses; a stranger is stopped at the door. Each is told, and nothing is sent.
    for who, said in ((OFFICER, "Nút này dành cho người khác."), (STRANGER, "chỉ phục vụ")):
        query = desktop.emu.forge_press(CONTACT, copy["message_id"], who, "ep:dx:1")
        answer = await desktop.emu.wait_for_answer(query)
        assert answer["show_alert"] is True
        assert said in answer["text"]
    await desktop.settle()
    every = desktop.emu.bot_messages()
    assert not any("document" in m for m in every)
