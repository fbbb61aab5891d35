"""Incidents, the approval rule and the 30-minute reply rule, end to end through the emulator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from bot.db.models import Deadline, LogbookEntry, RequestStatus, UnitRequest
from bot.documents.cases import Annex
from bot.documents.service import Exported, Format
from bot.escalation.incidents import IncidentInput
from bot.logbook.service import Author
from tests.conftest import SHIFT_DAY
from tests.documents.reading import docx_text, pdf_text, squeeze
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    LEADER,
    OFFICER,
    SECTION,
    TEAM_CHAT,
    UNIT_CHAT,
    UNIT_CONTACT,
    Desktop,
    buttons_of,
    launch,
    text_of,
)


def has(fragment: str):  # type: ignore[no-untyped-def]
    return lambda message: fragment in text_of(message)


def button(message: dict[str, Any], data_prefix: str) -> str:
    return next(data for _, data in buttons_of(message) if data.startswith(data_prefix))


async def press(
    desktop: Desktop, chat: int, message: dict[str, Any], user: int, data: str
) -> dict[str, Any]:
    """Press a button and return the pop-up answer."""
    query = desktop.emu.press_button(chat, message["message_id"], user, data)
    return await desktop.emu.wait_for_answer(query)


async def prompt(desktop: Desktop, chat: int, mark: int, fragment: str) -> dict[str, Any]:
    return await desktop.answer(chat, mark, has(fragment))


def open_incident(desktop: Desktop) -> int:
    incident = desktop.desk.escalation.incidents.open(
        Author(OFFICER, "Phạm Thị Dung"),
        IncidentInput(
            description="Xe 51C-123.45 chở container CSQU3054383 ra cổng B không qua máy soi",
            place="Cảng Cát Lái, cổng B",
            containers=["CSQU3054383"],
            plates=["51C-123.45"],
        ),
        desktop.clock.now(),
    ).value
    assert incident.id is not None
    return incident.id


async def propose(
    desktop: Desktop,
    incident_id: int,
    kind: str = "coordination",
    units: tuple[str, ...] = ("hq-kv1",),
) -> dict[str, Any]:
    """Walk the proposal conversation as the officer; return the card shown to the leader."""
    await desktop.settle()
    card = await desktop.answer(GROUP, 0, has("Vụ việc 2026/"))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, f"pr:new:{incident_id}")
    question = await prompt(desktop, GROUP, mark, "loại xử lý")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, f"dr:kind:{kind}")
    for unit in units:
        question = await prompt(desktop, GROUP, mark, "đơn vị nào")
        mark = desktop.emu.mark()
        await press(desktop, GROUP, question, OFFICER, f"dr:unit:{unit}")
    question = await prompt(desktop, GROUP, mark, "đơn vị nào")
    return await finish_and_write(
        desktop,
        question,
        desktop.emu.mark(),
        "Đề nghị dừng xe 51C-123.45 tại cổng B và kiểm tra container CSQU3054383",
    )


async def finish_and_write(
    desktop: Desktop,
    question: dict[str, Any],
    mark: int,
    content: str,
    assessment: str = "Có dấu hiệu đưa hàng chưa kiểm tra ra khỏi khu vực giám sát",
) -> dict[str, Any]:
    """Close the units question, write the request's content and the assessment; return the
    proposal card."""
    await press(desktop, GROUP, question, OFFICER, "dr:units-done")
    await prompt(desktop, GROUP, mark, "nội dung yêu cầu")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, content)
    await prompt(desktop, GROUP, mark, "Phân tích, nhận định")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, assessment)
    return await desktop.answer(GROUP, mark, has("Đề xuất xử lý vụ việc"))


async def approved_request(desktop: Desktop) -> dict[str, Any]:
    """An approved coordination request as the unit sees it."""
    card = await propose(desktop, open_incident(desktop))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    return await desktop.answer(UNIT_CHAT, mark, has("Yêu cầu của trực ban"))


def entries(desktop: Desktop) -> list[LogbookEntry]:
    with Session(desktop.desk.engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all())


async def test_an_incident_is_opened_in_a_guided_conversation(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/incident")
    await prompt(desktop, GROUP, mark, "Vụ việc mới")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Cảng Cát Lái, bãi B3")
    question = await prompt(desktop, GROUP, mark, "Camera nào")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:skip")
    await prompt(desktop, GROUP, mark, "Số tham chiếu")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "cont CSQU3054384, BKS 51C-123.45")
    error = await prompt(desktop, GROUP, mark, "CSQU3054384")
    assert "chữ số cuối phải là 3" in text_of(error)
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "cont CSQU3054383, BKS 51C12345, tk 105123456789")
    await prompt(desktop, GROUP, mark, "Mô tả sự việc")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "   ")
    await prompt(desktop, GROUP, mark, "trả lời bằng chữ")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Container được cẩu ra khỏi bãi khi chưa có lệnh")
    await prompt(desktop, GROUP, mark, "ảnh hoặc tài liệu")
    mark = desktop.emu.mark()
    desktop.emu.inject_message(
        GROUP, OFFICER, caption="ảnh camera 12", photo=b"\xff\xd8jpeg", date=desktop.clock.now()
    )
    question = await prompt(desktop, GROUP, mark, "1 tệp đính kèm")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:done")
    card = await prompt(desktop, GROUP, mark, "Vụ việc 2026/0001")
    text = text_of(card)
    assert "Cảng Cát Lái, bãi B3" in text
    assert "TK 105123456789 · Cont CSQU3054383 · BKS 51C-123.45" in text
    assert "1 tệp đính kèm" in text
    assert [label for label, _ in buttons_of(card)] == ["📝 Đề xuất xử lý", "🆘 Khẩn (Điều 8.1)"]
    entry = entries(desktop)[-1]
    assert entry.incident == "[2026/0001] Container được cẩu ra khỏi bãi khi chưa có lệnh"
    assert entry.incident_place == "Cảng Cát Lái, bãi B3"
    assert entry.incident_refs == "TK 105123456789 · Cont CSQU3054383 · BKS 51C-123.45"
    assert entry.incident_received_at is not None
    assert desktop.desk.drafts.get(OFFICER, GROUP) is None


async def test_replying_incident_to_a_photo_prefills_it(desktop: Desktop) -> None:
    photo = desktop.emu.inject_message(
        GROUP,
        OFFICER,
        caption="Xe lạ đỗ sát kho CFS",
        photo=b"\xff\xd8jpeg",
        date=desktop.clock.now(),
    )
    desktop.clock.advance(dt.timedelta(minutes=3))
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/incident", reply_to_message_id=photo["message_id"])
    await prompt(desktop, GROUP, mark, "Vụ việc mới")
    for answer in ("Kho CFS số 2", "Camera 7"):
        mark = desktop.emu.mark()
        desktop.say(OFFICER, answer)
        await desktop.answer(GROUP, mark)
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "không")
    error = await desktop.answer(GROUP, mark)
    assert "Không tìm thấy số tờ khai, số container, biển kiểm soát" in text_of(error)
    question = error
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:skip")
    question = await prompt(desktop, GROUP, mark, "ảnh hoặc tài liệu")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:done")
    card = await prompt(desktop, GROUP, mark, "Vụ việc 2026/0001")
    assert "Xe lạ đỗ sát kho CFS" in text_of(card) and "Camera 7" in text_of(card)
    assert "1 tệp đính kèm" in text_of(card)
    # The time it arose is the photo's, three minutes before it was received.
    incident = desktop.desk.escalation.incidents.by_label("1", desktop.clock.now())
    assert incident is not None
    assert incident.received_at - incident.arisen_at == dt.timedelta(minutes=3)


async def test_nothing_reaches_a_unit_before_the_leader_approves(desktop: Desktop) -> None:
    card = await propose(desktop, open_incident(desktop))
    assert "chờ lãnh đạo ca trực" in text_of(card)
    assert [label for label, _ in buttons_of(card)] == ["✅ Duyệt", "❌ Không duyệt", "✏️ Sửa"]
    await desktop.later(5)
    assert desktop.emu.bot_messages(UNIT_CHAT) == []

    popup = await press(desktop, GROUP, card, SECTION, button(card, "ap:"))
    assert popup["show_alert"] is True
    assert "Chỉ lãnh đạo ca trực hiện tại (Nguyễn Văn An)" in str(popup["text"])
    assert [a.user_id for a in desktop.desk.audit.lines("denied")] == [SECTION]
    await desktop.settle()
    assert desktop.emu.bot_messages(UNIT_CHAT) == []

    # Two taps before the first is processed: the second changes nothing.
    first = desktop.emu.press_button(GROUP, card["message_id"], LEADER, button(card, "ap:"))
    second = desktop.emu.press_button(GROUP, card["message_id"], LEADER, button(card, "ap:"))
    assert (await desktop.emu.wait_for_answer(first))["text"] == "Đã duyệt."
    assert "đã được quyết định" in str((await desktop.emu.wait_for_answer(second))["text"])
    await desktop.settle()
    delivered = desktop.emu.bot_messages(UNIT_CHAT)
    assert len(delivered) == 1
    assert "Đề nghị dừng xe 51C-123.45" in text_of(delivered[0])
    assert "trong vòng 30 phút (trước 09:35)" in text_of(delivered[0])
    assert [label for label, _ in buttons_of(delivered[0])] == [
        "Trả lời ngay",
        "Xác nhận: đầu mối + thời gian",
    ]
    card_now = desktop.emu.bot_messages(GROUP)
    decided = next(m for m in card_now if m["message_id"] == card["message_id"])
    assert "đã duyệt — Nguyễn Văn An lúc 09:05" in text_of(decided)
    # The card no longer says nothing was sent: it was.
    assert "Chưa gửi gì" not in text_of(decided)
    assert buttons_of(decided) == []
    direction = [e for e in entries(desktop) if e.direction][-1]
    assert direction.direction_receiver == "Chi cục HQ CK cảng Sài Gòn KV1"
    assert direction.author_name == "Nguyễn Văn An"


async def test_the_units_acknowledgement_stops_the_clock(desktop: Desktop) -> None:
    request = await approved_request(desktop)
    await desktop.later(10)
    mark = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, request, UNIT_CONTACT, button(request, "rq:ack:"))
    await prompt(desktop, UNIT_CHAT, mark, "Ai xử lý")
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "lúc nào đó", chat_id=UNIT_CHAT)
    await prompt(desktop, UNIT_CHAT, mark, "trong một tin nhắn")
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "Đ/c Giang 0912 345 678, 11:30", chat_id=UNIT_CHAT)
    notice = await prompt(desktop, GROUP, mark, "đã xác nhận")
    assert "sau 10 phút" in text_of(notice) and "Đ/c Giang 0912 345 678" in text_of(notice)
    await desktop.settle()
    unit_before = len(desktop.emu.bot_messages(UNIT_CHAT))
    group_before = len(desktop.emu.bot_messages(GROUP))
    await desktop.later(60)
    assert len(desktop.emu.bot_messages(UNIT_CHAT)) == unit_before
    assert len(desktop.emu.bot_messages(GROUP)) == group_before
    with Session(desktop.desk.engine) as session:
        row = session.exec(select(UnitRequest)).one()
        assert row.status == RequestStatus.ACKNOWLEDGED and row.breached_at is None
        assert row.eta == dt.datetime(2026, 11, 25, 4, 30, tzinfo=dt.UTC)


async def test_a_missed_30_minutes_reminds_escalates_and_is_logged(desktop: Desktop) -> None:
    await approved_request(desktop)
    await desktop.later(15)
    reminders = desktop.emu.bot_messages(UNIT_CHAT)[1:]
    assert len(reminders) == 1 and "trong vòng 15 phút" in text_of(reminders[0])
    await desktop.later(10)
    assert "trong vòng 5 phút" in text_of(desktop.emu.bot_messages(UNIT_CHAT)[-1])
    assert not any("chưa hồi báo" in text_of(m) for m in desktop.emu.bot_messages(GROUP))

    await desktop.later(5)
    breach = [m for m in desktop.emu.bot_messages(GROUP) if "trong vòng 30 phút" in text_of(m)]
    assert len(breach) == 1
    assert "Chi cục HQ CK cảng Sài Gòn KV1 chưa hồi báo yêu cầu 2026/0001" in text_of(breach[0])
    private = desktop.emu.bot_messages(LEADER)
    assert len(private) == 1 and "chưa hồi báo" in text_of(private[0])
    note = [e for e in entries(desktop) if e.notes][-1]
    assert "không hồi báo trong vòng 30 phút" in note.notes

    unit_count = len(desktop.emu.bot_messages(UNIT_CHAT))
    await desktop.later(10)
    assert len(desktop.emu.bot_messages(UNIT_CHAT)) == unit_count + 1
    assert "quá hạn" in text_of(desktop.emu.bot_messages(UNIT_CHAT)[-1])
    # Acknowledging stops the reminders.
    request = desktop.emu.bot_messages(UNIT_CHAT)[-1]
    mark = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, request, UNIT_CONTACT, button(request, "rq:ack:"))
    await prompt(desktop, UNIT_CHAT, mark, "Ai xử lý")
    desktop.say(UNIT_CONTACT, "Đ/c Giang 0912345678, 45 phút", chat_id=UNIT_CHAT)
    await desktop.settle()
    unit_count = len(desktop.emu.bot_messages(UNIT_CHAT))
    await desktop.later(20)
    assert len(desktop.emu.bot_messages(UNIT_CHAT)) == unit_count


async def test_a_late_result_asks_for_the_reason_and_who(desktop: Desktop) -> None:
    request = await approved_request(desktop)
    mark = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, request, UNIT_CONTACT, button(request, "rq:ack:"))
    await prompt(desktop, UNIT_CHAT, mark, "Ai xử lý")
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "Đ/c Giang 0912345678, 45 phút", chat_id=UNIT_CHAT)
    follow_up = await prompt(desktop, UNIT_CHAT, mark, "báo cáo kết quả")
    await desktop.later(50)
    assert "Đã quá thời gian dự kiến" in text_of(desktop.emu.bot_messages(UNIT_CHAT)[-1])

    mark = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, follow_up, UNIT_CONTACT, button(follow_up, "rq:res:"))
    await prompt(desktop, UNIT_CHAT, mark, "Phụ lục IV")
    mark = desktop.emu.mark()
    desktop.say(
        UNIT_CONTACT, "09:40 dừng xe; 10:10 soi container; hàng đúng khai báo", chat_id=UNIT_CHAT
    )
    await prompt(desktop, UNIT_CHAT, mark, "Vì sao chậm")
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "Máy soi bận lô hàng khác", chat_id=UNIT_CHAT)
    await prompt(desktop, UNIT_CHAT, mark, "Ai chịu trách nhiệm")
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "Đ/c Lâm, tổ trưởng tổ máy soi", chat_id=UNIT_CHAT)
    await prompt(desktop, UNIT_CHAT, mark, "Đề xuất")
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "Đề nghị bố trí thêm máy soi tại cổng B", chat_id=UNIT_CHAT)
    report = await prompt(desktop, GROUP, mark, "đã báo cáo kết quả")
    assert "hàng đúng khai báo" in text_of(report)
    assert "Chậm: Máy soi bận lô hàng khác (trách nhiệm: Đ/c Lâm" in text_of(report)
    result = [e for e in entries(desktop) if e.result][-1]
    assert result.result_unit == "Chi cục HQ CK cảng Sài Gòn KV1"
    assert "chậm: Máy soi bận lô hàng khác" in result.result
    # What the unit proposed is printed on its Annex IV report.
    annex = desktop.desk.documents.incident("2026/0001", Annex.IV, Format.PDF, desktop.clock.now())
    assert isinstance(annex, Exported)
    assert "- Đề xuất (nếu có): Đề nghị bố trí thêm máy soi tại cổng B" in squeeze(
        pdf_text(annex.data)
    )


async def test_the_proposers_assessment_is_asked_and_printed_on_annex_iii(
    desktop: Desktop,
) -> None:
    """The assessment is one line: typed, or the incident's facts taken with one tap."""
    incident_id = open_incident(desktop)
    await desktop.settle()
    card = await desktop.answer(GROUP, 0, has("Vụ việc 2026/"))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, f"pr:new:{incident_id}")
    question = await prompt(desktop, GROUP, mark, "loại xử lý")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:kind:coordination")
    question = await prompt(desktop, GROUP, mark, "đơn vị nào")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:unit:hq-kv1")
    question = await prompt(desktop, GROUP, mark, "đơn vị nào")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:units-done")
    await prompt(desktop, GROUP, mark, "nội dung yêu cầu")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Đề nghị dừng xe 51C-123.45 tại cổng B")
    question = await prompt(desktop, GROUP, mark, "Phân tích, nhận định")
    # The facts are offered, to take with one tap.
    facts = "Xe 51C-123.45 chở container CSQU3054383 ra cổng B không qua máy soi"
    assert facts in text_of(question)
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:assess:facts")
    card = await desktop.answer(GROUP, mark, has("Đề xuất xử lý vụ việc"))
    # The leader decides on the assessment too.
    assert f"Nhận định: {facts}" in text_of(card)
    annex = desktop.desk.documents.incident(
        "2026/0001", Annex.III, Format.DOCX, desktop.clock.now()
    )
    assert isinstance(annex, Exported)
    printed = squeeze(docx_text(annex.data))
    assert f"- Phân tích, nhận định: {facts}; Cảng Cát Lái, cổng B; Cont CSQU3054383" in printed


async def test_the_urgent_path_sends_first_and_asks_for_confirmation(desktop: Desktop) -> None:
    incident_id = open_incident(desktop)
    await desktop.settle()
    card = await desktop.answer(GROUP, 0, has("Vụ việc 2026/0001"))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, f"ur:new:{incident_id}")
    question = await prompt(desktop, GROUP, mark, "trường hợp nào")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:case:passing_gate")
    question = await prompt(desktop, GROUP, mark, "đơn vị nào")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:unit:doi-ks")
    await prompt(desktop, GROUP, mark, "nội dung yêu cầu")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Dừng ngay xe 51C-123.45 tại cổng B")
    sent = await desktop.answer(TEAM_CHAT, mark, has("KHẨN"))
    assert "Dừng ngay xe 51C-123.45" in text_of(sent)
    urgent_card = await desktop.answer(GROUP, mark, has("HÀNH ĐỘNG KHẨN"))
    assert "chờ lãnh đạo ca trực xác nhận" in text_of(urgent_card)
    assert [label for label, _ in buttons_of(urgent_card)] == ["✅ Xác nhận"]
    # Everything the urgent path queued has gone before the clock moves on.
    await desktop.settle()

    await desktop.later(10)
    reminder = desktop.emu.bot_messages(GROUP)[-1]
    assert "Nguyễn Văn An" in text_of(reminder) and "chờ đồng chí quyết định" in text_of(reminder)
    popup = await press(desktop, GROUP, urgent_card, OFFICER, button(urgent_card, "cf:"))
    assert popup["show_alert"] is True
    popup = await press(desktop, GROUP, urgent_card, LEADER, button(urgent_card, "cf:"))
    assert popup["text"] == "Đã xác nhận."
    await desktop.settle()

    def reminders() -> int:
        return sum("chờ đồng chí quyết định" in text_of(m) for m in desktop.emu.bot_messages(GROUP))

    count = reminders()
    await desktop.later(30)
    assert reminders() == count


async def test_rejecting_asks_for_a_reason_and_sends_nothing(desktop: Desktop) -> None:
    card = await propose(desktop, open_incident(desktop))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, LEADER, button(card, "rj:"))
    await prompt(desktop, GROUP, mark, "lý do")
    mark = desktop.emu.mark()
    desktop.say(LEADER, "Chưa đủ căn cứ, tiếp tục theo dõi camera 12")
    await prompt(desktop, GROUP, mark, "Đã không duyệt")
    card_now = await desktop.emu.wait_for_edit(GROUP, card["message_id"], predicate=has("Lý do"))
    assert "không duyệt" in text_of(card_now)
    assert "Lý do: Chưa đủ căn cứ, tiếp tục theo dõi camera 12" in text_of(card_now)
    await desktop.later(60)
    assert desktop.emu.bot_messages(UNIT_CHAT) == []


async def test_escalating_kinds_wait_for_the_director_general(desktop: Desktop) -> None:
    card = await propose(desktop, open_incident(desktop), kind="intervention")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    annex = await desktop.answer(GROUP, mark, has("ĐỀ XUẤT XỬ LÝ THÔNG TIN PHÁT SINH"))
    assert "Cảng Cát Lái, cổng B" in text_of(annex)
    assert "ngày 25 tháng 11 năm 2026" in text_of(annex)
    await desktop.settle()
    assert desktop.emu.bot_messages(UNIT_CHAT) == []
    with Session(desktop.desk.engine) as session:
        assert session.exec(select(UnitRequest)).all() == []
    mark = desktop.emu.mark()
    await press(desktop, GROUP, annex, LEADER, button(annex, "gd:"))
    delivered = await desktop.answer(UNIT_CHAT, mark, has("Yêu cầu của trực ban"))
    assert "Can thiệp đối với hàng hóa đã thông quan" in text_of(delivered)


async def test_a_restart_mid_wait_fires_every_deadline_exactly_once(desktop: Desktop) -> None:
    await approved_request(desktop)
    await desktop.later(14)
    await desktop.stop()
    # The bot is down while the 15- and 25-minute reminders and the 30-minute deadline pass.
    desktop.clock.advance(dt.timedelta(minutes=20))
    await desktop.restart()
    await desktop.settle()
    unit = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
    assert len(unit) == 4  # the request, two reminders, the breach reminder
    breaches = [m for m in desktop.emu.bot_messages(GROUP) if "chưa hồi báo yêu cầu" in text_of(m)]
    assert len(breaches) == 1
    await desktop.restart()
    await desktop.settle()
    assert len(desktop.emu.bot_messages(UNIT_CHAT)) == 4
    breaches = [m for m in desktop.emu.bot_messages(GROUP) if "chưa hồi báo yêu cầu" in text_of(m)]
    assert len(breaches) == 1
    with Session(desktop.desk.engine) as session:
        fired = session.exec(select(Deadline).where(col(Deadline.fired_at).is_not(None))).all()
        assert sorted(d.kind for d in fired) == ["reply_deadline", "unit_reminder", "unit_reminder"]


async def test_pending_and_history_views(desktop: Desktop) -> None:
    card = await propose(desktop, open_incident(desktop))
    await desktop.later(12)
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/pending")
    view = text_of(await desktop.answer(GROUP, mark))
    assert "Chờ lãnh đạo ca trực" in view and "2026/0001" in view and "12 phút trước" in view
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    await desktop.later(40)
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/pending")
    view = text_of(await desktop.answer(GROUP, mark))
    assert "Chờ đơn vị hồi báo" in view and "🔴 10 phút quá hạn" in view

    mark = desktop.emu.mark()
    desktop.say(SECTION, "/incident 2026/0001")
    history = text_of(await desktop.answer(GROUP, mark))
    assert "Xe 51C-123.45 chở container CSQU3054383" in history
    assert "Đề nghị dừng xe" in history and "đã duyệt — Nguyễn Văn An" in history
    assert "không hồi báo trong vòng 30 phút" in history
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/incident 2026/0999")
    assert "Không có vụ việc 2026/0999" in text_of(await desktop.answer(GROUP, mark))


async def test_after_hours_the_leader_is_reminded_privately(desktop: Desktop) -> None:
    desktop.clock.set(dt.datetime(2026, 11, 25, 19, 30, tzinfo=dt.UTC))  # 02:30 local
    await propose(desktop, open_incident(desktop))
    await desktop.later(10)
    private = desktop.emu.bot_messages(LEADER)
    assert len(private) == 1 and "chờ đồng chí quyết định" in text_of(private[0])
    assert not any("chờ đồng chí quyết định" in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    await desktop.later(15)
    assert len(desktop.emu.bot_messages(LEADER)) == 2


async def test_bad_input_keeps_what_was_typed(desktop: Desktop) -> None:
    incident_id = open_incident(desktop)
    await desktop.settle()
    card = await desktop.answer(GROUP, 0, has("Vụ việc 2026/0001"))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, f"pr:new:{incident_id}")
    question = await prompt(desktop, GROUP, mark, "loại xử lý")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:kind:information")
    await prompt(desktop, GROUP, mark, "đơn vị nào")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Chi cục Hải Phòng")
    error = await prompt(desktop, GROUP, mark, "không phải đơn vị")
    assert "Chi cục HQ CK cảng Sài Gòn KV1" in text_of(error)
    state = desktop.desk.drafts.get(OFFICER, GROUP)
    assert state is not None and state.data["kind"] == "information" and state.step == "units"
    # Typing a unit's exact name works as well as tapping it.
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Đội Kiểm soát Hải quan")
    chosen = await prompt(desktop, GROUP, mark, "Gửi đơn vị nào")
    assert ("☑ Đội Kiểm soát Hải quan", "dr:unit:doi-ks") in buttons_of(chosen)
    # A stale button of a finished conversation explains itself.
    desktop.desk.drafts.drop(OFFICER, GROUP)
    popup = await press(desktop, GROUP, question, OFFICER, "dr:kind:reminder")
    assert "không còn mở" in str(popup["text"])
    await desktop.settle()
    with Session(desktop.desk.engine) as session:
        assert session.exec(select(UnitRequest)).all() == []


async def test_the_proposer_edits_and_the_leader_decides_on_the_new_version(
    desktop: Desktop,
) -> None:
    card = await propose(desktop, open_incident(desktop))
    popup = await press(desktop, GROUP, card, CLERK, button(card, "ed:"))
    assert "Chỉ người đề xuất hoặc lãnh đạo cấp phòng trực ban" in str(popup["text"])
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, button(card, "ed:"))
    await prompt(desktop, GROUP, mark, "nội dung mới")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Đề nghị soi container CSQU3054383 tại bãi B3")
    await prompt(desktop, GROUP, mark, "Đã cập nhật đề xuất")
    edited = await desktop.emu.wait_for_edit(GROUP, card["message_id"], predicate=has("bản 2"))
    assert "Đề nghị soi container CSQU3054383 tại bãi B3" in text_of(edited)
    assert button(edited, "ap:").endswith(":2")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, edited, LEADER, button(edited, "ap:"))
    delivered = await desktop.answer(UNIT_CHAT, mark, has("Yêu cầu của trực ban"))
    assert "Đề nghị soi container CSQU3054383 tại bãi B3" in text_of(delivered)


async def test_a_unit_contact_is_told_what_they_answer(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "/help", chat_id=UNIT_CONTACT)
    answer = text_of(await desktop.answer(UNIT_CONTACT, mark))
    assert "trả lời các yêu cầu của trực ban gửi Chi cục HQ CK cảng Sài Gòn KV1" in answer


async def test_a_unit_without_a_chat_is_phoned_not_forgotten(migrated_url: str) -> None:
    units = [
        {"key": "hq-kv1", "name": "Chi cục HQ CK cảng Sài Gòn KV1", "chat_id": UNIT_CHAT},
        {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": TEAM_CHAT},
        {"key": "hq-mb", "name": "Chi cục HQ CK Mộc Bài"},
    ]
    async with launch(migrated_url, units=units) as desktop:
        card = await propose(desktop, open_incident(desktop), units=("hq-kv1", "hq-mb"))
        mark = desktop.emu.mark()
        await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
        await desktop.settle()
        # The unit with a chat gets its request; the other is told to the desk to phone.
        assert desktop.emu.bot_messages(UNIT_CHAT)
        warning = await desktop.answer(GROUP, mark, has("không có nhóm chat"))
        assert "Chi cục HQ CK Mộc Bài" in text_of(warning) and "2026/0001" in text_of(warning)
        leader = [text_of(m) for m in desktop.emu.bot_messages(LEADER)]
        assert any("Chi cục HQ CK Mộc Bài" in text for text in leader)
        notes = [e.notes for e in entries(desktop)]
        assert any("Chi cục HQ CK Mộc Bài" in n and "gọi điện" in n for n in notes)


async def test_the_pending_card_names_the_leader_and_a_silent_leader_is_phoned(
    desktop: Desktop,
) -> None:
    card = await propose(desktop, open_incident(desktop))
    # The leader is named on the card, so their phone rings (a mention, not just a word).
    assert "chờ lãnh đạo ca trực — Nguyễn Văn An" in text_of(card)
    assert "Chưa gửi gì đến đơn vị hay cá nhân trước khi được duyệt." in text_of(card)
    mentioned = {e["user"]["id"] for e in card.get("entities", []) if e.get("user")}
    assert mentioned == {LEADER}
    await desktop.later(19)
    assert desktop.emu.bot_messages(SECTION) == []
    await desktop.later(1)
    # Twenty minutes without a decision: the section leader is asked to phone the leader.
    (asked,) = desktop.emu.bot_messages(SECTION)
    assert "Lãnh đạo ca trực Nguyễn Văn An chưa quyết định" in text_of(asked)
    assert "gọi điện cho lãnh đạo ca trực" in text_of(asked)
    notes = [e.notes for e in desktop.desk.logbook.page(SHIFT_DAY, 0).entries if e.notes]
    assert any("đã đề nghị Trần Thị Bình gọi điện cho lãnh đạo ca trực" in n for n in notes)
    # Only the leader decides still: the section leader's approval is refused.
    answer = await press(desktop, GROUP, card, SECTION, button(card, "ap:"))
    assert answer["show_alert"] is True
    await desktop.later(60)
    assert len(desktop.emu.bot_messages(SECTION)) == 1


async def test_the_approved_card_tells_the_requests_story_in_place(desktop: Desktop) -> None:
    card = await propose(desktop, open_incident(desktop))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    request = await desktop.answer(UNIT_CHAT, mark, has("Yêu cầu của trực ban"))

    def card_now() -> str:
        return next(
            text_of(m)
            for m in desktop.emu.bot_messages(GROUP)
            if m["message_id"] == card["message_id"]
        )

    await desktop.settle()
    assert "📨 Chi cục HQ CK cảng Sài Gòn KV1: đã gửi lúc 09:00, hạn hồi báo 09:30" in card_now()
    await desktop.later(31)
    assert "🔴 Chi cục HQ CK cảng Sài Gòn KV1: chưa hồi báo trước 09:30" in card_now()
    mark = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, request, UNIT_CONTACT, button(request, "rq:ack:"))
    await prompt(desktop, UNIT_CHAT, mark, "Ai xử lý")
    desktop.say(UNIT_CONTACT, "Đ/c Giang 0912 345 678, 11:30", chat_id=UNIT_CHAT)
    await desktop.settle()
    story = card_now()
    assert (
        "📥 Chi cục HQ CK cảng Sài Gòn KV1: Võ Văn Giang xác nhận lúc 09:31; "
        "đầu mối Đ/c Giang 0912 345 678, dự kiến xong 25/11/2026 11:30"
    ) in story
    assert "🔴" not in story and "📨" not in story
