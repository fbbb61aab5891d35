"""OnvifDevice, EventStream and probe against the simulated camera over loopback."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from bot.camera.events import RawEvent
from bot.camera.onvif_device.device import OnvifDevice
from bot.camera.onvif_device.errors import CameraAuthError, CameraUnreachable
from bot.camera.onvif_device.health import probe
from bot.camera.onvif_device.stream import EventStream
from bot.camera.onvif_device.values import CameraAddress, HealthReason, HealthStatus, StreamState
from bot.devtools.onvif_camera import (
    CELL_MOTION,
    GLOBAL_SCENE_CHANGE,
    MOTION_ALARM,
    SIGNAL_LOSS,
    STORAGE_FAILURE,
    TAMPER,
    SimulatedCamera,
)

PASSWORD = "s3cret-Pa55"


async def wait_until(predicate: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


class Collector:
    def __init__(self) -> None:
        self.events: list[RawEvent] = []

    async def __call__(self, event: RawEvent) -> None:
        self.events.append(event)

    def changed(self, topic: str) -> list[RawEvent]:
        return [e for e in self.events if e.topic == topic and e.property_operation == "Changed"]


@pytest.fixture
async def camera() -> AsyncIterator[SimulatedCamera]:
    async with SimulatedCamera(password=PASSWORD, serial="SIM-7", ptz=True) as cam:
        yield cam


@pytest.fixture
def address(camera: SimulatedCamera) -> CameraAddress:
    return CameraAddress(camera.host, camera.port, "admin", PASSWORD)


@pytest.fixture
async def device(address: CameraAddress) -> AsyncIterator[OnvifDevice]:
    onvif_device = OnvifDevice(address, timeout=5)
    yield onvif_device
    await onvif_device.close()


@pytest.fixture
async def collector() -> Collector:
    return Collector()


@pytest.fixture
async def stream_factory(
    device: OnvifDevice, collector: Collector
) -> AsyncIterator[Callable[..., EventStream]]:
    streams: list[EventStream] = []

    def make(**kwargs: object) -> EventStream:
        options: dict[str, object] = {"pull_timeout": 5.0, "backoff_initial": 0.2} | kwargs
        stream = EventStream(device, collector, **options)  # type: ignore[arg-type]
        streams.append(stream)
        return stream

    yield make
    for stream in streams:
        await stream.stop()


# --- device ------------------------------------------------------------------------------------


async def test_connect_reads_device_information(
    device: OnvifDevice, camera: SimulatedCamera
) -> None:
    info = await device.connect()
    assert (info.manufacturer, info.model, info.serial) == ("duty-desk", "DutyCam 1", "SIM-7")
    assert info.firmware == camera.firmware
    assert device.connected
    # adjust_time: the clock is read without credentials before the first signed request
    assert camera.requests["GetSystemDateAndTime"] == 1


async def test_connect_errors_are_classified(camera: SimulatedCamera) -> None:
    wrong = OnvifDevice(CameraAddress(camera.host, camera.port, "admin", "wrong"), timeout=5)
    try:
        with pytest.raises(CameraAuthError):
            await wrong.connect()
        assert not wrong.connected
    finally:
        await wrong.close()
    camera.set_mode("offline")
    offline = OnvifDevice(CameraAddress(camera.host, camera.port, "admin", PASSWORD), timeout=5)
    try:
        with pytest.raises(CameraUnreachable):
            await offline.connect()
        camera.set_mode("ok")
        assert (await offline.connect()).serial == "SIM-7"  # connects once the camera is back
    finally:
        await offline.close()


async def test_snapshot_is_a_jpeg_that_changes_and_needs_digest(
    device: OnvifDevice, camera: SimulatedCamera
) -> None:
    first = await device.snapshot()
    image = Image.open(io.BytesIO(first))
    assert image.format == "JPEG"
    assert image.size == camera.image_size
    await asyncio.sleep(0.25)
    second = await device.snapshot()
    assert second != first
    assert camera.requests["GetSnapshotUri"] == 1  # the URI is cached
    assert camera.requests["GetProfiles"] == 1

    url = f"http://{camera.host}:{camera.port}/onvif/snapshot.jpg?profile=profile_1"
    async with aiohttp.ClientSession() as session, session.get(url) as plain:
        assert plain.status == 401
        assert "Digest" in plain.headers["WWW-Authenticate"]

    camera.set_mode("bad_credentials")
    with pytest.raises(CameraAuthError):
        await device.snapshot()


async def test_ptz_position(device: OnvifDevice, camera: SimulatedCamera) -> None:
    camera.set_position(0.3, -0.1, 0.5)
    assert await device.ptz_position() == pytest.approx((0.3, -0.1, 0.5))
    async with SimulatedCamera() as fixed:
        no_ptz = OnvifDevice(CameraAddress(fixed.host, fixed.port, "admin", "secret"))
        try:
            assert await no_ptz.ptz_position() is None
        finally:
            await no_ptz.close()


async def test_address_repr_hides_the_password(address: CameraAddress) -> None:
    assert PASSWORD not in repr(address)
    assert PASSWORD not in str(address)
    assert PASSWORD not in repr(OnvifDevice(address))


# --- events ------------------------------------------------------------------------------------


async def test_event_stream_delivers_camera_events(
    camera: SimulatedCamera, collector: Collector, stream_factory: Callable[..., EventStream]
) -> None:
    camera.emit(SIGNAL_LOSS, {"State": "false"})  # state before we subscribe
    stream = stream_factory()
    await stream.start()
    await wait_until(lambda: stream.state is StreamState.STREAMING)
    assert stream.mode == "pullpoint"
    await wait_until(lambda: len(collector.events) == 1)
    initial = collector.events[0]
    assert (initial.topic, initial.property_operation) == (SIGNAL_LOSS, "Initialized")

    when = datetime(2025, 3, 1, 8, 30, 15, 250000, tzinfo=UTC)
    camera.emit(MOTION_ALARM, {"State": "true"}, when=when)
    camera.emit(CELL_MOTION, {"IsMotion": "true"})
    camera.emit(TAMPER, {"IsTamper": "true"})
    camera.emit(SIGNAL_LOSS, {"State": "true"}, source={"Source": "VideoSource_2"})
    camera.emit(GLOBAL_SCENE_CHANGE, {"State": "true"})
    camera.emit(STORAGE_FAILURE, {"Failed": "true"})
    await wait_until(lambda: len(collector.events) == 7)

    motion = collector.events[1]
    assert motion == RawEvent(
        topic="tns1:VideoSource/MotionAlarm",
        utc_time=when,
        property_operation="Changed",
        source={"Source": "VideoSource_1"},
        data={"State": "true"},
    )
    by_topic = {e.topic: e for e in collector.events[1:]}
    assert by_topic[CELL_MOTION].data == {"IsMotion": "true"}
    assert by_topic[CELL_MOTION].source["Rule"] == "MyMotionDetectorRule"
    assert by_topic["tns1:RuleEngine/TamperDetector/Tamper"].data == {"IsTamper": "true"}
    assert by_topic[SIGNAL_LOSS].source == {"Source": "VideoSource_2"}
    assert by_topic[GLOBAL_SCENE_CHANGE].data == {"State": "true"}
    assert by_topic["tns1:Device/HardwareFailure/StorageFailure"].data == {"Failed": "true"}
    assert camera.live_subscriptions() == 1


async def test_renewal_keeps_the_subscription_alive(
    camera: SimulatedCamera, collector: Collector, stream_factory: Callable[..., EventStream]
) -> None:
    stream = stream_factory(subscription_seconds=3)
    await stream.start()
    await wait_until(lambda: stream.state is StreamState.STREAMING)
    await asyncio.sleep(4.5)  # well past the initial 3 s termination time
    assert camera.requests["Renew"] >= 2
    assert camera.subscriptions_created == 1
    assert stream.subscriptions_made == 1
    assert camera.live_subscriptions() == 1
    camera.emit(MOTION_ALARM, {"State": "true"})
    await wait_until(lambda: len(collector.changed(MOTION_ALARM)) == 1)


async def test_reconnects_after_an_outage_without_piling_up_subscriptions(
    camera: SimulatedCamera,
    collector: Collector,
    stream_factory: Callable[..., EventStream],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.camera.onvif_device")
    stream = stream_factory(subscription_seconds=20)
    await stream.start()
    await wait_until(lambda: stream.state is StreamState.STREAMING)

    camera.set_mode("offline")
    # A pull the camera had not yet accepted when it went away ends only at its own timeout.
    await wait_until(lambda: stream.state is StreamState.BACKOFF, within=15.0)

    def failed_attempts() -> int:
        return sum("interrupted" in r.msg for r in caplog.records)

    # A few failed attempts with growing backoff, however slow the machine is today.
    await wait_until(lambda: failed_attempts() >= 3, within=15.0)
    assert stream.last_error is not None
    camera.emit(TAMPER, {"IsTamper": "true"})  # queued on the old, still live subscription
    camera.set_mode("ok")

    await wait_until(
        lambda: stream.subscriptions_made == 2 and stream.state == "streaming", within=15.0
    )
    camera.emit(MOTION_ALARM, {"State": "true"})
    await wait_until(lambda: len(collector.changed(MOTION_ALARM)) == 1)
    # The old subscription (which would live 20 s) was unsubscribed before the new one.
    assert camera.live_subscriptions() == 1
    assert camera.requests["Unsubscribe"] == 1
    assert stream.last_error is None

    records = [r for r in caplog.records if r.name == "bot.camera.onvif_device"]
    waits = [r.args[-1] for r in records if "interrupted" in r.msg and isinstance(r.args, tuple)]
    assert len(waits) >= 3
    assert waits[0] <= 0.2 < waits[1] <= 0.4 < waits[2]  # 0.2 s doubling (minus jitter)
    assert any("restored" in r.getMessage() for r in records)
    assert all(r.levelno < logging.WARNING for r in records)
    assert not any(PASSWORD in r.getMessage() for r in caplog.records)


async def test_resubscribes_at_once_when_the_camera_forgets_the_subscription(
    camera: SimulatedCamera, collector: Collector, stream_factory: Callable[..., EventStream]
) -> None:
    stream = stream_factory(subscription_seconds=30)
    await stream.start()
    await wait_until(lambda: stream.state is StreamState.STREAMING)
    await asyncio.sleep(0.1)
    await camera.stop()  # a reboot loses every subscription
    await camera.start(port=camera.port)
    await wait_until(lambda: camera.live_subscriptions() == 1 and stream.subscriptions_made == 2)
    camera.emit(MOTION_ALARM, {"State": "true"})
    await wait_until(lambda: len(collector.changed(MOTION_ALARM)) == 1)


async def test_stop_unsubscribes(
    camera: SimulatedCamera, stream_factory: Callable[..., EventStream]
) -> None:
    stream = stream_factory()
    await stream.start()
    await wait_until(lambda: camera.live_subscriptions() == 1)
    await stream.stop()
    assert stream.state is StreamState.STOPPED
    assert camera.live_subscriptions() == 0
    assert camera.requests["Unsubscribe"] == 1


async def test_failing_callback_does_not_stop_the_stream(
    camera: SimulatedCamera, device: OnvifDevice
) -> None:
    seen: list[str] = []

    async def flaky(event: RawEvent) -> None:
        seen.append(event.data["State"])
        if event.data["State"] == "true":
            raise RuntimeError("consumer bug")

    stream = EventStream(device, flaky, pull_timeout=5)
    await stream.start()
    try:
        await wait_until(lambda: stream.state is StreamState.STREAMING)
        camera.emit(MOTION_ALARM, {"State": "true"})
        camera.emit(MOTION_ALARM, {"State": "false"})
        await wait_until(lambda: seen == ["true", "false"])
        assert stream.subscriptions_made == 1
    finally:
        await stream.stop()


def notify_body(topic: str, utc_time: str, prefix: str = "tns1") -> bytes:
    """A wsnt:Notify as a camera POSTs it."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" '
        'xmlns:tt="http://www.onvif.org/ver10/schema" '
        f'xmlns:{prefix}="http://www.onvif.org/ver10/topics"><s:Body><wsnt:Notify>'
        "<wsnt:NotificationMessage>"
        '<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
        f"{topic}</wsnt:Topic><wsnt:Message>"
        f'<tt:Message UtcTime="{utc_time}" PropertyOperation="Changed">'
        '<tt:Source><tt:SimpleItem Name="Source" Value="1"/></tt:Source>'
        '<tt:Data><tt:SimpleItem Name="State" Value="true"/></tt:Data>'
        "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
        "</wsnt:Notify></s:Body></s:Envelope>"
    ).encode()


async def _notify_receiver(
    target: list[EventStream],
) -> tuple[web.AppRunner, str]:
    async def notify(request: web.Request) -> web.Response:
        await target[0].handle_notify(await request.read())
        return web.Response()

    app = web.Application()
    app.router.add_post("/onvif/notify/cam-7", notify)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/onvif/notify/cam-7"


async def test_base_notification_when_a_notify_url_is_given(
    camera: SimulatedCamera, collector: Collector, stream_factory: Callable[..., EventStream]
) -> None:
    holder: list[EventStream] = []
    runner, url = await _notify_receiver(holder)
    try:
        stream = stream_factory(notify_url=url, subscription_seconds=2)
        holder.append(stream)
        await stream.start()
        await wait_until(lambda: stream.state is StreamState.STREAMING)
        assert stream.mode == "notify"
        camera.emit(TAMPER, {"IsTamper": "true"})
        await wait_until(lambda: len(collector.events) == 1)
        assert collector.events[0].topic == TAMPER
        assert collector.events[0].data == {"IsTamper": "true"}
        await asyncio.sleep(1.5)  # past the first renewal
        assert camera.requests["Renew"] >= 1
        assert camera.requests["PullMessages"] == 0
        assert camera.live_subscriptions() == 1

        # A camera that binds the ONVIF topic namespace to another prefix.
        body = notify_body(" ns9:VideoSource/MotionAlarm/ ", "2025-01-02T03:04:05Z", "ns9")
        assert await stream.handle_notify(body) == 1
        assert collector.events[-1].topic == MOTION_ALARM
        assert collector.events[-1].utc_time == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert collector.events[-1].utc_time.tzinfo is UTC
        # Cameras set to local time send offsets or no zone at all; both end up in UTC.
        for stamp in ("2025-01-02T10:04:05+07:00", "2025-01-02T03:04:05"):
            assert await stream.handle_notify(notify_body(MOTION_ALARM, stamp)) == 1
            assert collector.events[-1].utc_time == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
            assert collector.events[-1].utc_time.tzinfo is UTC
        assert await stream.handle_notify(b"not xml") == 0
    finally:
        await runner.cleanup()


async def test_falls_back_to_pullpoint_when_subscribe_is_refused(
    camera: SimulatedCamera, collector: Collector, stream_factory: Callable[..., EventStream]
) -> None:
    stream = stream_factory(notify_url="urn:not-a-web-address")
    await stream.start()
    await wait_until(lambda: stream.state is StreamState.STREAMING)
    assert stream.mode == "pullpoint"
    camera.emit(STORAGE_FAILURE, {"Failed": "true"})
    await wait_until(lambda: len(collector.events) == 1)
    assert camera.live_subscriptions() == 1


# --- health probe ------------------------------------------------------------------------------


async def test_probe_reports_up(address: CameraAddress) -> None:
    health = await probe(address, 5)
    assert health.status is HealthStatus.UP
    assert health.reason is None
    assert health.latency is not None and health.latency < 1
    assert health.info is not None and health.info.serial == "SIM-7"


async def test_probe_reports_wrong_credentials_as_down(camera: SimulatedCamera) -> None:
    health = await probe(CameraAddress(camera.host, camera.port, "admin", "nope"), 5)
    assert (health.status, health.reason) == (HealthStatus.DOWN, HealthReason.AUTH)
    assert health.latency is not None  # it answered, but refused us
    camera.set_mode("bad_credentials")
    health = await probe(CameraAddress(camera.host, camera.port, "admin", PASSWORD), 5)
    assert (health.status, health.reason) == (HealthStatus.DOWN, HealthReason.AUTH)


async def test_probe_reports_slow_camera_as_degraded(
    camera: SimulatedCamera, address: CameraAddress
) -> None:
    camera.set_mode("slow", delay_seconds=0.15)
    health = await probe(address, 5, slow_after=0.1)
    assert (health.status, health.reason) == (HealthStatus.DEGRADED, HealthReason.SLOW)
    assert health.latency is not None and health.latency >= 0.15
    # Too slow to finish in the budget, but it did answer: still degraded, not down.
    camera.set_mode("slow", delay_seconds=0.4)
    health = await probe(address, 1.0, slow_after=0.1)
    assert (health.status, health.reason) == (HealthStatus.DEGRADED, HealthReason.SLOW)


async def test_probe_reports_offline_camera_as_down(
    camera: SimulatedCamera, address: CameraAddress
) -> None:
    camera.set_mode("offline")
    health = await probe(address, 5)
    assert (health.status, health.reason) == (HealthStatus.DOWN, HealthReason.UNREACHABLE)
    assert health.latency is None


async def test_probe_times_out_on_a_silent_camera() -> None:
    # A listener that accepts connections but never answers, like a hung camera.
    held: list[asyncio.StreamWriter] = []
    server = await asyncio.start_server(lambda _r, w: held.append(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        started = time.monotonic()
        health = await probe(CameraAddress("127.0.0.1", port, "admin", "x"), 0.5)
        assert time.monotonic() - started < 2
        assert (health.status, health.reason) == (HealthStatus.DOWN, HealthReason.TIMEOUT)
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_topics_are_normalised_whatever_prefix_the_camera_uses() -> None:
    async with SimulatedCamera(topic_prefix="tns") as odd:
        device = OnvifDevice(CameraAddress(odd.host, odd.port, "admin", "secret"))
        collector = Collector()
        stream = EventStream(device, collector, pull_timeout=5)
        await stream.start()
        try:
            await wait_until(lambda: stream.state is StreamState.STREAMING)
            odd.emit(CELL_MOTION, {"IsMotion": "true"})
            await wait_until(lambda: len(collector.events) == 1)
            assert collector.events[0].topic == "tns1:RuleEngine/CellMotionDetector/Motion"
        finally:
            await stream.stop()
            await device.close()


_COLD_START = """
import asyncio, sys
from bot.camera.onvif_device.device import OnvifDevice
from bot.camera.onvif_device.values import CameraAddress
from bot.devtools.onvif_camera import SimulatedCamera

async def main() -> None:
    cameras = [SimulatedCamera(serial=f"SIM-{i}") for i in range(60)]
    await asyncio.gather(*(c.start() for c in cameras))
    devices = [
        OnvifDevice(CameraAddress(c.host, c.port, "admin", "secret"), timeout=3) for c in cameras
    ]
    try:
        infos = await asyncio.gather(*(d.connect() for d in devices))
        assert sorted(i.serial for i in infos) == sorted(c.serial for c in cameras)
    finally:
        await asyncio.gather(*(d.close() for d in devices))
        await asyncio.gather(*(c.stop() for c in cameras))
    print("ok")

asyncio.run(main())
"""


async def test_many_cameras_connecting_at_start_up_do_not_time_out() -> None:
    # A fresh interpreter: the parsed-WSDL cache is per process, and the point is the first load.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _COLD_START,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()[-2000:]
    assert output.decode().strip().endswith("ok")
