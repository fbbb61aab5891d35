"""Records name people as the roster does, and the desk's clocks say the truth (issue 12, item 9).

Timers fire a moment after their time, as the real scheduler does: the clock is moved half a
second past each reminder before it fires.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from sqlmodel import Session, col, select

from bot.db.models import LogbookEntry
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
    launch,
    text_of,
)
from tests.e2e.test_incidents import approved_request, has, open_incident, press, prompt

# The scheduler wakes a little after a deadline's moment.
LATE = dt.timedelta(milliseconds=500)
VISITOR = 4343


async def at_minute(desktop: Desktop, delivered: dt.datetime, minute: int) -> None:
    """Move the clock to `minute` minutes after delivery (and a moment), and let timers fire."""
    desktop.clock.set(delivered + dt.timedelta(minutes=minute) + LATE)
    await desktop.settle()


def unit_texts(desktop: Desktop, chat: int = UNIT_CHAT) -> list[str]:
    return [text_of(m) for m in desktop.emu.bot_messages(chat)]


async def ask(desktop: Desktop, user: int, text: str, chat: int = GROUP) -> str:
    mark = desktop.emu.mark()
    desktop.say(user, text, chat_id=chat)
    return text_of(await desktop.answer(chat, mark))


async def test_reminders_say_the_minutes_truly_left(migrated_url: str) -> None:
    async with launch(migrated_url, escalation={"unit_reminder_minutes": [15, 25, 29]}) as desk:
        await approved_request(desk)
        delivered = desk.clock.now()
        await at_minute(desk, delivered, 15)
        assert "· còn 15 phút" in await ask(desk, SECTION, "/pending")
        await at_minute(desk, delivered, 25)
        await at_minute(desk, delivered, 29)
        reminders = unit_texts(desk)[1:]
        assert [r.split(" (")[0] for r in reminders] == [
            "⏳ Nhắc: yêu cầu 2026/0001 cần được hồi báo trong vòng 15 phút",
            "⏳ Nhắc: yêu cầu 2026/0001 cần được hồi báo trong vòng 5 phút",
            "⏳ Nhắc: yêu cầu 2026/0001 cần được hồi báo trong vòng 1 phút",
        ]
        # At the deadline the unit hears that its time is up, not "0 min past".
        await at_minute(desk, delivered, 30)
        at_deadline = unit_texts(desk)[-1]
        assert at_deadline.startswith("🔴 Đã hết thời hạn hồi báo 30 phút đối với yêu cầu 2026/")
        assert " 0 phút" not in at_deadline
        await at_minute(desk, delivered, 40)
        assert unit_texts(desk)[-1].startswith(
            "🔴 Yêu cầu 2026/0001 đã quá thời hạn hồi báo (30 phút) 10 phút."
        )


async def test_a_configured_reply_deadline_is_the_one_every_text_names(
    migrated_url: str,
) -> None:
    async with launch(migrated_url, escalation={"reply_deadline_minutes": 45}) as desk:
        request = await approved_request(desk)
        delivered = desk.clock.now()
        assert "trong vòng 45 phút" in text_of(request)
        await at_minute(desk, delivered, 15)
        assert "trong vòng 30 phút" in unit_texts(desk)[-1]
        await at_minute(desk, delivered, 45)
        breach = [t for t in unit_texts(desk, GROUP) if "chưa hồi báo yêu cầu" in t]
        assert len(breach) == 1 and "trong vòng 45 phút" in breach[0]
        assert unit_texts(desk)[-1].startswith("🔴 Đã hết thời hạn hồi báo 45 phút")
        await at_minute(desk, delivered, 55)
        assert "đã quá thời hạn hồi báo (45 phút) 10 phút" in unit_texts(desk)[-1]

        pending = await ask(desk, SECTION, "/pending")
        assert "Chờ đơn vị hồi báo (45 phút)" in pending
        history = await ask(desk, SECTION, "/incident 2026/0001")
        assert "không hồi báo trong vòng 45 phút" in history
        help_text = await ask(desk, UNIT_CONTACT, "/help", chat=UNIT_CONTACT)
        assert "trong vòng 45 phút" in help_text
        everything = "\n".join(
            unit_texts(desk) + unit_texts(desk, GROUP) + unit_texts(desk, UNIT_CONTACT)
        )
        assert "30 phút" not in everything.replace("trong vòng 30 phút (trước", "")


async def test_pending_marks_an_urgent_action_as_urgent(desktop: Desktop) -> None:
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
    await desktop.answer(TEAM_CHAT, mark, has("KHẨN"))
    await desktop.later(3)

    pending = (await ask(desktop, SECTION, "/pending")).splitlines()
    leader = pending[pending.index("Chờ lãnh đạo ca trực") + 1]
    assert leader.startswith("• 🆘 KHẨN đã gửi ngay, chờ xác nhận · 2026/0001")
    reply = pending[pending.index("Chờ đơn vị hồi báo (30 phút)") + 1]
    assert reply.startswith("• 🆘 KHẨN 2026/0001 · Đội Kiểm soát Hải quan")


async def test_the_logbook_names_people_as_the_roster_does(desktop: Desktop) -> None:
    # Telegram shows the officer as "Dung" and the leader as "An"; the roster names them fully.
    desktop.emu.add_user(VISITOR, "Khách", last_name="Lạ", username="khach_la")
    desktop.say(OFFICER, "#vuviec Camera 12 cổng B mất tín hiệu")
    desktop.say(LEADER, "/log Đã chỉ đạo Đội 1 kiểm tra")
    visitor = desktop.say(VISITOR, "Xe 51C-123.45 đã rời cổng B lúc 09:10")
    await desktop.settle()
    desktop.emu.inject_reaction(
        GROUP, visitor["message_id"], CLERK, ["📌"], date=desktop.clock.now()
    )
    await desktop.settle()

    with Session(desktop.desk.engine) as session:
        rows = session.exec(select(LogbookEntry).order_by(col(LogbookEntry.seq))).all()
        named = [(e.author_name, e.notes) for e in rows]
    assert named == [
        ("Phạm Thị Dung", ""),
        ("Nguyễn Văn An", ""),
        ("Khách Lạ (@khach_la)", "📌 Lê Văn Cường"),
    ]
    page = await ask(desktop, CLERK, "/logbook")
    assert "Phạm Thị Dung" in page and "Nguyễn Văn An" in page and "· Dung" not in page

    mark = desktop.emu.mark()
    desktop.say(CLERK, "/export logbook today xlsx")
    await desktop.settle()
    sent: dict[str, Any] = await desktop.answer(GROUP, mark)
    sheet = openpyxl.load_workbook(
        io.BytesIO(desktop.emu.file_bytes(sent["document"]["file_id"]))
    ).active
    assert sheet is not None
    cells = [str(c.value or "") for row in sheet.iter_rows() for c in row]
    assert any("📌 Lê Văn Cường" in c for c in cells)
    assert not any("📌 Cường" in c for c in cells)
