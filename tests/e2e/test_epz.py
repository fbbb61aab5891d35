"""EPZ outages end to end: Annex II notices, working-day deadlines, gate logs, restoration."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from sqlmodel import Session, select

from bot.db.models import EpzOutage, GateMovementRecord, LogbookEntry
from tests.e2e.conftest import GROUP, OFFICER, Desktop, buttons_of, text_of

CONTACT = 3001
ICT = dt.timezone(dt.timedelta(hours=7))


def has(fragment: str):  # type: ignore[no-untyped-def]
    return lambda message: fragment in text_of(message)


async def enrol(desktop: Desktop) -> None:
    desktop.emu.add_user(CONTACT, "Tuấn")
    invite = desktop.desk.enrolment.issue("dncx-abc", OFFICER, desktop.clock.now())
    desktop.desk.enrolment.redeem(invite.code, CONTACT, "Tuấn", desktop.clock.now())


async def say(
    desktop: Desktop, text: str, expect: str, chat: int = CONTACT, user: int = CONTACT
) -> dict[str, Any]:
    mark = desktop.emu.mark()
    desktop.say(user, text, chat_id=chat)
    return await desktop.answer(chat, mark, has(expect))


async def press(
    desktop: Desktop,
    message: dict[str, Any],
    data: str,
    expect: str | None,
    chat: int = CONTACT,
    user: int = CONTACT,
) -> dict[str, Any] | None:
    mark = desktop.emu.mark()
    query = desktop.emu.press_button(chat, message["message_id"], user, data)
    await desktop.emu.wait_for_answer(query)
    return await desktop.answer(chat, mark, has(expect)) if expect else None


async def reviewed(desktop: Desktop, text: str) -> dict[str, Any]:
    """Answer the notice's last question, see it whole for review, and send it."""
    review = await say(desktop, text, "kiểm tra lại thông báo")
    assert ("📨 Gửi", "dr:send") in buttons_of(review)
    done = await press(desktop, review, "dr:send", "Thông báo số")
    assert done is not None
    return done


def entries(desktop: Desktop) -> list[LogbookEntry]:
    with Session(desktop.desk.engine) as session:
        return list(session.exec(select(LogbookEntry)).all())


async def test_a_full_notice_by_buttons(desktop: Desktop) -> None:
    await enrol(desktop)
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì")
    question = await press(desktop, question, "dr:kind:camera", "Sự cố xảy ra từ lúc nào")
    assert question is not None
    question = await press(desktop, question, "dr:start-now", "camera nào bị ảnh hưởng")
    assert question is not None
    assert ("☐ C01 Cổng chính", "dr:cam:C01") in buttons_of(question)
    question = await press(desktop, question, "dr:cam:C01", "camera nào bị ảnh hưởng")
    assert question is not None and ("☑ C01 Cổng chính", "dr:cam:C01") in buttons_of(question)
    await press(desktop, question, "dr:cams-done", "Mô tả sự cố")
    question = await say(desktop, "Camera cổng chính mất hình do hỏng nguồn", "ảnh hưởng")
    await press(desktop, question, "dr:skip", "Dự kiến khắc phục")
    await say(desktop, "24/11", "không phải ngày")
    await say(desktop, "05/12", "Đầu mối kỹ thuật")
    done = await reviewed(desktop, "Anh Tuấn 0903 123 456")
    assert "hết ngày 09/12/2026" in text_of(done)
    await desktop.settle()
    card = next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    text = text_of(card)
    assert "Công ty TNHH ABC Việt Nam · KCX Tân Thuận, Quận 7 · MST 0312345678" in text
    assert "camera C01" in text and "Camera cổng chính mất hình do hỏng nguồn" in text
    assert "Dự kiến khắc phục: 05/12/2026" in text and "Anh Tuấn 0903 123 456" in text
    assert "(10 ngày làm việc): hết ngày 09/12/2026" in text
    incident = [e for e in entries(desktop) if e.incident][-1]
    assert incident.incident_refs == "MST 0312345678"


async def test_one_free_text_message_is_read_and_only_the_rest_asked(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Mất kết nối đường truyền internet từ 8h, camera C01 C02 không xem "
        "được. Dự kiến 27/11. Liên hệ anh Tuấn 0903123456",
        "ảnh hưởng",
    )
    done = await reviewed(desktop, "Không giám sát được cổng chính")
    assert "hết ngày 30/11/2026" in text_of(done)  # Thu 26, Fri 27, Mon 30
    with Session(desktop.desk.engine) as session:
        outage = session.exec(select(EpzOutage)).one()
    assert (outage.kind, outage.cameras, outage.expected_fix, outage.tech_contact) == (
        "transmission",
        "C01,C02",
        dt.date(2026, 11, 27),
        "anh Tuấn 0903123456",
    )
    # Next time the contact is offered again, with the name.
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì")
    question = await press(desktop, question, "dr:kind:power_cut", "Khi nào bắt đầu")
    assert question is not None
    question = await press(desktop, question, "dr:start-now", "camera nào")
    assert question is not None
    question = await press(desktop, question, "dr:cams-done", "Mô tả sự cố")
    await say(desktop, "Cắt điện toàn khu", "ảnh hưởng")
    await say(desktop, "Không ghi hình", "Khi nào xong")
    question = await say(desktop, "26/11", "Đầu mối kỹ thuật")
    assert buttons_of(question)[0] == ("Dùng: anh Tuấn 0903123456", "dr:contact-last")


async def test_deadlines_follow_up_and_explanation_with_a_moved_clock(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Đường truyền mất kết nối từ 8h, camera C01. Dự kiến 27/11. Liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không giám sát được cổng")

    # 16:00 the same working day: the assigned officer is asked for progress.
    desktop.clock.set(dt.datetime(2026, 11, 25, 16, 0, tzinfo=ICT))
    await desktop.settle()
    follow_up = desktop.emu.bot_messages(OFFICER)[-1]
    assert "Theo dõi hằng ngày" in text_of(follow_up)
    await press(desktop, follow_up, "ep:nc:1", "Đã ghi vào sổ", chat=OFFICER, user=OFFICER)
    assert any("không thay đổi" in e.work_performed for e in entries(desktop))

    # Friday 27/11 09:00, the working day before the deadline: the contact is reminded.
    desktop.clock.set(dt.datetime(2026, 11, 27, 9, 0, tzinfo=ICT))
    await desktop.settle()
    assert "hết ngày 30/11/2026" in text_of(desktop.emu.bot_messages(CONTACT)[-1])

    # After Monday 30/11 ends without a repair: explanation asked, group told, logbook noted.
    desktop.clock.set(dt.datetime(2026, 12, 1, 0, 1, tzinfo=ICT))
    await desktop.settle()
    request = desktop.emu.bot_messages(CONTACT)[-1]
    assert "giải trình bằng văn bản" in text_of(request)
    assert any("quá hạn khắc phục" in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    assert any("quá hạn khắc phục" in e.notes for e in entries(desktop))
    await press(desktop, request, "ep:ex:1", "Vì sao chưa khắc phục")
    await say(desktop, "Chờ nhà mạng kéo lại cáp quang", "Đến ngày nào")
    await say(desktop, "05/12", "Đã ghi nhận giải trình")
    await desktop.settle()
    assert any(
        "Ngày dự kiến mới: 05/12/2026" in text_of(m) for m in desktop.emu.bot_messages(GROUP)
    )
    desktop.clock.set(dt.datetime(2026, 12, 5, 9, 0, tzinfo=ICT))
    await desktop.settle()
    assert any("Hôm nay là ngày" in text_of(m) for m in desktop.emu.bot_messages(OFFICER))


async def test_gate_log_lines_good_and_bad(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    answer = await say(
        desktop,
        "51C-123.45 CSQU3054383 vào 8:05\n29A-1234 ra 8h10\n"
        "51C-123.45 CSQU3054384 vào\nxe tải lạ vào",
        "lượt xe",
    )
    text = text_of(answer)
    assert text.startswith("Đã ghi 2 lượt xe qua cổng cho sự cố số 1.")
    assert "Dòng 3: số container CSQU3054384 sai số kiểm tra (chữ số cuối phải là 3)" in text
    assert "Dòng 4: không có biển kiểm soát" in text
    with Session(desktop.desk.engine) as session:
        rows = session.exec(select(GateMovementRecord)).all()
    assert [(r.plate, r.container, r.direction) for r in rows] == [
        ("51C-123.45", "CSQU3054383", "in"),
        ("29A-1234", None, "out"),
    ]
    view = await say(desktop, "/epz", "Doanh nghiệp chế xuất", chat=OFFICER, user=OFFICER)
    assert "2 lượt xe qua cổng" in text_of(view)


async def test_restoration_closes_the_outage(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C02 kho ngoại quan hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không giám sát được kho")
    desktop.clock.advance(dt.timedelta(hours=26))
    await say(desktop, "/restored", "Công chức hải quan sẽ kiểm tra")
    await desktop.settle()
    ask = next(
        m for m in desktop.emu.bot_messages(OFFICER) if "báo đã khắc phục sự cố số 1" in text_of(m)
    )
    await press(desktop, ask, "ep:ok:1", "Đã đóng", chat=OFFICER, user=OFFICER)
    await desktop.settle()
    closed = [text_of(m) for m in desktop.emu.bot_messages(GROUP) if "khắc phục sau" in text_of(m)]
    # 27 hours from 08:00, when it broke, though notified at 09:00.
    assert closed == [
        "✅ Công ty TNHH ABC Việt Nam: sự cố số 1 đã khắc phục sau 27 giờ, trong "
        "thời hạn (xác nhận: Phạm Thị Dung)."
    ]
    with Session(desktop.desk.engine) as session:
        outage = session.exec(select(EpzOutage)).one()
    assert outage.status == "closed" and outage.met_deadline is True


async def test_gate_log_listed_and_exported_as_xlsx(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    await say(desktop, "51C-123.45 CSQU3054383 vào 8:05\n29A-1234 ra 8h10", "lượt xe")

    mark = desktop.emu.mark()
    listing = await say(desktop, "/gatelog 1", "Sổ theo dõi cổng", chat=OFFICER, user=OFFICER)
    assert text_of(listing).splitlines() == [
        "🚚 Sổ theo dõi cổng của sự cố số 1 (Công ty TNHH ABC Việt Nam): 2 lượt xe.",
        "25/11/2026 08:05 · vào · 51C-123.45 · CSQU3054383",
        "25/11/2026 08:10 · ra · 29A-1234",
    ]
    await desktop.settle()
    sent = await desktop.answer(OFFICER, mark, lambda m: "document" in m)
    assert sent["document"]["file_name"] == "so-theo-doi-cong-su-co-1.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(desktop.emu.file_bytes(sent["document"]["file_id"])))
    sheet = book.active
    assert sheet is not None
    assert sheet["A2"].value == "Doanh nghiệp: Công ty TNHH ABC Việt Nam — MST 0312345678"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    recorded = dt.datetime(2026, 11, 25, 9, 0)
    assert rows == [
        [
            "STT",
            "Biển kiểm soát",
            "Số container",
            "Vào/Ra",
            "Thời gian",
            "Người ghi",
            "Thời điểm ghi",
        ],
        [1, "51C-123.45", "CSQU3054383", "Vào", dt.datetime(2026, 11, 25, 8, 5), "Tuấn", recorded],
        [2, "29A-1234", None, "Ra", dt.datetime(2026, 11, 25, 8, 10), "Tuấn", recorded],
    ]

    # The contact gets its own enterprise's latest log without naming it.
    mark = desktop.emu.mark()
    await say(desktop, "/gatelog", "2 lượt xe")
    await desktop.settle()
    assert await desktop.answer(CONTACT, mark, lambda m: "document" in m)


async def test_gate_log_of_an_unknown_outage_says_which_exist(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    answer = await say(desktop, "/gatelog 9", "Không có sự cố số 9", chat=OFFICER, user=OFFICER)
    assert "Gõ /gatelog kèm số sự cố, ví dụ /gatelog 1. Các sự cố: 1." in text_of(answer)
    await desktop.settle()
    assert not any("document" in m for m in desktop.emu.bot_messages(OFFICER))


async def test_planned_maintenance_is_notified_in_advance_and_logged(desktop: Desktop) -> None:
    await enrol(desktop)
    question = await say(desktop, "/outage", "Doanh nghiệp gặp sự cố gì")
    await press(desktop, question, "dr:kind:maintenance", "Khi nào bắt đầu")
    await say(desktop, "24/11 08:00", "không phải ngày giờ từ nay trở đi")
    question = await say(desktop, "28/11 8h", "camera nào bị ảnh hưởng")
    question = await press(desktop, question, "dr:cam:C01", "camera nào")
    assert question is not None
    await press(desktop, question, "dr:cams-done", "Mô tả sự cố")
    question = await say(desktop, "Bảo trì đầu ghi và camera cổng chính", "ảnh hưởng")
    await press(desktop, question, "dr:skip", "Khi nào xong")
    await say(desktop, "27/11", "trước ngày bắt đầu (28/11/2026)")
    await say(desktop, "29/11", "Đầu mối kỹ thuật")
    done = await reviewed(desktop, "Anh Tuấn 0903 123 456")
    assert "⏰ Bắt đầu: 28/11/2026 08:00" in text_of(done)
    await desktop.settle()
    card = text_of(
        next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    )
    assert "bảo trì theo kế hoạch" in card and "⏰ Bắt đầu: 28/11/2026 08:00" in card
    assert "4. Dự kiến kết thúc: 29/11/2026" in card
    notice = next(e for e in entries(desktop) if e.incident)
    assert "bảo trì theo kế hoạch (từ 28/11/2026 08:00)" in notice.incident
    assert notice.incident_arisen_at == dt.datetime(2026, 11, 28, 8, 0, tzinfo=ICT)
    view = await say(desktop, "/epz", "Doanh nghiệp chế xuất", chat=OFFICER, user=OFFICER)
    assert "⏰ bắt đầu 28/11/2026 08:00" in text_of(view)

    # Nothing to follow up before the work starts.
    desktop.clock.set(dt.datetime(2026, 11, 25, 16, 0, tzinfo=ICT))
    await desktop.settle()
    assert not any("Theo dõi hằng ngày" in text_of(m) for m in desktop.emu.bot_messages(OFFICER))

    # Saturday 28/11 08:00: the start is announced and logged; the gate log is taken from then.
    desktop.clock.set(dt.datetime(2026, 11, 28, 8, 0, tzinfo=ICT))
    await desktop.settle()
    begun = "Công ty TNHH ABC Việt Nam: bắt đầu bảo trì theo kế hoạch theo thông báo số 1"
    assert any(begun in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    assert any(begun in e.work_performed for e in entries(desktop))
    desktop.clock.set(dt.datetime(2026, 11, 28, 8, 10, tzinfo=ICT))
    logged = await say(desktop, "51C-123.45 vào 8:05", "lượt xe")
    assert text_of(logged).startswith("Đã ghi 1 lượt xe qua cổng cho sự cố số 1.")

    # The follow-up starts on the first working day of the work, Monday 30/11.
    desktop.clock.set(dt.datetime(2026, 11, 30, 16, 0, tzinfo=ICT))
    await desktop.settle()
    assert "Theo dõi hằng ngày" in text_of(desktop.emu.bot_messages(OFFICER)[-1])


async def test_a_power_cut_announced_in_one_message(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop,
        "Thông báo cắt điện toàn khu từ 8h ngày 28/11 đến 29/11, camera C01 C02 không "
        "hoạt động. Liên hệ 0903123456",
        "ảnh hưởng",
    )
    done = await reviewed(desktop, "Không ghi hình trong thời gian cắt điện")
    assert "⏰ Bắt đầu: 28/11/2026 08:00" in text_of(done)
    with Session(desktop.desk.engine) as session:
        outage = session.exec(select(EpzOutage)).one()
    assert (outage.kind, outage.cameras, outage.expected_fix, outage.tech_contact) == (
        "power_cut",
        "C01,C02",
        dt.date(2026, 11, 29),
        "0903123456",
    )
    assert outage.starts_at == dt.datetime(2026, 11, 28, 8, 0, tzinfo=ICT)
