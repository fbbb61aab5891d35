"""/shift, /roster, /start, /lang, the command menus and the gate, through the emulator."""

from __future__ import annotations

import datetime as dt

from tests.e2e.conftest import (
    GROUP,
    LEADER,
    OFF_DUTY,
    OFFICER,
    STRANGER,
    Desktop,
    buttons_of,
    text_of,
)


async def test_shift_shows_who_is_on_duty_now(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/shift")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert "Ca trực ngày 25/11/2026" in answer
    assert "Lãnh đạo ca trực: Nguyễn Văn An — Phó Cục trưởng" in answer
    assert "Lãnh đạo cấp phòng trực ban: Trần Thị Bình" in answer
    assert "• Phạm Thị Dung" in answer
    assert "25/11/2026 08:00 → 26/11/2026 08:00" in answer
    assert "hiện đang trong giờ hành chính" in answer

    # After 08:00 the next day the roster's next shift is on duty.
    desktop.clock.set(dt.datetime(2026, 11, 26, 1, 30, tzinfo=dt.UTC))
    mark = desktop.emu.mark()
    desktop.say(OFF_DUTY, "/shift")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert "Ca trực ngày 26/11/2026" in answer
    assert "Lãnh đạo ca trực: Trần Thị Bình" in answer


async def test_roster_lists_the_coming_days_and_flags_gaps(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/roster 3")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert "Lịch trực từ ngày 25/11/2026" in answer
    assert "Thứ Tư, 25/11" in answer and "Thứ Năm, 26/11" in answer and "Thứ Sáu, 27/11" in answer
    assert "Lãnh đạo ca trực: Nguyễn Văn An" in answer
    assert "Lãnh đạo ca trực: Trần Thị Bình" in answer
    assert answer.count("chưa có lịch trực") == 1

    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/roster ba")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert "“ba” không phải số ngày" in answer and "từ 1 đến 31" in answer


async def test_help_depends_on_the_role_in_the_current_shift(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(LEADER, "/start", chat_id=LEADER)
    answer = text_of(await desktop.answer(LEADER, mark))
    assert "Xin chào đồng chí Nguyễn Văn An" in answer
    assert "đồng chí là: Lãnh đạo ca trực" in answer
    assert "/log" in answer and "phê duyệt" in answer

    mark = desktop.emu.mark()
    desktop.say(OFF_DUTY, "/help", chat_id=OFF_DUTY)
    answer = text_of(await desktop.answer(OFF_DUTY, mark))
    assert "không có tên trong ca trực hiện tại" in answer
    assert "/log " not in answer and "phê duyệt" not in answer


async def test_lang_switches_a_person_to_english(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/lang", chat_id=OFFICER)
    offer = await desktop.answer(OFFICER, mark)
    assert text_of(offer) == "Chọn ngôn ngữ:"
    assert buttons_of(offer) == [("Tiếng Việt", "lang:vi"), ("English", "lang:en")]
    query = desktop.emu.press_button(OFFICER, offer["message_id"], OFFICER, "lang:en")
    popup = await desktop.emu.wait_for_answer(query)
    assert popup.get("text") == "From now on I will write to you in English."
    await desktop.emu.wait_for_edit(
        OFFICER, offer["message_id"], predicate=lambda m: "in English" in text_of(m)
    )

    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/shift")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert "Duty shift of 2026-11-25" in answer and "Shift leader: Nguyễn Văn An" in answer
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/log")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert answer.startswith("Write /log followed by the text")
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/log Checked the 24 port cameras #ketqua all working")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert answer.startswith("✍ Written in the logbook as no. 1.")
    assert "Result: Checked the 24 port cameras all working" in answer
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/logbook")
    answer = text_of(await desktop.answer(GROUP, mark))
    assert answer.startswith("📒 Duty logbook, shift of 2026-11-25")
    assert "1 entry · page 1 of 1" in answer
    # The others still read Vietnamese.
    mark = desktop.emu.mark()
    desktop.say(LEADER, "/shift")
    assert "Ca trực ngày" in text_of(await desktop.answer(GROUP, mark))


async def test_strangers_get_one_polite_refusal_and_nothing_is_stored(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(STRANGER, "/start", chat_id=STRANGER)
    refusal = text_of(await desktop.answer(STRANGER, mark))
    assert refusal.startswith("Xin lỗi, bot này chỉ phục vụ bộ phận trực ban hải quan")
    desktop.say(STRANGER, "/log cho tôi ghi với", chat_id=STRANGER)
    desktop.emu.add_chat(-100555, "supergroup", "Nhóm lạ")
    desktop.say(OFFICER, "/shift", chat_id=-100555)
    await desktop.settle()
    assert len(desktop.emu.bot_messages(STRANGER)) == 1
    assert len(desktop.emu.bot_messages(-100555)) == 1
    refused = desktop.desk.audit.lines("refused")
    assert [(a.user_id, a.chat_id) for a in refused] == [
        (STRANGER, STRANGER),
        (STRANGER, STRANGER),
        (OFFICER, -100555),
    ]
    assert desktop.desk.logbook.messages(dt.date(2026, 11, 25)) == []


async def test_a_strangers_button_press_gets_a_popup(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/lang")
    offer = await desktop.answer(GROUP, mark)
    query = desktop.emu.press_button(GROUP, offer["message_id"], STRANGER, "lang:en")
    popup = await desktop.emu.wait_for_answer(query)
    assert popup.get("show_alert") is True
    assert "chỉ phục vụ bộ phận trực ban" in str(popup.get("text"))
    assert desktop.desk.preferences.locale(STRANGER) is None


async def test_command_menus_are_registered_per_scope_and_language(desktop: Desktop) -> None:
    group_vi = desktop.emu.commands({"type": "all_group_chats"}, "vi")
    group_en = desktop.emu.commands({"type": "all_group_chats"}, "en")
    private_default = desktop.emu.commands({"type": "all_private_chats"}, "")
    assert {c["command"] for c in group_vi} == {
        "incident",
        "pending",
        "handover",
        "focus",
        "report",
        "stats",
        "cameras",
        "snapshot",
        "epz",
        "gatelog",
        "export",
        "log",
        "logbook",
        "find",
        "shift",
        "roster",
        "propose",
        "urgent",
        "cancel",
        "help",
        "lang",
    }
    assert {c["command"]: c["description"] for c in group_vi}["shift"] == "ai đang trực"
    assert {c["command"]: c["description"] for c in group_en}["shift"] == "who is on duty now"
    assert {c["command"]: c["description"] for c in group_vi}["stats"] == (
        "biểu đồ thống kê tuần, tháng, quý: /stats month"
    )
    assert "start" in {c["command"] for c in private_default}
    assert {c["command"]: c["description"] for c in private_default}["lang"] == "chọn ngôn ngữ"
