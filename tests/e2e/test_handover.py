"""The shift's cycle end to end: the opening at 08:00, the roster warning a day ahead, the
handover with its reminders and acceptance, and the daily report."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.db.desk_scope import DEFAULT_DESK
from bot.db.models import AuditEvent, DailyReport, LogbookEntry, OutageKind, ProposalKind
from bot.devtools.onvif_camera import SimulatedCamera
from bot.epz.outages import NoticeInput
from bot.logbook.service import Author
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    LEADER,
    OFFICER,
    PEOPLE,
    SECTION,
    Desktop,
    buttons_of,
    launch,
    text_of,
)
from tests.e2e.test_cameras import PASSWORD, camera_config
from tests.e2e.test_incidents import approved_request, open_incident, press

ICT = dt.timezone(dt.timedelta(hours=7))
ADMIN = 1009
CYCLE = {"cycle": {"handover_at": "07:30", "handover_remind_every_minutes": 15}}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=ICT)


async def move_to(desktop: Desktop, when: dt.datetime) -> None:
    desktop.clock.set(when)
    await desktop.settle()


def group_texts(desktop: Desktop, fragment: str) -> list[str]:
    return [text_of(m) for m in desktop.emu.bot_messages(GROUP) if fragment in text_of(m)]


def entries(desktop: Desktop) -> list[LogbookEntry]:
    with Session(desktop.engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all())


def card_of(desktop: Desktop) -> dict[str, Any]:
    return next(
        m
        for m in desktop.emu.bot_messages(GROUP)
        if text_of(m).startswith("🤝 Bàn giao ca trực ngày 25/11/2026")
    )


@pytest.fixture
async def desktop(migrated_url: str) -> AsyncIterator[Desktop]:
    """A desk with the cycle on and an administrator; no camera."""
    people = [*PEOPLE, {"id": ADMIN, "name": "Đỗ Văn Quản", "admin": True}]
    async with launch(migrated_url, shift=CYCLE, people=people) as desktop:
        desktop.emu.add_user(ADMIN, "Quản", language_code="vi")
        yield desktop


@pytest.fixture
async def watched(migrated_url: str) -> AsyncIterator[tuple[Desktop, SimulatedCamera]]:
    """The cycle on, with one ONVIF camera the health round watches."""
    async with SimulatedCamera(name="Cổng C", password=PASSWORD) as camera:  # noqa: SIM117
        async with launch(migrated_url, shift=CYCLE, cameras=camera_config(camera)) as desktop:
            yield desktop, camera


async def test_the_opening_names_todays_people_and_carries_the_open_items_over(
    desktop: Desktop,
) -> None:
    desktop.say(OFFICER, "/focus Theo dõi xe 51C-123.45 ra vào cổng B")
    open_incident(desktop)
    desktop.say(LEADER, "/handover note Chi cục KV1 hẹn báo kết quả trước 10:00")
    await desktop.settle()
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/handover")
    draft = text_of(await desktop.answer(GROUP, mark))
    assert "Bản nháp: sẽ được đăng để nhận bàn giao lúc 26/11/2026 07:30" in draft
    assert "Theo dõi xe 51C-123.45 ra vào cổng B (Phạm Thị Dung)" in draft

    # Nothing is posted before its time.
    await move_to(desktop, at(26, 7, 29))
    assert [t for t in group_texts(desktop, "Bàn giao ca") if t.startswith("🤝")] == []
    await move_to(desktop, at(26, 7, 30))
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card_of(desktop), SECTION, "ho:ok:1")
    await desktop.settle()

    await move_to(desktop, at(26, 8, 0))
    [opening] = group_texts(desktop, "Bắt đầu ca trực ngày 26/11/2026")
    assert "26/11/2026 08:00 → 27/11/2026 08:00" in opening
    assert "Lãnh đạo ca trực: Trần Thị Bình — Trưởng phòng" in opening
    assert "Công chức Phòng Tổng hợp (ghi sổ): Lê Văn Cường" in opening
    assert "Công chức trực ban: Hoàng Văn Em" in opening
    # The roster of the 26th has no duty section leader: the opening says so.
    assert "⚠️ Lãnh đạo cấp phòng trực ban: chưa phân công" in opening
    assert "Chuyển tiếp từ ca trực ngày 25/11/2026" in opening
    assert "Đã nhận bàn giao: Trần Thị Bình, lúc 26/11/2026 07:30." in opening
    assert "Vụ việc đang xử lý (1):" in opening and "2026/0001 · Cảng Cát Lái, cổng B" in opening
    assert "Theo dõi xe 51C-123.45 ra vào cổng B (Phạm Thị Dung)" in opening
    assert "Chi cục KV1 hẹn báo kết quả trước 10:00 (Nguyễn Văn An)" in opening
    logged = [e for e in entries(desktop) if e.shift_date == dt.date(2026, 11, 26)]
    assert any("Bắt đầu ca trực ngày 26/11/2026" in e.work_performed for e in logged)
    # The focus item's logbook line speaks the desk's language too.
    focus = "Nội dung cần tập trung theo dõi: Theo dõi xe 51C-123.45 ra vào cổng B"
    assert any(e.notes == focus for e in entries(desktop))

    # A restart at 08:05 posts no second opening; the next one comes the next morning.
    await desktop.restart()
    await move_to(desktop, at(26, 8, 5))
    assert len(group_texts(desktop, "Bắt đầu ca trực ngày 26/11/2026")) == 1
    await move_to(desktop, at(27, 8, 0))
    assert len(group_texts(desktop, "Bắt đầu ca trực ngày 27/11/2026")) == 1


async def test_a_gap_in_tomorrows_roster_is_told_to_the_administrators_a_day_ahead(
    desktop: Desktop,
) -> None:
    await move_to(desktop, at(25, 15, 59))
    assert desktop.emu.bot_messages(ADMIN) == []
    await move_to(desktop, at(25, 16, 0))
    [warning] = [text_of(m) for m in desktop.emu.bot_messages(ADMIN)]
    assert warning == (
        "⚠️ Lịch trực ca ngày 26/11/2026 còn thiếu: chưa có Lãnh đạo cấp phòng trực ban. "
        "Đề nghị bổ sung trước khi ca bắt đầu lúc 08:00."
    )
    # Only the administrators hear of it, not the group nor the people on duty.
    assert group_texts(desktop, "Lịch trực ca") == []
    assert all("Lịch trực ca" not in text_of(m) for m in desktop.emu.bot_messages(LEADER))
    # The 27th has no roster at all: every role is missing, told once, the day before.
    await desktop.restart()
    await move_to(desktop, at(26, 16, 0))
    await move_to(desktop, at(26, 18, 0))
    warnings = [text_of(m) for m in desktop.emu.bot_messages(ADMIN)]
    assert len(warnings) == 2
    assert "ca ngày 27/11/2026 còn thiếu: chưa có Lãnh đạo ca trực, " in warnings[1]
    assert "Công chức trực ban" in warnings[1]


async def test_the_handover_of_a_real_shift_until_it_is_accepted_and_the_daily_report(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    assert await desktop.desk.cameras.health_round() == 0
    # A shift's work: a request to a unit (approved at 09:00), a proposal still waiting,
    # an incident nobody proposed anything for, an EPZ outage, and a camera going down.
    await approved_request(desktop)
    await desktop.later(31)
    desktop.desk.escalation.approvals.propose(
        Author(OFFICER, "Phạm Thị Dung"),
        open_incident(desktop),
        ProposalKind.INFORMATION,
        ["doi-ks"],
        "Đề nghị cung cấp danh sách xe ra cổng B từ 08:00",
        desktop.clock.now(),
    )
    open_incident(desktop)
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
    desktop.say(LEADER, "/handover note Chi cục KV1 hẹn báo kết quả trước 10:00")
    assert "Đã ghi chú vào bàn giao ca" in text_of(await desktop.answer(GROUP, mark))
    # Nobody but the outgoing shift leader adds notes.
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/handover note Ghi thử")
    refused = text_of(await desktop.answer(GROUP, mark, lambda m: "Chỉ" in text_of(m)))
    assert "Chỉ lãnh đạo ca trực giao ca (Nguyễn Văn An)" in refused
    await move_to(desktop, at(26, 2, 0))
    camera.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 1

    await move_to(desktop, at(26, 7, 30))
    card = card_of(desktop)
    handover = text_of(card)
    assert "Từ Nguyễn Văn An cho Trần Thị Bình (lãnh đạo ca trực nhận ca)" in handover
    assert "Vụ việc đang xử lý (3):" in handover
    assert "Đề xuất chờ phê duyệt (1):\n• 2026/0002 · Yêu cầu cung cấp" in handover
    assert (
        "Yêu cầu đang chờ đơn vị (1):\n• 2026/0001 · Chi cục HQ CK cảng Sài Gòn KV1 · "
        "đã gửi 22 giờ 30 trước · 🔴 quá hạn 22 giờ 00"
    ) in handover
    assert "Sự cố camera DNCX đang khắc phục (1):\n• số 1 Công ty TNHH ABC Việt Nam" in handover
    assert "sự cố camera, thiết bị, camera C01 · hạn 09/12/2026" in handover
    assert "Camera không hoạt động (1):\n• 20 Cổng C · không hoạt động" in handover
    assert "Ghi chú của lãnh đạo ca trực giao ca (1):\n• Chi cục KV1 hẹn báo kết quả" in handover
    assert [label for label, _ in buttons_of(card)] == [
        "✅ Nhận bàn giao",
        "📝 Nhận kèm ý kiến",
        "🗒 Thêm ghi chú",
    ]
    assert any("Bàn giao ca trực ngày 25/11/2026" in e.work_performed for e in entries(desktop))

    # The outgoing leader is not the one who accepts: a pop-up says who may, and it is audited.
    popup = await press(desktop, GROUP, card, LEADER, "ho:ok:1")
    assert popup.get("show_alert") is True
    assert "Chỉ Trần Thị Bình, lãnh đạo ca trực nhận ca" in str(popup.get("text"))
    with Session(desktop.engine) as session:
        denied = session.exec(select(AuditEvent).where(AuditEvent.user_id == LEADER)).all()
    assert [a.detail for a in denied] == ["handover 1 acceptance is for the incoming shift leader"]

    # Reminded every 15 minutes, in the group and privately, also after a restart.
    def reminders() -> int:
        return len(group_texts(desktop, "vẫn đang mở"))

    await move_to(desktop, at(26, 7, 44))
    assert reminders() == 0
    await move_to(desktop, at(26, 7, 45))
    assert reminders() == 1
    assert any("vẫn chưa được nhận" in text_of(m) for m in desktop.emu.bot_messages(SECTION))
    await desktop.restart()
    await move_to(desktop, at(26, 8, 0))
    assert reminders() == 2
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/pending")
    pending = text_of(await desktop.answer(GROUP, mark))
    assert "Bàn giao ca chưa được nhận\n• ca ngày 25/11/2026 · chờ Trần Thị Bình" in pending
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/shift")
    assert "Bàn giao chưa được nhận: ca ngày 25/11/2026" in text_of(
        await desktop.answer(GROUP, mark)
    )

    # The incoming leader accepts with remarks: logged, the card closed, the reminders stop.
    mark = desktop.emu.mark()
    await press(desktop, GROUP, card, SECTION, "ho:rm:1")
    await desktop.answer(GROUP, mark)
    mark = desktop.emu.mark()
    desktop.say(SECTION, "Đề nghị ca sau gọi điện Chi cục KV1 lúc 08:30")
    accepted = text_of(await desktop.answer(GROUP, mark, lambda m: "Đã nhận" in text_of(m)))
    assert "Đã nhận bàn giao: Trần Thị Bình, lúc 26/11/2026 08:00." in accepted
    assert "Ý kiến: Đề nghị ca sau gọi điện Chi cục KV1 lúc 08:30" in accepted
    await desktop.settle()
    assert buttons_of(card_of(desktop)) == []
    assert "Đã nhận bàn giao: Trần Thị Bình" in text_of(card_of(desktop))
    logged = entries(desktop)[-1]
    assert logged.author_id == SECTION
    assert logged.work_performed == "Trần Thị Bình đã nhận bàn giao ca trực ngày 25/11/2026."
    assert logged.notes == "Ý kiến khi nhận bàn giao: Đề nghị ca sau gọi điện Chi cục KV1 lúc 08:30"
    await move_to(desktop, at(26, 9, 0))
    assert reminders() == 2
    # An old reminder's button no longer accepts anything.
    old = next(m for m in desktop.emu.bot_messages(GROUP) if "vẫn đang mở" in text_of(m))
    popup = await press(desktop, GROUP, old, SECTION, "ho:ok:1")
    assert popup.get("text") == "Bàn giao này đã được nhận."

    # The daily report of the 25th, posted at 08:00 and kept.
    [report] = group_texts(desktop, "Báo cáo ngày của ca trực ngày 25/11/2026")
    assert "Vụ việc: 3" in report
    assert (
        "Đề xuất: 2\n   • Yêu cầu phối hợp, thực hiện theo chỉ đạo: 1\n"
        "   • Yêu cầu cung cấp thông tin, tài liệu, dữ liệu: 1"
    ) in report
    assert "Phê duyệt: 1 · không phê duyệt: 0" in report
    assert "Yêu cầu gửi đơn vị: 1" in report
    assert "🔴 Vi phạm thời hạn 30 phút: 1" in report
    # Up from 09:00, down from 02:00 to 08:00: 17 of 23 watched hours.
    assert "Camera hoạt động: 73,9% trên 1 camera được kiểm tra" in report
    assert "(tổng thời gian không hoạt động 6 giờ 00)" in report
    assert "Sự cố camera DNCX: 1 được thông báo, 0 đã kết thúc, 0 quá thời hạn" in report
    with Session(desktop.engine) as session:
        kept = session.get(DailyReport, (DEFAULT_DESK, dt.date(2026, 11, 25)))
    assert kept is not None and (kept.incidents, kept.breaches, kept.unit_requests) == (3, 1, 1)
    mark = desktop.emu.mark()
    desktop.say(CLERK, "/report 25/11/2026")
    assert "Vụ việc: 3" in text_of(await desktop.answer(GROUP, mark))
    mark = desktop.emu.mark()
    desktop.say(CLERK, "/report hôm qua")
    assert "không phải là ngày" in text_of(await desktop.answer(GROUP, mark))
