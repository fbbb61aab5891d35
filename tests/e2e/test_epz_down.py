"""Cameras an EPZ notice marks down: shown so, quiet in the health round, handed back."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.db.models import LogbookEntry
from bot.devtools.onvif_camera import SimulatedCamera
from tests.e2e.conftest import ENTERPRISE, GROUP, OFFICER, UNIT_CHAT, Desktop, launch, text_of
from tests.e2e.test_epz import CONTACT, ICT, enrol, press, reviewed, say

PASSWORD = "cam-secret"
GATE = "🔴 C01 Cổng chính DNCX ABC — không hoạt động: theo thông báo số 1 của doanh nghiệp"
STORE = "🔴 C02 Kho ngoại quan DNCX ABC — không hoạt động: theo thông báo số 1 của doanh nghiệp"

Cams = tuple[Desktop, SimulatedCamera, SimulatedCamera]


def registry_camera(number: str, name: str, place: str, camera: SimulatedCamera) -> dict[str, Any]:
    return {
        "number": number,
        "name": name,
        "place": place,
        "area": "KCX Tân Thuận",
        "unit": "hq-kv1",
        "enterprise": "dncx-abc",
        "onvif": {"host": camera.host, "port": camera.port, "password": PASSWORD},
    }


@pytest.fixture
async def watched(migrated_url: str) -> AsyncIterator[Cams]:
    """C01 and C02 of the enterprise are ONVIF cameras in the registry; C03 is only on its map."""
    async with (
        SimulatedCamera(name="Cổng chính", password=PASSWORD) as gate,
        SimulatedCamera(name="Kho ngoại quan", password=PASSWORD) as store,
    ):
        side_gate = {"number": "C03", "name": "Cổng phụ", "kind": "gate"}
        enterprise = {**ENTERPRISE, "cameras": [*ENTERPRISE["cameras"], side_gate]}
        cameras = [
            registry_camera("C01", "Cổng chính DNCX ABC", "DNCX ABC, cổng chính", gate),
            registry_camera("C02", "Kho ngoại quan DNCX ABC", "DNCX ABC, kho", store),
        ]
        async with launch(migrated_url, cameras=cameras, enterprises=[enterprise]) as desktop:
            yield desktop, gate, store


async def cameras_view(desktop: Desktop) -> list[str]:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/cameras")
    return text_of(await desktop.answer(GROUP, mark)).splitlines()


def notes(desktop: Desktop) -> list[str]:
    with Session(desktop.engine) as session:
        entries = session.exec(select(LogbookEntry)).all()
        return [" ".join(filter(None, [e.work_performed, e.notes, e.result])) for e in entries]


def told_unit(desktop: Desktop) -> list[str]:
    return [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]


async def notify_gate_fault(desktop: Desktop) -> None:
    await enrol(desktop)
    await say(
        desktop, "Camera C01 và C03 cổng hỏng từ 8h, dự kiến 30/11, liên hệ 0903123456", "ảnh hưởng"
    )
    await reviewed(desktop, "Không ghi hình xe ra vào")
    await desktop.settle()


async def test_a_notice_marks_its_registry_cameras_down_and_the_round_keeps_quiet(
    watched: Cams,
) -> None:
    desktop, gate, store = watched
    assert await desktop.desk.cameras.health_round() == 0
    await notify_gate_fault(desktop)

    card = next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    assert "camera C01, C03" in text_of(card)
    # C03 is on the map only: listed as affected, but there is nothing to mark.
    assert "🔴 Camera C01 được ghi nhận không hoạt động theo thông báo số 1." in text_of(card)
    assert any(
        "Camera C01 được ghi nhận không hoạt động theo thông báo số 1." in n for n in notes(desktop)
    )
    view = await cameras_view(desktop)
    assert GATE in view and "🟢 C02 Kho ngoại quan DNCX ABC" in view

    # The gate camera's line comes and goes during the repair: recorded, not announced.
    gate.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 0
    gate.set_mode("ok")
    assert await desktop.desk.cameras.health_round() == 0
    gate.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 0
    # The storage camera is not under the notice: its fault is told as ever.
    store.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    assert told_unit(desktop) == ["🔴 Camera C02 (DNCX ABC, kho) không hoạt động: không phản hồi"]
    assert not any("Camera C01 (" in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    assert GATE in await cameras_view(desktop)

    view = await say(desktop, "/epz", "Doanh nghiệp chế xuất", chat=OFFICER, user=OFFICER)
    assert "🔴 ghi nhận không hoạt động theo thông báo: camera C01" in text_of(view)


async def test_a_transmission_fault_naming_no_camera_marks_all_of_the_enterprise(
    watched: Cams,
) -> None:
    desktop, _gate, _store = watched
    await enrol(desktop)
    await say(
        desktop,
        "Mất kết nối đường truyền internet từ 8h, dự kiến 27/11, liên hệ 0903123456",
        "camera nào",
    )
    question = desktop.emu.bot_messages(CONTACT)[-1]
    await press(desktop, question, "dr:cams-done", "ảnh hưởng")
    await reviewed(desktop, "Không xem được camera nào")
    await desktop.settle()

    card = text_of(
        next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    )
    assert "camera C01, C02, C03" in card
    assert "🔴 Camera C01, C02 được ghi nhận không hoạt động theo thông báo số 1." in card
    view = await cameras_view(desktop)
    assert GATE in view and STORE in view


async def test_restoration_hands_the_cameras_back_to_the_health_round(watched: Cams) -> None:
    desktop, gate, store = watched
    await enrol(desktop)
    await say(
        desktop,
        "Đường truyền mất kết nối từ 8h, camera C01 C02. Dự kiến 27/11. Liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không giám sát được cổng và kho")
    gate.set_mode("offline")
    store.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 0

    # The contact reports it fixed; the gate works again, the storage camera does not.
    await desktop.later(60)
    await say(desktop, "/restored", "Công chức hải quan sẽ kiểm tra")
    gate.set_mode("ok")
    await desktop.later(5)
    assert await desktop.desk.cameras.health_round() == 0
    view = await cameras_view(desktop)
    assert GATE in view and STORE in view  # until the officer confirms

    await desktop.settle()
    ask = next(
        m for m in desktop.emu.bot_messages(OFFICER) if "báo đã khắc phục sự cố số 1" in text_of(m)
    )
    await press(desktop, ask, "ep:ok:1", "Đã đóng", chat=OFFICER, user=OFFICER)
    await desktop.settle()
    released = "Camera C01, C02 không còn được ghi nhận không hoạt động theo thông báo"
    assert any(released in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    assert any(released in n for n in notes(desktop))
    # What the round found since the report stands; what it saw before is unknown again.
    view = await cameras_view(desktop)
    assert "🟢 C01 Cổng chính DNCX ABC" in view and "⚪ C02 Kho ngoại quan DNCX ABC" in view

    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    assert told_unit(desktop) == ["🔴 Camera C02 (DNCX ABC, kho) không hoạt động: không phản hồi"]


async def test_planned_work_marks_its_cameras_down_from_its_start(watched: Cams) -> None:
    desktop, _gate, _store = watched
    await enrol(desktop)
    await say(
        desktop,
        "Thông báo cắt điện toàn khu từ 8h ngày 28/11 đến 29/11, camera C02 không hoạt động. "
        "Liên hệ 0903123456",
        "ảnh hưởng",
    )
    await reviewed(desktop, "Không ghi hình kho")
    await desktop.settle()
    card = text_of(
        next(m for m in desktop.emu.bot_messages(GROUP) if "Thông báo sự cố" in text_of(m))
    )
    assert "được ghi nhận không hoạt động" not in card
    assert STORE not in await cameras_view(desktop)

    desktop.clock.set(dt.datetime(2026, 11, 28, 8, 0, tzinfo=ICT))
    await desktop.settle()
    marked = "Camera C02 được ghi nhận không hoạt động theo thông báo số 1."
    assert any(marked in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    assert any(marked in n for n in notes(desktop))
    assert STORE in await cameras_view(desktop)
