"""ONVIF cameras end to end: a simulated camera, the real onvif-zeep-async client, the bot."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from PIL import Image
from sqlmodel import Session, select

from bot.db.models import CameraEventRecord, LogbookEntry
from bot.devtools.onvif_camera import SimulatedCamera
from tests.e2e.conftest import (
    GROUP,
    INTAKE_SECRET,
    OFFICER,
    UNIT_CHAT,
    Desktop,
    buttons_of,
    launch,
    text_of,
)

PASSWORD = "cam-secret"


def camera_config(camera: SimulatedCamera) -> list[dict[str, Any]]:
    return [
        {
            "number": "20",
            "name": "Cổng C",
            "place": "Cảng Cát Lái, cổng C",
            "area": "Cát Lái",
            "unit": "hq-kv1",
            "onvif": {
                "host": camera.host,
                "port": camera.port,
                "username": "admin",
                "password": PASSWORD,
            },
        },
    ]


@pytest.fixture
async def watched(migrated_url: str) -> AsyncIterator[tuple[Desktop, SimulatedCamera]]:
    async with SimulatedCamera(name="Cổng C", password=PASSWORD) as camera:  # noqa: SIM117
        # The camera must listen before the configuration can name its port.
        async with launch(migrated_url, cameras=camera_config(camera)) as desktop:
            yield desktop, camera


async def test_a_motion_event_is_posted_with_an_annotated_snapshot(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    for _ in range(100):
        if camera.live_subscriptions() == 1:
            break
        await asyncio.sleep(0.05)
    assert camera.live_subscriptions() == 1
    camera.emit("tns1:VideoSource/MotionAlarm", {"State": "true"})
    card = await desktop.emu.wait_for_message(
        GROUP, predicate=lambda m: bool(m.get("photo")), timeout=15
    )
    assert "CAM 20 · Cổng C — Chuyển động" in text_of(card)
    assert [label for label, _ in buttons_of(card)] == [
        "📝 Mở vụ việc",
        "👁 Đã xem",
        "✖ Báo động giả",
    ]
    image = Image.open(io.BytesIO(desktop.emu.file_bytes(card["photo"][-1]["file_id"])))
    assert image.size == (640, 360)
    # A camera reporting the end of the motion does not raise a second alert.
    camera.emit("tns1:VideoSource/MotionAlarm", {"State": "false"})
    camera.emit("tns1:VideoSource/SignalLoss", {"State": "true"})
    notice = await desktop.emu.wait_for_message(
        UNIT_CHAT, predicate=lambda m: "Mất tín hiệu hình ảnh" in text_of(m), timeout=15
    )
    assert "Camera 20 (Cảng Cát Lái, cổng C)" in text_of(notice)
    await desktop.settle()
    with Session(desktop.desk.engine) as session:
        kinds = [e.kind for e in session.exec(select(CameraEventRecord))]
    assert kinds == ["motion", "video_loss"]


async def test_offline_and_back_is_logged_and_told_to_the_unit(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    assert await desktop.desk.cameras.health_round() == 0
    camera.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    down = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
    assert down == ["🔴 Camera 20 (Cảng Cát Lái, cổng C) không hoạt động: không phản hồi"]
    camera.set_mode("ok")
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    assert text_of(desktop.emu.bot_messages(UNIT_CHAT)[-1]) == (
        "🟢 Camera 20 (Cảng Cát Lái, cổng C) hoạt động trở lại."
    )
    assert any("không hoạt động" in text_of(m) for m in desktop.emu.bot_messages(GROUP))
    with Session(desktop.desk.engine) as session:
        work = [e.work_performed for e in session.exec(select(LogbookEntry))]
    assert work == [
        "Camera 20 (Cảng Cát Lái, cổng C) không hoạt động: không phản hồi",
        "Camera 20 (Cảng Cát Lái, cổng C) hoạt động trở lại.",
    ]
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/cameras")
    view = text_of(await desktop.answer(GROUP, mark))
    assert "Cát Lái" in view and "🟢 20 Cổng C" in view


async def test_snapshot_command_posts_a_fresh_annotated_image(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, _ = watched
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/snapshot 20")
    photo = await desktop.answer(GROUP, mark, lambda m: bool(m.get("photo")))
    assert "CAM 20 · Cổng C" in text_of(photo)
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/snapshot 99")
    assert "Gõ /snapshot kèm số camera" in text_of(await desktop.answer(GROUP, mark))


async def test_neighbours_are_posted_as_an_album_and_ptz_drift_is_flagged(
    migrated_url: str,
) -> None:
    async with (
        SimulatedCamera(name="Cổng C", password=PASSWORD) as gate,
        SimulatedCamera(name="Bãi C1", password=PASSWORD, ptz=True) as yard,
        SimulatedCamera(name="Bãi C2", password=PASSWORD) as yard2,
    ):

        def access(camera: SimulatedCamera) -> dict[str, Any]:
            return {
                "host": camera.host,
                "port": camera.port,
                "username": "admin",
                "password": PASSWORD,
            }

        cameras = [
            {
                "number": "20",
                "name": "Cổng C",
                "place": "Cảng Cát Lái, cổng C",
                "unit": "hq-kv1",
                "onvif": access(gate),
                "neighbours": ["21", "22"],
            },
            {
                "number": "21",
                "name": "Bãi C1",
                "place": "Bãi C1",
                "unit": "hq-kv1",
                "onvif": access(yard),
                "preset": {"pan": 0.0, "tilt": 0.0, "zoom": 0.0},
            },
            {"number": "22", "name": "Bãi C2", "place": "Bãi C2", "onvif": access(yard2)},
        ]
        async with launch(migrated_url, cameras=cameras) as desktop:
            for _ in range(100):
                if gate.live_subscriptions() == 1:
                    break
                await asyncio.sleep(0.05)
            gate.emit("tns1:VideoSource/MotionAlarm", {"State": "true"})
            card = await desktop.emu.wait_for_message(
                GROUP, predicate=lambda m: "CAM 20" in text_of(m), timeout=15
            )
            assert [label for label, _ in buttons_of(card)][2] == "🎥 Camera lân cận"
            mark = desktop.emu.mark()
            query = desktop.emu.press_button(
                GROUP, card["message_id"], OFFICER, buttons_of(card)[2][1]
            )
            assert (await desktop.emu.wait_for_answer(query))["text"] == (
                "Đang lấy ảnh các camera lân cận…"
            )
            await desktop.answer(GROUP, mark, lambda m: "CAM 22" in text_of(m))
            album = desktop.emu.bot_messages(GROUP)[mark:]
            assert sorted(text_of(m) for m in album) == ["CAM 21 · Bãi C1", "CAM 22 · Bãi C2"]
            assert all(m.get("photo") and m.get("media_group_id") for m in album)

            await desktop.desk.cameras.health_round()
            yard.set_position(0.4, 0.1, 0.0)
            await desktop.desk.cameras.health_round()
            await desktop.settle()
            drift = [
                text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT) if "lệch" in text_of(m)
            ]
            assert drift == ["↗️ Camera 21 (Bãi C1) lệch khỏi vị trí đặt sẵn theo sơ đồ camera."]
            await desktop.desk.cameras.health_round()
            await desktop.settle()
            assert (
                len([m for m in desktop.emu.bot_messages(UNIT_CHAT) if "lệch" in text_of(m)]) == 1
            )


async def test_a_slow_snapshot_does_not_hold_the_alert_back(migrated_url: str) -> None:
    async with SimulatedCamera(name="Cổng C", password=PASSWORD) as camera:  # noqa: SIM117
        async with launch(
            migrated_url,
            cameras=camera_config(camera),
            alerts={
                "post_within_seconds": 0.3,
                "snapshot_timeout_seconds": 10,
                "health_every_seconds": 3600,
            },
        ) as desktop:
            for _ in range(100):
                if camera.live_subscriptions() == 1:
                    break
                await asyncio.sleep(0.05)
            camera.set_mode("slow", delay_seconds=1.0)
            camera.emit("tns1:VideoSource/MotionAlarm", {"State": "true"})
            card = await desktop.emu.wait_for_message(
                GROUP, predicate=lambda m: bool(m.get("photo")), timeout=15
            )
            first = Image.open(io.BytesIO(desktop.emu.file_bytes(card["photo"][-1]["file_id"])))
            assert first.getpixel((5, 5)) == (40, 40, 48)  # the placeholder
            swapped = await desktop.emu.wait_for_edit(
                GROUP,
                card["message_id"],
                predicate=lambda m: m["photo"][-1]["file_id"] != card["photo"][-1]["file_id"],
                timeout=15,
            )
            image = Image.open(io.BytesIO(desktop.emu.file_bytes(swapped["photo"][-1]["file_id"])))
            assert image.getpixel((5, 5)) != (40, 40, 48)
            assert "CAM 20 · Cổng C — Chuyển động" in text_of(swapped)
            assert [label for label, _ in buttons_of(swapped)] == [
                "📝 Mở vụ việc",
                "👁 Đã xem",
                "✖ Báo động giả",
            ]


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


async def test_cameras_push_events_when_they_can_reach_the_bot(migrated_url: str) -> None:
    port = free_port()
    async with SimulatedCamera(name="Cổng C", password=PASSWORD) as camera:  # noqa: SIM117
        async with launch(
            migrated_url,
            cameras=camera_config(camera),
            intake={
                "enabled": True,
                "port": port,
                "secret": INTAKE_SECRET,
                "camera_notify_base_url": f"http://127.0.0.1:{port}",
            },
        ) as desktop:
            stream = desktop.desk.cameras.stream("20")
            assert stream is not None
            for _ in range(100):
                if stream.mode == "notify":
                    break
                await asyncio.sleep(0.05)
            assert stream.mode == "notify"
            camera.emit("tns1:RuleEngine/TamperDetector/Tamper", {"IsTamper": "true"})
            card = await desktop.emu.wait_for_message(
                GROUP, predicate=lambda m: bool(m.get("photo")), timeout=15
            )
            assert "CAM 20 · Cổng C — Phá hoại, che chắn camera" in text_of(card)
            intake = desktop.app.bot_data["intake"]
            assert intake.counters["notify"] >= 1
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"http://127.0.0.1:{port}/onvif/notify/20/forged", data=b"<x/>"
                ) as response,
            ):
                assert response.status == 404


async def test_one_slow_answer_is_not_announced_two_are(
    watched: tuple[Desktop, SimulatedCamera],
) -> None:
    desktop, camera = watched
    await desktop.desk.cameras.health_round()
    camera.set_mode("slow", delay_seconds=2.2)
    assert await desktop.desk.cameras.health_round() == 0
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    assert [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)] == [
        "🟡 Camera 20 (Cảng Cát Lái, cổng C) tín hiệu không ổn định: phản hồi chậm"
    ]
