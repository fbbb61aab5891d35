"""/stats end to end: a period's charts arrive in the chat as one album of PNG images, and the
equipment report (96 part III) comes from /export drawn from the same figures."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import openpyxl
import pytest
from PIL import Image

from bot.db.models import OutageKind
from bot.devtools.onvif_camera import SimulatedCamera
from bot.epz.outages import NoticeInput
from bot.logbook.service import Author
from tests.e2e.conftest import CLERK, GROUP, OFF_DUTY, OFFICER, STRANGER, Desktop, launch, text_of
from tests.e2e.test_cameras import PASSWORD, camera_config
from tests.e2e.test_epz import CONTACT, enrol
from tests.e2e.test_incidents import approved_request, open_incident

# The first chart imports matplotlib; on a busy machine that takes a few seconds.
DRAWN_WITHIN_SECONDS = 60


@pytest.fixture
async def watched(migrated_url: str) -> AsyncIterator[tuple[Desktop, SimulatedCamera]]:
    """A desk with one ONVIF camera (no. 20, Cát Lái) that the health round checks."""
    async with SimulatedCamera(name="Cổng C", password=PASSWORD) as camera:  # noqa: SIM117
        async with launch(migrated_url, cameras=camera_config(camera)) as desktop:
            yield desktop, camera


async def ask(desktop: Desktop, user: int, text: str, chat: int = GROUP) -> list[dict[str, Any]]:
    """Send a /stats command and return the album it brings (the photos, in order)."""
    mark = desktop.emu.mark()
    desktop.say(user, text, chat_id=chat)
    await desktop.emu.wait_for_message(
        chat, after=mark, predicate=lambda m: "photo" in m, timeout=DRAWN_WITHIN_SECONDS
    )
    return [m for m in desktop.emu.bot_messages(chat) if "photo" in m][-4:]


def coloured(png: bytes) -> int:
    """How many pixels of a chart are in colour rather than black, grey or white."""
    with Image.open(io.BytesIO(png)) as image:
        saturation = image.convert("RGB").convert("HSV").getchannel("S").histogram()
    return sum(saturation[60:])


def images(desktop: Desktop, album: list[dict[str, Any]]) -> list[bytes]:
    return [desktop.emu.file_bytes(m["photo"][-1]["file_id"]) for m in album]


async def test_the_month_comes_as_an_album_of_four_png_charts_with_its_figures(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    # The morning of 25 November: the camera is checked (up), a request to a unit goes past
    # its 30 minutes, an incident waits for a proposal, then the camera stops answering.
    assert await desktop.desk.cameras.health_round() == 0
    await approved_request(desktop)
    await desktop.later(31)
    open_incident(desktop)
    desktop.desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.TRANSMISSION,
            description="Mất kết nối đường truyền",
        ),
        Author(None, "Công ty TNHH ABC Việt Nam"),
        desktop.clock.now(),
    )
    camera.set_mode("offline")
    await desktop.later(29)
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.later(60)

    album = await ask(desktop, OFF_DUTY, "/stats month")
    assert len(album) == 4
    assert len({m["media_group_id"] for m in album}) == 1
    caption = text_of(album[0])
    assert caption.startswith("📊 Thống kê tháng 11/2026\n01/11/2026 08:00 → 25/11/2026 11:00")
    assert "Vụ việc: 2 — Yêu cầu phối hợp: 1 · Chưa đề xuất xử lý: 1" in caption
    assert "Yêu cầu: 1 · 🔴 quá 30 phút: 1 · chưa trả lời: 1" in caption
    # Up from 09:00 to 10:00, down since: half of the two hours it was watched.
    assert "Camera: hoạt động 50,0% trên 1 camera được kiểm tra" in caption
    assert "không hoạt động 1 giờ 00 · 1 lần sự cố" in caption
    assert "Sự cố camera DNCX: 1 · đúng hạn 0 · quá hạn 0 · đang khắc phục 1" in caption
    assert [text_of(m) for m in album[1:]] == ["", "", ""]
    charts = images(desktop, album)
    for data in charts:
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG"
            assert image.size == (1280, 720)

    # A quarter with nothing recorded: the same four charts, each saying so, and different.
    empty = await ask(desktop, OFFICER, "/stats last-quarter")
    assert text_of(empty[0]).startswith("📊 Thống kê quý 3/2026\n01/07/2026 08:00 → 01/10/2026")
    assert "Vụ việc: 0\n" in text_of(empty[0])
    assert "Camera: chưa có camera nào được kiểm tra." in text_of(empty[0])
    blank = images(desktop, empty)
    for drawn, nothing in zip(charts, blank, strict=True):
        assert drawn != nothing
        # Bars are in colour; a chart saying there is nothing is black, grey and white.
        assert coloured(drawn) > 500
        assert coloured(nothing) == 0


async def test_a_reader_in_english_and_in_a_private_chat(desktop: Desktop) -> None:
    desktop.desk.preferences.set_locale(CLERK, "en")
    album = await ask(desktop, CLERK, "/stats week", chat=CLERK)
    assert len(album) == 4
    assert text_of(album[0]).startswith(
        "📊 Statistics, week 2026-11-23 – 2026-11-29\n2026-11-23 08:00 → 2026-11-25 09:00 (so far)"
    )
    assert "Incidents: 0" in text_of(album[0])


async def test_a_period_it_cannot_read_gets_the_usage_and_no_chart(desktop: Desktop) -> None:
    for text in ("/stats fortnight", "/stats 2026-11-30..2026-11-01", "/stats 2026-13"):
        mark = desktop.emu.mark()
        desktop.say(OFFICER, text)
        await desktop.settle()
        reply = text_of(await desktop.answer(GROUP, mark))
        assert reply.startswith("Hãy ghi kỳ cần thống kê, ví dụ:\n/stats week"), text
        assert "last-month" in reply
    assert not any("photo" in m for m in desktop.emu.bot_messages(GROUP))
    # Someone the desk does not know gets the gate's refusal, and no figures.
    mark = desktop.emu.mark()
    desktop.say(STRANGER, "/stats", chat_id=STRANGER)
    await desktop.settle()
    refusal = text_of(await desktop.answer(STRANGER, mark))
    assert "chỉ phục vụ bộ phận trực ban" in refusal
    assert not any("photo" in m for m in desktop.emu.bot_messages(STRANGER))
    # An EPZ enterprise's contact talks to the bot, but the desk's figures are not theirs.
    await enrol(desktop)
    mark = desktop.emu.mark()
    desktop.say(CONTACT, "/stats", chat_id=CONTACT)
    await desktop.settle()
    refusal = text_of(await desktop.answer(CONTACT, mark))
    assert refusal == "Chỉ những người của tổ trực ban mới được xem thống kê."
    assert not any("photo" in m for m in desktop.emu.bot_messages(CONTACT))


async def test_the_equipment_report_is_exported_from_the_same_figures(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    assert await desktop.desk.cameras.health_round() == 0
    camera.set_mode("offline")
    await desktop.later(30)
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.later(90)
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/export equipment month xlsx")
    sent = await desktop.emu.wait_for_message(
        GROUP, after=mark, predicate=lambda m: "document" in m, timeout=DRAWN_WITHIN_SECONDS
    )
    assert sent["document"]["file_name"] == "bao-cao-thiet-bi_2026-11.xlsx"
    assert text_of(sent) == (
        "Báo cáo tình hình trang thiết bị (Quyết định 96, phần III), tháng 11/2026."
    )
    sheet = openpyxl.load_workbook(
        io.BytesIO(desktop.emu.file_bytes(sent["document"]["file_id"]))
    ).active
    assert sheet is not None
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "20")
    # Watched from 09:00 to 11:00 and down from 09:30: 25% up, an hour and a half down.
    assert row[2:8] == (
        "Cổng C, Cảng Cát Lái, cổng C",
        "Cát Lái",
        "Chi cục HQ CK cảng Sài Gòn KV1",
        25.0,
        1.5,
        1,
    )
    # A person off the current shift may read /stats but not export.
    mark = desktop.emu.mark()
    desktop.say(OFF_DUTY, "/export equipment")
    await desktop.settle()
    assert "Chỉ những người trong ca trực" in text_of(await desktop.answer(GROUP, mark))


def test_matplotlib_is_loaded_only_when_a_chart_is_drawn() -> None:
    probe = (
        "import sys, bot.app, bot.cli, bot.handlers.stats, bot.documents.service\n"
        "assert not any(m.split('.')[0] == 'matplotlib' for m in sys.modules), 'loaded'\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
