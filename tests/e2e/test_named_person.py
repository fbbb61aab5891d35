"""A request to a named person in their private chat with the bot, end to end: the same
approval rule, the same 30-minute clock, and no request lost when Telegram refuses it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from bot.db.models import RequestStatus, UnitRequest
from tests.e2e.conftest import (
    GROUP,
    LEADER,
    NOT_STARTED,
    OFFICER,
    SECTION,
    TEAM_LEADER,
    UNIT_CHAT,
    UNIT_CONTACT,
    Desktop,
    buttons_of,
    text_of,
)
from tests.e2e.test_incidents import (
    button,
    entries,
    finish_and_write,
    has,
    open_incident,
    press,
    prompt,
)

KHOA = "Lý Văn Khoa (Tổ trưởng Tổ cơ động)"
LOC = "Mai Văn Lộc (Đội trưởng Đội Kiểm soát ma túy)"


async def choose_person_and_write(
    desktop: Desktop, question: dict[str, Any], mark: int, person: int
) -> dict[str, Any]:
    """From the units question, pick a named person, finish, write the content; return the
    bot's answer in the group."""
    await press(desktop, GROUP, question, OFFICER, "dr:people")
    question = await prompt(desktop, GROUP, mark, "Gửi cho ai")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, f"dr:person:{person}")
    question = await prompt(desktop, GROUP, mark, "Gửi đơn vị nào")
    return await finish_and_write(
        desktop,
        question,
        desktop.emu.mark(),
        "Đề nghị tổ cơ động chặn xe 51C-123.45 tại ngã ba Cát Lái",
    )


async def units_question(desktop: Desktop, first: str, urgent: bool = False) -> dict[str, Any]:
    """Open an incident, start proposing (or the urgent path), answer the first question
    (`first`, e.g. "kind:coordination"); return the question of units."""
    incident_id = open_incident(desktop)
    await desktop.settle()
    card = await desktop.answer(GROUP, 0, has("Vụ việc 2026/"))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, f"{'ur' if urgent else 'pr'}:new:{incident_id}")
    question = await prompt(desktop, GROUP, mark, "trường hợp nào" if urgent else "loại xử lý")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, f"dr:{first}")
    return await prompt(desktop, GROUP, mark, "Gửi đơn vị nào")


async def propose_to(desktop: Desktop, person: int) -> dict[str, Any]:
    """Walk the proposal conversation to one named person; return the leader's card."""
    question = await units_question(desktop, "kind:coordination")
    return await choose_person_and_write(desktop, question, desktop.emu.mark(), person)


async def approve(desktop: Desktop, card: dict[str, Any]) -> None:
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    await desktop.settle()


async def delivered_to_khoa(desktop: Desktop) -> dict[str, Any]:
    card = await propose_to(desktop, TEAM_LEADER)
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    return await desktop.answer(TEAM_LEADER, mark, has("Yêu cầu của trực ban"))


def the_request(desktop: Desktop) -> UnitRequest:
    with Session(desktop.desk.engine) as session:
        return session.exec(select(UnitRequest)).one()


async def test_approval_delivers_the_request_to_the_persons_private_chat(
    desktop: Desktop,
) -> None:
    card = await propose_to(desktop, TEAM_LEADER)
    assert f"Đơn vị thực hiện: {KHOA}" in text_of(card)
    await desktop.later(5)
    # Nothing reaches the person before the shift leader approves.
    assert desktop.emu.bot_messages(TEAM_LEADER) == []
    await press(desktop, GROUP, card, LEADER, button(card, "ap:"))
    await desktop.settle()
    delivered = desktop.emu.bot_messages(TEAM_LEADER)
    assert len(delivered) == 1
    assert "Đề nghị tổ cơ động chặn xe 51C-123.45" in text_of(delivered[0])
    assert "trong vòng 30 phút (trước 09:35)" in text_of(delivered[0])
    assert [label for label, _ in buttons_of(delivered[0])] == [
        "Trả lời ngay",
        "Xác nhận: đầu mối + thời gian",
    ]
    # A named person's request goes to them alone, not to any unit's chat.
    assert desktop.emu.bot_messages(UNIT_CHAT) == []
    direction = [e for e in entries(desktop) if e.direction][-1]
    assert direction.direction_receiver == KHOA


async def test_the_persons_acknowledgement_stops_the_clock(desktop: Desktop) -> None:
    request = await delivered_to_khoa(desktop)
    await desktop.later(12)
    mark = desktop.emu.mark()
    await press(desktop, TEAM_LEADER, request, TEAM_LEADER, button(request, "rq:ack:"))
    await prompt(desktop, TEAM_LEADER, mark, "Ai xử lý")
    mark = desktop.emu.mark()
    desktop.say(TEAM_LEADER, "Đ/c Khoa 0912 000 111, 11:30", chat_id=TEAM_LEADER)
    notice = await prompt(desktop, GROUP, mark, "đã xác nhận")
    assert f"{KHOA} đã xác nhận" in text_of(notice) and "sau 12 phút" in text_of(notice)
    follow_up = await prompt(desktop, TEAM_LEADER, mark, "báo cáo kết quả")
    assert [label for label, _ in buttons_of(follow_up)] == ["Báo cáo kết quả"]
    private_before = len(desktop.emu.bot_messages(TEAM_LEADER))
    await desktop.later(60)
    assert len(desktop.emu.bot_messages(TEAM_LEADER)) == private_before
    assert not any("chưa hồi báo" in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    assert the_request(desktop).status == RequestStatus.ACKNOWLEDGED


async def test_only_the_named_person_may_answer(desktop: Desktop) -> None:
    request = await delivered_to_khoa(desktop)
    # A member of a unit, and the shift leader, are refused alike.
    for someone in (UNIT_CONTACT, LEADER):
        popup = await press(desktop, TEAM_LEADER, request, someone, button(request, "rq:now:"))
        assert popup["show_alert"] is True
        assert popup["text"] == f"Chỉ đồng chí {KHOA}, người nhận yêu cầu này, mới được trả lời."
    denied = desktop.desk.audit.lines("denied")
    assert [a.user_id for a in denied] == [UNIT_CONTACT, LEADER]
    assert all(a.chat_id == TEAM_LEADER for a in denied)
    await desktop.settle()
    assert the_request(desktop).status == RequestStatus.WAITING
    assert desktop.desk.drafts.get(UNIT_CONTACT, TEAM_LEADER) is None
    # The person themself is asked for the answer.
    mark = desktop.emu.mark()
    popup = await press(desktop, TEAM_LEADER, request, TEAM_LEADER, button(request, "rq:now:"))
    assert popup.get("show_alert") is not True
    await prompt(desktop, TEAM_LEADER, mark, "Ghi nội dung trả lời")


async def test_a_missed_30_minutes_by_a_person_is_escalated_and_logged(desktop: Desktop) -> None:
    await delivered_to_khoa(desktop)
    await desktop.later(15)
    reminders = desktop.emu.bot_messages(TEAM_LEADER)[1:]
    assert len(reminders) == 1 and "trong vòng 15 phút" in text_of(reminders[0])
    await desktop.later(15)
    breach = [m for m in desktop.emu.bot_messages(GROUP) if "trong vòng 30 phút" in text_of(m)]
    assert len(breach) == 1
    assert f"{KHOA} chưa hồi báo yêu cầu 2026/0001" in text_of(breach[0])
    private = desktop.emu.bot_messages(LEADER)
    assert len(private) == 1 and KHOA in text_of(private[0])
    note = [e for e in entries(desktop) if e.notes][-1]
    assert f"{KHOA} không hồi báo trong vòng 30 phút" in note.notes
    assert "Đã hết thời hạn hồi báo 30 phút" in text_of(desktop.emu.bot_messages(TEAM_LEADER)[-1])
    await desktop.later(1)
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/pending")
    view = text_of(await desktop.answer(GROUP, mark))
    assert f"2026/0001 · {KHOA} · 🔴 1 phút quá hạn" in view


async def test_an_unreachable_person_is_reported_for_a_phone_call(desktop: Desktop) -> None:
    card = await propose_to(desktop, NOT_STARTED)
    mark = desktop.emu.mark()
    await approve(desktop, card)
    warning = await prompt(desktop, GROUP, mark, "Không gửi được yêu cầu 2026/0001")
    assert LOC in text_of(warning) and "gọi điện" in text_of(warning)
    assert "Không gửi được" in text_of(desktop.emu.bot_messages(LEADER)[-1])
    note = [e for e in entries(desktop) if e.notes][-1]
    assert f"Không gửi được yêu cầu tới {LOC}" in note.notes
    assert "bot can't initiate conversation" in note.notes
    # No clock runs on a request nobody received: no reminder, no breach notice.
    await desktop.later(40)
    assert not any("chưa hồi báo" in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/pending")
    view = text_of(await desktop.answer(GROUP, mark))
    assert "Chưa gửi được: liên hệ bằng điện thoại" in view and f"2026/0001 · {LOC}" in view

    # Phoned, the person opens the bot: the request reaches them, and its 30 minutes begin.
    mark = desktop.emu.mark()
    desktop.say(NOT_STARTED, "/start", chat_id=NOT_STARTED)
    delivered = await prompt(desktop, NOT_STARTED, mark, "Yêu cầu của trực ban")
    assert "trong vòng 30 phút (trước 10:10)" in text_of(delivered)
    assert [label for label, _ in buttons_of(delivered)] == [
        "Trả lời ngay",
        "Xác nhận: đầu mối + thời gian",
    ]
    await prompt(desktop, GROUP, mark, "thời hạn 30 phút tính từ lúc này")
    await desktop.later(30)
    breach = [m for m in desktop.emu.bot_messages(GROUP) if "chưa hồi báo yêu cầu" in text_of(m)]
    assert len(breach) == 1 and LOC in text_of(breach[0])


async def test_an_unknown_name_is_explained_and_the_draft_kept(desktop: Desktop) -> None:
    question = await units_question(desktop, "kind:information")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:unit:doi-ks")
    question = await prompt(desktop, GROUP, mark, "Gửi đơn vị nào")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:people")
    listed = await prompt(desktop, GROUP, mark, "Gửi cho ai")
    assert (KHOA, f"dr:person:{TEAM_LEADER}") in buttons_of(listed)
    assert not any(data == f"dr:person:{OFFICER}" for _, data in buttons_of(listed))

    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Trương Văn Tý")
    error = await prompt(desktop, GROUP, mark, "Trương Văn Tý")
    assert "không có trong danh sách người của trực ban" in text_of(error)
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "văn")
    error = await prompt(desktop, GROUP, mark, "trùng với nhiều người")
    assert "Lý Văn Khoa" in text_of(error) and "gõ đầy đủ họ tên" in text_of(error)
    state = desktop.desk.drafts.get(OFFICER, GROUP)
    assert state is not None and state.step == "person"
    assert state.data["kind"] == "information" and state.data["units"] == ["doi-ks"]

    # The given name alone is enough when it fits one person.
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Khoa")
    chosen = await prompt(desktop, GROUP, mark, "Gửi đơn vị nào")
    assert ("☑ Đội Kiểm soát Hải quan", "dr:unit:doi-ks") in buttons_of(chosen)
    assert (f"☑ 👤 {KHOA}", f"dr:person:{TEAM_LEADER}") in buttons_of(chosen)
    await desktop.settle()
    with Session(desktop.desk.engine) as session:
        assert session.exec(select(UnitRequest)).all() == []


async def test_the_urgent_path_sends_to_a_person_at_once(desktop: Desktop) -> None:
    question = await units_question(desktop, "case:passing_gate", urgent=True)
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:people")
    question = await prompt(desktop, GROUP, mark, "Gửi cho ai")
    mark = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, f"dr:person:{TEAM_LEADER}")
    await prompt(desktop, GROUP, mark, "nội dung yêu cầu")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Chặn ngay xe 51C-123.45 tại cổng B")
    sent = await desktop.answer(TEAM_LEADER, mark, has("KHẨN"))
    assert "Chặn ngay xe 51C-123.45" in text_of(sent)
    urgent_card = await desktop.answer(GROUP, mark, has("HÀNH ĐỘNG KHẨN"))
    assert f"Đơn vị thực hiện: {KHOA}" in text_of(urgent_card)
    assert [label for label, _ in buttons_of(urgent_card)] == ["✅ Xác nhận"]
