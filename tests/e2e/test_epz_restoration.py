"""Restoration of an EPZ outage with a fresh snapshot from the enterprise's ONVIF camera."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from sqlmodel import Session, select

from bot.db.models import EpzOutage, LogbookEntry
from bot.devtools.onvif_camera import SimulatedCamera
from tests.e2e.conftest import GROUP, OFFICER, Desktop, launch, text_of
from tests.e2e.test_epz import enrol, press, reviewed, say

PASSWORD = "cam-secret"


@pytest.fixture
async def watched(migrated_url: str) -> AsyncIterator[tuple[Desktop, SimulatedCamera]]:
    """The enterprise's gate camera C01 is in the registry and reachable over ONVIF."""
    async with SimulatedCamera(name="Cổng chính", password=PASSWORD) as camera:
        cameras = [
            {
                "number": "C01",
                "name": "Cổng chính DNCX ABC",
                "place": "KCX Tân Thuận, cổng chính",
                "enterprise": "dncx-abc",
                "onvif": {"host": camera.host, "port": camera.port, "password": PASSWORD},
            }
        ]
        async with launch(migrated_url, cameras=cameras) as desktop:
            yield desktop, camera


async def report_and_restore(desktop: Desktop) -> dict[str, object]:
    await enrol(desktop)
    await say(
        desktop,
        "Camera C01 cổng chính hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    await say(desktop, "/restored", "Công chức hải quan sẽ kiểm tra")
    await desktop.settle()
    return next(
        m for m in desktop.emu.bot_messages(OFFICER) if "báo đã khắc phục sự cố số 1" in text_of(m)
    )


def closed(desktop: Desktop) -> EpzOutage:
    with Session(desktop.engine) as session:
        return session.exec(select(EpzOutage)).one()


async def test_restoration_is_confirmed_with_a_fresh_snapshot(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, _camera = watched
    ask = await report_and_restore(desktop)
    answer = await press(desktop, ask, "ep:ok:1", "Đã đóng", chat=OFFICER, user=OFFICER)
    assert answer is not None and "ảnh chụp đính kèm" in text_of(answer)
    await desktop.settle()
    photo = next(m for m in desktop.emu.bot_messages(GROUP) if m.get("photo"))
    caption = text_of(photo)
    assert caption.startswith("✅ Công ty TNHH ABC Việt Nam: sự cố số 1 đã khắc phục")
    assert "Có ảnh chụp đính kèm (ca-mê-ra C01)." in caption
    assert "CAM C01 · Cổng chính DNCX ABC" in caption
    image = Image.open(io.BytesIO(desktop.emu.file_bytes(photo["photo"][-1]["file_id"])))
    assert image.size == (640, 360)
    assert closed(desktop).status == "closed"


async def test_restoration_without_an_answering_camera_says_so(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    ask = await report_and_restore(desktop)
    camera.set_mode("offline")
    answer = await press(desktop, ask, "ep:ok:1", "Đã đóng", chat=OFFICER, user=OFFICER)
    assert answer is not None
    assert "Đã đóng, không có ảnh chụp: ca-mê-ra C01 không phản hồi" in text_of(answer)
    await desktop.settle()
    assert not any(m.get("photo") for m in desktop.emu.bot_messages(GROUP))
    closure = next(m for m in desktop.emu.bot_messages(GROUP) if "khắc phục sau" in text_of(m))
    assert "Không có ảnh chụp: ca-mê-ra C01 không phản hồi." in text_of(closure)
    assert closed(desktop).status == "closed"
    with Session(desktop.engine) as session:
        results = [e.result for e in session.exec(select(LogbookEntry)) if e.result]
    assert any("Không có ảnh chụp" in result for result in results)
