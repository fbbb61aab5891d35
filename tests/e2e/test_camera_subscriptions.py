"""A camera never runs out of event subscriptions: crashes, restarts and a full camera.

Real cameras keep 2-5 subscriptions and share them with the NVR; ONVIF has no call listing them,
so one whose reference died with a killed bot holds its place until it expires.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from onvif import ONVIFCamera
from sqlalchemy import text
from sqlmodel import Session, select

from bot.camera.onvif_device.values import StreamState
from bot.db.engine import make_engine
from bot.db.models import LogbookEntry
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.onvif_camera import (
    MOTION_ALARM,
    SIGNAL_LOSS,
    STORAGE_FAILURE,
    TAMPER,
    SimulatedCamera,
)
from tests.camera.test_onvif_device import wait_until
from tests.e2e.commands import duty_desk, write_config
from tests.e2e.conftest import GROUP, OFFICER, UNIT_CHAT, Desktop, desk_config, launch, text_of
from tests.e2e.test_cameras import PASSWORD, camera_config

TOKEN = "987654321:camera-subscriptions"
PULLPOINT_XADDR = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"
REFUSED = (
    "🟡 Camera 20 (Cảng Cát Lái, cổng C) không gửi được sự kiện về trực ban: camera từ chối "
    "cho trực ban đăng ký nhận sự kiện (đã hết chỗ đăng ký, có thể do đầu ghi NVR chiếm). "
    "Báo động từ camera này sẽ không về nhóm cho đến khi khắc phục xong; hệ thống vẫn đang "
    "thử lại."
)
RESTORED = "🟢 Camera 20 (Cảng Cát Lái, cổng C) đã gửi sự kiện về trực ban trở lại."


# --- killed without a clean shutdown ------------------------------------------------------------

# One event per run, each of another kind so that none is folded into an earlier card.
RUNS = [
    (MOTION_ALARM, {"State": "true"}, "Chuyển động"),
    (TAMPER, {"IsTamper": "true"}, "Phá hoại, che chắn camera"),
    (SIGNAL_LOSS, {"State": "true"}, "Mất tín hiệu hình ảnh"),
    (STORAGE_FAILURE, {"Failed": "true"}, "Lỗi lưu trữ"),
]


async def start_bot(config: Path, log: Path) -> asyncio.subprocess.Process:
    """`duty-desk run` as an operator starts it, its log in a file (a pipe could fill up)."""
    env = {"DUTY_DESK_TELEGRAM__TOKEN": TOKEN, "DUTY_DESK_LOG_LEVEL": "INFO"}
    with log.open("ab") as sink:
        return await duty_desk(
            "--config",
            str(config),
            "run",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=sink,
        )


async def test_a_bot_killed_again_and_again_keeps_one_subscription_and_loses_no_event(
    tmp_path: Path, migrated_url: str
) -> None:
    log = tmp_path / "bot.log"
    async with (
        SimulatedCamera(name="Cổng C", password=PASSWORD, max_subscriptions=2) as camera,
        BotApiEmulator(token=TOKEN) as emu,
    ):
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban HQ")
        emu.add_chat(UNIT_CHAT, "supergroup", "Trực ban Chi cục KV1")
        config = desk_config(
            emu,
            migrated_url,
            cameras=camera_config(camera),
            alerts={"digest_after_per_minute": 100, "health_every_seconds": 3600},
        )
        path = write_config(tmp_path, config)

        process: asyncio.subprocess.Process | None = None
        try:
            for run, (topic, data, label) in enumerate(RUNS):
                mark = emu.mark()
                if run > 0:
                    # Raised while no bot was running: it waits in the subscription the killed
                    # bot left on the camera, which the new one takes up.
                    camera.emit(topic, data)
                process = await start_bot(path, log)
                if run == 0:
                    await wait_until(lambda: camera.live_subscriptions() == 1, within=60)
                    camera.emit(topic, data)
                card = await emu.wait_for_message(
                    GROUP, after=mark, predicate=lambda m, x=label: x in text_of(m), timeout=60
                )
                assert "CAM 20 · Cổng C" in text_of(card), log.read_text()
                assert camera.live_subscriptions() == 1
                if run < len(RUNS) - 1:
                    process.kill()  # kill -9: no Unsubscribe, no clean shutdown
                    await process.wait()
            # Never a second subscription of ours on the camera, not even for a moment.
            assert (camera.subscriptions_created, camera.peak_subscriptions) == (1, 1)
            assert process is not None
            process.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0, log.read_text()
        finally:
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
        # A clean shutdown ends the subscription and clears its record.
        assert camera.live_subscriptions() == 0
        assert camera.requests["Unsubscribe"] == 1
    engine = make_engine(migrated_url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM camera_subscription")) == 0
    engine.dispose()
    taken_up = log.read_text().count("took up the event subscription made by")
    assert taken_up == len(RUNS) - 1


# --- every place taken by the NVR ---------------------------------------------------------------


async def nvr_subscriptions(camera: SimulatedCamera, count: int) -> tuple[Any, str]:
    """Fill the camera's places as an NVR does; return its client and its first subscription."""
    nvr = ONVIFCamera(camera.host, camera.port, "admin", PASSWORD)
    await nvr.update_xaddrs()
    events = await nvr.create_events_service()
    addresses = []
    for _ in range(count):
        made = await events.CreatePullPointSubscription({"InitialTerminationTime": "PT1H"})
        addresses.append(made.SubscriptionReference.Address._value_1)
    return nvr, addresses[0]


async def cameras_view(desktop: Desktop) -> str:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/cameras")
    return text_of(await desktop.answer(GROUP, mark))


async def health(desktop: Desktop) -> dict[str, Any]:
    port = desktop.app.bot_data["intake"].port
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/health") as response,
    ):
        answer: dict[str, Any] = await response.json()
    return answer


async def move_clock(
    desktop: Desktop,
    camera: SimulatedCamera,
    seconds: float,
    attempts: int,
    then: StreamState = StreamState.BACKOFF,
) -> None:
    """Move the desk's clock on and check how many subscription attempts follow.

    For none, the stream gets half a second to (wrongly) try; otherwise the test waits for the
    attempts and for the stream to settle in `then` (backing off again, or streaming).
    """
    stream = desktop.desk.cameras.stream("20")
    assert stream is not None

    def made() -> int:
        return camera.requests["CreatePullPointSubscription"] - before

    before = camera.requests["CreatePullPointSubscription"]
    desktop.clock.advance(dt.timedelta(seconds=seconds))
    if attempts == 0:
        await asyncio.sleep(0.5)
    else:
        await wait_until(lambda: made() >= attempts and stream.state is then, within=30)
    assert made() == attempts


async def test_a_camera_whose_places_the_nvr_holds_is_a_fault_until_one_frees_up(
    migrated_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.camera")
    async with SimulatedCamera(name="Cổng C", password=PASSWORD, max_subscriptions=2) as camera:
        nvr, first = await nvr_subscriptions(camera, 2)
        try:
            async with launch(migrated_url, cameras=camera_config(camera)) as desktop:
                emu = desktop.emu
                notice = await emu.wait_for_message(
                    GROUP, predicate=lambda m: "không gửi được sự kiện" in text_of(m), timeout=30
                )
                assert text_of(notice) == REFUSED
                told = await emu.wait_for_message(
                    UNIT_CHAT, predicate=lambda m: "không gửi được sự kiện" in text_of(m)
                )
                assert text_of(told) == REFUSED
                warnings = [
                    r.getMessage()
                    for r in caplog.records
                    if r.levelno == logging.WARNING and r.name.startswith("bot.camera")
                ]
                assert any(
                    f"{camera.port}: no event subscription" in w
                    and "SubscribeCreationFailedFault" in w
                    for w in warnings
                ), warnings
                assert "⚠️ không nhận được sự kiện: camera từ chối" in await cameras_view(desktop)
                assert await desktop.desk.cameras.health_round() == 0  # it answers: "up"...
                view = await cameras_view(desktop)
                assert "🟡 20 Cổng C ⚠️ không nhận được sự kiện" in view  # ...but not plain up
                assert (await health(desktop))["camera_events_failing"] == ["20"]
                with Session(desktop.engine) as session:
                    work = [e.work_performed for e in session.exec(select(LogbookEntry))]
                assert work == [REFUSED.removeprefix("🟡 ")]

                # It keeps asking, further apart each time (1 s, then 2 s, then 4 s, less jitter),
                # by the desk's clock, and tells the desk once.
                await move_clock(desktop, camera, 1.0, attempts=1)
                await move_clock(desktop, camera, 1.0, attempts=0)
                await move_clock(desktop, camera, 1.0, attempts=1)
                await move_clock(desktop, camera, 3.0, attempts=0)
                await move_clock(desktop, camera, 1.0, attempts=1)
                refusals = [m for m in emu.bot_messages(GROUP) if "không gửi được" in text_of(m)]
                assert len(refusals) == 1

                # The NVR lets one place go: the next attempt takes it and events flow again.
                nvr.xaddrs[PULLPOINT_XADDR] = first
                await (await nvr.create_subscription_service("PullPointSubscription")).Unsubscribe()
                mark = emu.mark()
                await move_clock(desktop, camera, 60.0, attempts=1, then=StreamState.STREAMING)
                await wait_until(lambda: camera.live_subscriptions() == 2, within=30)
                camera.emit(MOTION_ALARM, {"State": "true"})
                card = await emu.wait_for_message(
                    GROUP, after=mark, predicate=lambda m: "Chuyển động" in text_of(m), timeout=15
                )
                assert "CAM 20 · Cổng C" in text_of(card)
                restored = await emu.wait_for_message(
                    UNIT_CHAT, predicate=lambda m: "trở lại" in text_of(m), timeout=15
                )
                assert text_of(restored) == RESTORED
                assert RESTORED in [text_of(m) for m in emu.bot_messages(GROUP)]
                view = await cameras_view(desktop)
                assert "🟢 20 Cổng C" in view and "không nhận được sự kiện" not in view
                assert (await health(desktop))["camera_events_failing"] == []
        finally:
            await nvr.close()
