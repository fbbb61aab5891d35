"""User stories of the conversation-backed logbook, through the emulator, on both databases."""

from __future__ import annotations

import datetime as dt

from bot.db.models import EntryOrigin, LogColumn
from bot.logbook.service import entry_columns
from tests.conftest import SHIFT_DAY
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    LEADER,
    OFF_DUTY,
    OFFICER,
    STRANGER,
    Desktop,
    buttons_of,
    text_of,
)

BOT_ID = 123456


def contains(fragment: str):  # type: ignore[no-untyped-def]
    return lambda message: fragment in text_of(message)


def reactions_on(desktop: Desktop, message_id: int) -> list[object]:
    return [
        params.get("reaction")
        for method, params in desktop.emu.calls
        if method.lower() == "setmessagereaction" and params.get("message_id") == message_id
    ]


async def test_group_messages_land_in_the_record_with_the_right_shift(desktop: Desktop) -> None:
    desktop.say(OFFICER, "Camera 12 cổng B hình ảnh bị nhiễu")
    desktop.emu.inject_message(
        GROUP,
        CLERK,
        caption="Ảnh chụp camera 7",
        photo=b"\xff\xd8fake-jpeg",
        date=desktop.clock.now(),
    )
    desktop.emu.inject_message(
        GROUP, LEADER, document=("bao-cao.pdf", b"%PDF-1.4"), date=desktop.clock.now()
    )
    # 07:30 next morning is still the shift that began yesterday at 08:00 ...
    desktop.clock.set(dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC))
    desktop.say(OFFICER, "Cuối ca: không phát sinh thêm")
    # ... and 08:05 belongs to the next shift.
    desktop.clock.set(dt.datetime(2026, 11, 26, 1, 5, tzinfo=dt.UTC))
    desktop.say(OFF_DUTY, "Nhận ca")
    await desktop.settle()

    today = desktop.desk.logbook.messages(SHIFT_DAY)
    assert [(m.user_name, m.kind, m.text) for m in today] == [
        ("Dung", "text", "Camera 12 cổng B hình ảnh bị nhiễu"),
        ("Cường", "photo", "Ảnh chụp camera 7"),
        ("An", "document", ""),
        ("Dung", "text", "Cuối ca: không phát sinh thêm"),
    ]
    assert today[1].file_id and today[2].file_id
    tomorrow = desktop.desk.logbook.messages(SHIFT_DAY + dt.timedelta(days=1))
    assert [m.text for m in tomorrow] == ["Nhận ca"]


async def test_a_hashtag_files_the_message_and_the_bot_marks_it(desktop: Desktop) -> None:
    message = desktop.say(
        OFFICER, "#vuviec Xe 51C-123.45 vào bãi không qua cổng #chidao Đề nghị Đội 1 kiểm tra"
    )
    plain = desktop.say(OFFICER, "Ai cầm chìa khoá phòng máy?")
    await desktop.settle()

    page = desktop.desk.logbook.page(SHIFT_DAY, 0)
    assert page.total == 1
    entry = page.entries[0]
    assert entry.origin == EntryOrigin.HASHTAG
    assert entry_columns(entry) == {
        LogColumn.INCIDENT: "Xe 51C-123.45 vào bãi không qua cổng",
        LogColumn.DIRECTION: "Đề nghị Đội 1 kiểm tra",
    }
    assert entry.incident_received_at is not None and entry.direction_at is not None
    assert reactions_on(desktop, message["message_id"])
    assert not reactions_on(desktop, plain["message_id"])


async def test_log_writes_an_entry_and_answers_in_vietnamese(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/log Kiểm tra định kỳ 24 camera khu vực cảng: hoạt động bình thường")
    answer = await desktop.answer(GROUP, mark, contains("Đã ghi vào sổ nhật ký, mục số 1"))
    assert "Nội dung thực hiện" in text_of(answer)
    assert "24 camera" in text_of(answer)

    mark = desktop.emu.mark()
    original = desktop.say(CLERK, "#ketqua Đội 1 đã kiểm tra, hàng đúng khai báo")
    desktop.say(LEADER, "/log đã báo cáo Cục trưởng", reply_to_message_id=original["message_id"])
    answer = await desktop.answer(GROUP, mark, contains("mục số 3"))
    assert "Kết quả thực hiện" in text_of(answer) and "Ghi chú" in text_of(answer)

    entries = desktop.desk.logbook.page(SHIFT_DAY, 0).entries
    assert [e.origin for e in entries] == [
        EntryOrigin.COMMAND,
        EntryOrigin.HASHTAG,
        EntryOrigin.COMMAND,
    ]
    copied = entries[2]
    assert copied.result == "Đội 1 đã kiểm tra, hàng đúng khai báo"
    assert copied.notes == "đã báo cáo Cục trưởng"
    assert copied.author_name == "Nguyễn Văn An"


async def test_log_without_text_explains_how(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/log")
    answer = await desktop.answer(GROUP, mark)
    assert "Gõ /log kèm nội dung" in text_of(answer)
    assert desktop.desk.logbook.page(SHIFT_DAY, 0).total == 0


async def test_people_off_shift_cannot_write_the_logbook(desktop: Desktop) -> None:
    mark = desktop.emu.mark()
    desktop.say(OFF_DUTY, "/log tôi ghi hộ")
    answer = await desktop.answer(GROUP, mark)
    assert "Chỉ những người có tên trong ca trực hiện tại" in text_of(answer)
    mark = desktop.emu.mark()
    desktop.say(OFF_DUTY, "#vuviec camera 3 mất tín hiệu")
    answer = await desktop.answer(GROUP, mark)
    assert "vẫn được lưu trong bản ghi hội thoại" in text_of(answer)
    await desktop.settle()
    assert desktop.desk.logbook.page(SHIFT_DAY, 0).total == 0
    record = [(m.user_id, m.text[:20]) for m in desktop.desk.logbook.messages(SHIFT_DAY)]
    denied = desktop.desk.audit.lines("denied")
    assert [(a.user_id, a.detail) for a in denied] == [(OFF_DUTY, "cmd_log needs write_logbook")]
    # The refusals are in the conversation record too, as the bot's own messages.
    assert record == [
        (OFF_DUTY, "/log tôi ghi hộ"),
        (BOT_ID, "Chỉ những người có t"),
        (OFF_DUTY, "#vuviec camera 3 mất"),
        (BOT_ID, "Chưa ghi vào sổ nhật"),
    ]


async def test_an_edit_adds_a_correction_and_keeps_the_original(desktop: Desktop) -> None:
    message = desktop.say(OFFICER, "#vuviec Camera 21 mất tín hiệu lúc 02:10")
    await desktop.settle()
    mark = desktop.emu.mark()
    desktop.clock.advance(dt.timedelta(minutes=5))
    desktop.emu.inject_edit(
        GROUP,
        message["message_id"],
        "#vuviec Camera 12 mất tín hiệu lúc 02:10",
        date=desktop.clock.now(),
    )
    notice = await desktop.answer(GROUP, mark)
    assert "Đã ghi đính chính thành mục số 2; mục số 1 được giữ nguyên" in text_of(notice)

    first, second = desktop.desk.logbook.page(SHIFT_DAY, 0).entries
    assert first.incident == "Camera 21 mất tín hiệu lúc 02:10"
    assert second.incident == "Camera 12 mất tín hiệu lúc 02:10"
    assert second.corrects_id == first.id and second.origin == EntryOrigin.CORRECTION
    revisions = [m.text for m in desktop.desk.logbook.messages(SHIFT_DAY)]
    assert revisions == [
        "#vuviec Camera 21 mất tín hiệu lúc 02:10",
        "#vuviec Camera 12 mất tín hiệu lúc 02:10",
    ]

    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/logbook")
    page = await desktop.answer(GROUP, mark)
    assert "đính chính mục 1" in text_of(page)


async def test_a_pin_reaction_copies_a_message_into_the_logbook_once(desktop: Desktop) -> None:
    message = desktop.say(OFFICER, "Đội kiểm soát 2 xác nhận đã niêm phong container TGHU8593740")
    await desktop.settle()
    desktop.emu.inject_reaction(
        GROUP, message["message_id"], LEADER, ["📌"], date=desktop.clock.now()
    )
    desktop.emu.inject_reaction(
        GROUP, message["message_id"], CLERK, ["📌"], date=desktop.clock.now()
    )
    desktop.emu.inject_reaction(
        GROUP, message["message_id"], OFFICER, ["👍"], date=desktop.clock.now()
    )
    await desktop.settle()
    page = desktop.desk.logbook.page(SHIFT_DAY, 0)
    assert page.total == 1
    entry = page.entries[0]
    assert entry.origin == EntryOrigin.REACTION
    assert entry.work_performed.endswith("TGHU8593740")
    assert entry.author_name == "Phạm Thị Dung" and "📌 Nguyễn Văn An" in entry.notes
    assert reactions_on(desktop, message["message_id"])


async def test_a_busy_shift_reads_in_phone_screens_turned_in_place(desktop: Desktop) -> None:
    # A busy shift: 30 entries, each a long report as officers write them at the desk.
    report = (
        "Camera cổng B ghi nhận xe đầu kéo 51C-123.45 kéo container TGHU8593740 dừng lâu "
        "bất thường ngoài khu vực giám sát, đã chụp ảnh và báo Đội Kiểm soát kiểm tra. "
    )
    for number in range(1, 31):
        desktop.say(OFFICER, f"#congviec Lượt {number}: {report * 2}")
    await desktop.settle()
    mark = desktop.emu.mark()
    desktop.say(CLERK, "/logbook")
    page = await desktop.answer(GROUP, mark, contains("Sổ nhật ký trực ban"))
    assert "30 mục" in text_of(page)
    pages = int(text_of(page).split("trang 1/")[1].split("\n")[0])
    assert pages > 1
    seen: list[int] = []
    for number in range(1, pages + 1):
        text = text_of(page)
        assert len(text) <= 1500, (number, len(text))
        assert f"trang {number}/{pages}" in text
        seen += [n for n in range(1, 31) if f"Lượt {n}:" in text]
        labels = [label for label, _ in buttons_of(page)]
        expected = (["‹ Trang trước"] if number > 1 else []) + (
            ["Trang sau ›"] if number < pages else []
        )
        assert labels == expected
        if number == pages:
            break
        # One tap turns the page, in the same message.
        data = dict(buttons_of(page))["Trang sau ›"]
        query = desktop.emu.press_button(GROUP, page["message_id"], CLERK, data)
        await desktop.emu.wait_for_answer(query)
        page = await desktop.emu.wait_for_edit(
            GROUP, page["message_id"], predicate=contains(f"trang {number + 1}/{pages}")
        )
    # Every entry is on exactly one page, in order.
    assert seen == list(range(1, 31))
    back = dict(buttons_of(page))["‹ Trang trước"]
    query = desktop.emu.press_button(GROUP, page["message_id"], OFF_DUTY, back)
    await desktop.emu.wait_for_answer(query)
    turned = await desktop.emu.wait_for_edit(
        GROUP, page["message_id"], predicate=contains(f"trang {pages - 1}/{pages}")
    )
    assert len(text_of(turned)) <= 1500
    # Someone outside the desk cannot turn it: told so, and the page stays.
    forward = dict(buttons_of(turned))["Trang sau ›"]
    query = desktop.emu.press_button(GROUP, page["message_id"], STRANGER, forward)
    refused = await desktop.emu.wait_for_answer(query)
    assert refused["show_alert"] and "trực ban" in refused["text"]


async def test_a_backlog_with_a_command_amid_it_files_every_line_in_the_order_written(
    desktop: Desktop,
) -> None:
    # Said while the bot is busy (one getUpdates answer carries them all): the plain messages
    # are recorded together, and the /log between them still takes its own line in order.
    said = [
        desktop.say(OFFICER, "#vuviec Camera C01 mất tín hiệu"),
        desktop.say(CLERK, "Đã gọi kỹ thuật viên"),
        desktop.say(OFFICER, "/log Đã báo Đội Kiểm soát"),
        desktop.say(CLERK, "#ketqua Camera C01 hoạt động lại"),
        desktop.say(OFF_DUTY, "#ghichu Tôi không trong ca"),
        desktop.say(OFFICER, "#congviec Tuần tra cổng số 2"),
    ]
    await desktop.settle()
    entries = desktop.desk.logbook.page(SHIFT_DAY, 0).entries
    assert [(e.seq, e.origin, e.source_message_id) for e in entries] == [
        (1, EntryOrigin.HASHTAG, said[0]["message_id"]),
        (2, EntryOrigin.COMMAND, said[2]["message_id"]),
        (3, EntryOrigin.HASHTAG, said[3]["message_id"]),
        (4, EntryOrigin.HASHTAG, said[5]["message_id"]),
    ]
    for filed in (said[0], said[3], said[5]):
        assert reactions_on(desktop, filed["message_id"]) == [[{"type": "emoji", "emoji": "✍"}]]
    assert reactions_on(desktop, said[1]["message_id"]) == []
    refusal = await desktop.answer(GROUP, 0, contains("Chưa ghi vào sổ nhật ký"))
    assert refusal["reply_to_message"]["message_id"] == said[4]["message_id"]
