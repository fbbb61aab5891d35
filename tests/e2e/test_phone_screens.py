"""Messages that fit a phone screen (issue 16, item 6): /help, /handover, /logbook and /incident
read in pages of at most 1,500 characters turned in place, a handover reminder is one line and a
button, and /handover and /cameras agree on which cameras are down."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.db.models import OutageKind, ProposalKind
from bot.epz.outages import NoticeInput
from bot.escalation.incidents import IncidentInput
from bot.logbook.service import Author
from tests.e2e.conftest import (
    CAMERAS,
    CLERK,
    GROUP,
    LEADER,
    OFFICER,
    PEOPLE,
    SECTION,
    STRANGER,
    Desktop,
    buttons_of,
    launch,
    text_of,
)
from tests.e2e.test_incidents import press

ICT = dt.timezone(dt.timedelta(hours=7))
CYCLE = {"cycle": {"handover_at": "07:30", "handover_remind_every_minutes": 15}}
# A phone shows about this much of a message on one screen (issue 16).
SCREEN = 1500
# The EPZ enterprise's gate camera, in the registry too, as the sandbox's demo desk has it.
GATE = {
    "number": "C01",
    "name": "Cổng chính",
    "place": "KCX Tân Thuận",
    "area": "DNCX ABC",
    "enterprise": "dncx-abc",
}
NEXT, PREVIOUS, MORE = "Trang sau ›", "‹ Trang trước", "Xem thêm ›"
OFFICER_AUTHOR = Author(OFFICER, "Phạm Thị Dung")
LONG_REPORT = (
    "Xe đầu kéo 51C-123.45 kéo container TGHU8593740 dừng lâu bất thường ngoài khu vực giám "
    "sát tại cổng B, lái xe xuống mở cửa container rồi đóng lại, camera 12 và 13 ghi được hình "
    "ảnh, đã chụp ảnh và báo Đội Kiểm soát Hải quan kiểm tra ngay tại hiện trường. "
)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ICT)


def has(fragment: str):  # type: ignore[no-untyped-def]
    return lambda message: fragment in text_of(message)


def labels(message: dict[str, Any]) -> list[str]:
    return [label for label, _ in buttons_of(message)]


def none_too_long(desktop: Desktop, *chats: int) -> None:
    """No message the bot has in these chats is longer than a phone screen."""
    for chat in chats:
        for message in desktop.emu.bot_messages(chat):
            assert len(text_of(message)) <= SCREEN, text_of(message)[:200]


async def turn(
    desktop: Desktop, chat: int, message: dict[str, Any], user: int, label: str, fragment: str
) -> dict[str, Any]:
    """Press a page button and return the message as edited in place."""
    answer = await press(desktop, chat, message, user, dict(buttons_of(message))[label])
    assert not answer.get("show_alert"), answer
    return await desktop.emu.wait_for_edit(chat, message["message_id"], predicate=has(fragment))


async def read_every_page(
    desktop: Desktop, chat: int, first: dict[str, Any], user: int, title: str
) -> list[str]:
    """Every page of a paged message, one tap each, each under a screen; their texts."""
    text = text_of(first)
    head = text.splitlines()[0]
    assert title in head
    pages = int(head.split(" (1/")[1].split(")")[0]) if " (1/" in head else 1
    texts, page = [text], first
    for number in range(2, pages + 1):
        label = MORE if MORE in labels(page) else NEXT
        page = await turn(desktop, chat, page, user, label, f" ({number}/{pages})")
        assert title in text_of(page).splitlines()[0]
        texts.append(text_of(page))
    assert NEXT not in labels(page)
    for text in texts:
        assert len(text) <= SCREEN, (len(text), text[:200])
    return texts


@pytest.fixture
async def desktop(migrated_url: str) -> AsyncIterator[Desktop]:
    """The shift's cycle on, the EPZ gate camera in the registry."""
    async with launch(
        migrated_url, shift=CYCLE, cameras=[*CAMERAS, GATE], people=PEOPLE
    ) as desktop:
        yield desktop


async def test_help_fits_a_screen_and_the_rest_is_a_tap_away_for_its_reader(
    desktop: Desktop,
) -> None:
    mark = desktop.emu.mark()
    desktop.say(LEADER, "/help")
    first = await desktop.answer(GROUP, mark, has("duty-desk"))
    texts = await read_every_page(desktop, GROUP, first, LEADER, "duty-desk")
    # The first screen says what the role asks, then the commands; the rest one tap away.
    assert len(texts) > 1 and "phê duyệt hoặc từ chối" in texts[0]
    whole = "\n".join(texts)
    # All of it is there: the commands, the hashtags, the leader's part.
    for fragment in ("/incident", "/handover", "/export", "#vuviec", "lãnh đạo ca trực"):
        assert fragment in whole
    # Another person's help is not theirs to turn: they are told how to get their own.
    last = desktop.emu.bot_messages(GROUP)[-1]
    answer = await press(desktop, GROUP, last, OFFICER, dict(buttons_of(last))[PREVIOUS])
    assert answer["show_alert"] and "/help" in answer["text"]
    none_too_long(desktop, GROUP)


async def test_a_long_incident_history_reads_in_pages_turned_in_place(desktop: Desktop) -> None:
    incident = desktop.desk.escalation.incidents.open(
        OFFICER_AUTHOR,
        IncidentInput(
            description=LONG_REPORT * 4, place="Cảng Cát Lái, cổng B", plates=["51C-123.45"]
        ),
        desktop.clock.now(),
    ).value
    assert incident is not None and incident.id is not None
    # A long history: eight proposals, each with what the unit should do at length.
    for number in range(1, 9):
        step = desktop.desk.escalation.approvals.propose(
            OFFICER_AUTHOR,
            incident.id,
            ProposalKind.INFORMATION,
            ["doi-ks"],
            f"Đề xuất {number}: đề nghị Đội Kiểm soát cung cấp hình ảnh và danh sách xe. "
            + LONG_REPORT,
            desktop.clock.now(),
        )
        assert step.ok
    await desktop.settle()
    mark = desktop.emu.mark()
    desktop.say(CLERK, f"/incident {incident.label}")
    title = f"Vụ việc {incident.label}"
    first = await desktop.answer(GROUP, mark, has(title))
    assert len(text_of(first)) <= SCREEN and labels(first) == [NEXT]
    texts = await read_every_page(desktop, GROUP, first, OFFICER, title)
    assert len(texts) > 2
    whole = "\n".join(texts)
    # Nothing is lost between the pages: every proposal, and the long description's end.
    for number in range(1, 9):
        assert whole.count(f"Đề xuất {number}:") == 1
    assert "kiểm tra ngay tại hiện trường." in whole
    # Someone not of the desk cannot turn it.
    last = desktop.emu.bot_messages(GROUP)[-1]
    answer = await press(desktop, GROUP, last, STRANGER, dict(buttons_of(last))[PREVIOUS])
    assert answer["show_alert"] and "trực ban" in answer["text"]
    none_too_long(desktop, GROUP)


async def busy_shift(desktop: Desktop) -> None:
    """A shift that leaves a lot open: twelve incidents, ten focus items, a leader's note."""
    for number in range(1, 13):
        desktop.desk.escalation.incidents.open(
            OFFICER_AUTHOR,
            IncidentInput(description=f"Sự việc {number}: " + LONG_REPORT, place="Cổng B"),
            desktop.clock.now(),
        )
    for number in range(1, 11):
        step = desktop.desk.handovers.add_focus(
            OFFICER_AUTHOR,
            f"Trọng tâm {number}: theo dõi xe 51C-123.45 và container TGHU8593740 ra cổng B",
            desktop.clock.now(),
        )
        assert step.ok
    await desktop.settle()


async def test_the_handover_reads_in_pages_and_its_reminder_is_one_line_and_a_button(
    desktop: Desktop,
) -> None:
    await busy_shift(desktop)
    # The draft, during the shift.
    mark = desktop.emu.mark()
    desktop.say(CLERK, "/handover")
    draft = await desktop.answer(GROUP, mark, has("Bản nháp"))
    draft_pages = await read_every_page(desktop, GROUP, draft, CLERK, "Bản nháp")
    assert len(draft_pages) > 1
    assert "Sự việc 12:" in "\n".join(draft_pages) and "Trọng tâm 10:" in "\n".join(draft_pages)

    # Posted for acceptance at 07:30: a page and its turns above the accept buttons.
    desktop.clock.set(at(26, 7, 30))
    await desktop.settle()
    title = "🤝 Bàn giao ca trực ngày 25/11/2026"
    card = next(m for m in desktop.emu.bot_messages(GROUP) if text_of(m).startswith(title))
    assert labels(card) == [NEXT, "✅ Nhận bàn giao", "📝 Nhận kèm ý kiến", "🗒 Thêm ghi chú"]
    pages = await read_every_page(desktop, GROUP, card, OFFICER, title.removeprefix("🤝 "))
    assert "Trọng tâm 10:" in pages[-1]
    # The incoming leader's first word is one line too, with the handover a tap away.
    private = desktop.emu.bot_messages(SECTION)[-1]
    assert "\n" not in text_of(private) and "chờ đồng chí nhận" in text_of(private)

    # Reminded at 07:45: one line and the buttons, not the whole handover again.
    mark = desktop.emu.mark()
    desktop.clock.set(at(26, 7, 45))
    await desktop.settle()
    reminder = await desktop.answer(GROUP, mark, has("vẫn đang mở"))
    assert "\n" not in text_of(reminder) and "Sự việc" not in text_of(reminder)
    assert labels(reminder) == [
        "🤝 Xem nội dung bàn giao",
        "✅ Nhận bàn giao",
        "📝 Nhận kèm ý kiến",
        "🗒 Thêm ghi chú",
    ]
    private = desktop.emu.bot_messages(SECTION)[-1]
    assert "vẫn chưa được nhận" in text_of(private) and "\n" not in text_of(private)
    # One tap shows the handover in the reminder's place.
    shown = await turn(
        desktop, GROUP, reminder, OFFICER, "🤝 Xem nội dung bàn giao", "Bàn giao ca trực ngày"
    )
    assert text_of(shown) == pages[0] and NEXT in labels(shown)
    assert "✅ Nhận bàn giao" in labels(shown)
    shown = await turn(desktop, SECTION, private, SECTION, "🤝 Xem nội dung bàn giao", "(1/")
    assert len(text_of(shown)) <= SCREEN

    # The next shift opens at 08:00 carrying all of it over: in pages too.
    desktop.clock.set(at(26, 8, 0))
    await desktop.settle()
    opening = next(
        m
        for m in desktop.emu.bot_messages(GROUP)
        if "Bắt đầu ca trực ngày 26/11/2026" in text_of(m)
    )
    carried = await read_every_page(
        desktop, GROUP, opening, OFFICER, "Bắt đầu ca trực ngày 26/11/2026"
    )
    assert len(carried) > 1 and "Trọng tâm 10:" in carried[-1]
    none_too_long(desktop, GROUP, SECTION, LEADER)


async def test_the_handover_and_cameras_agree_on_a_camera_an_epz_notice_holds_down(
    desktop: Desktop,
) -> None:
    desktop.desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.CAMERA,
            description="Camera cổng chính mất tín hiệu",
            cameras=["C01"],
        ),
        Author(None, "Công ty TNHH ABC Việt Nam"),
        desktop.clock.now(),
    )
    await desktop.settle()
    mark = desktop.emu.mark()
    desktop.say(CLERK, "/cameras")
    cameras = text_of(await desktop.answer(GROUP, mark, has("Camera")))
    down = {line.split()[1] for line in cameras.splitlines() if line.startswith("🔴")}
    assert down == {"C01"}
    mark = desktop.emu.mark()
    desktop.say(CLERK, "/handover")
    handover = text_of(await desktop.answer(GROUP, mark, has("Bản nháp")))
    assert "Camera không hoạt động: không có" not in handover
    assert (
        "Camera không hoạt động (1):\n• C01 Cổng chính · không hoạt động "
        "(theo thông báo số 1 của doanh nghiệp)"
    ) in handover
    # Posted at 07:30 the same: the card tells the incoming shift what /cameras shows.
    desktop.clock.set(at(26, 7, 30))
    await desktop.settle()
    card = next(
        m for m in desktop.emu.bot_messages(GROUP) if text_of(m).startswith("🤝 Bàn giao ca")
    )
    assert "Camera không hoạt động (1):\n• C01 Cổng chính" in text_of(card)
