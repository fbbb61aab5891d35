"""EventStream's subscription outliving the process, and a camera that refuses to subscribe."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from onvif import ONVIFCamera

from bot.camera.events import RawEvent
from bot.camera.onvif_device.device import OnvifDevice
from bot.camera.onvif_device.stream import BACKOFF_MAX_SECONDS, EventStream
from bot.camera.onvif_device.values import (
    CameraAddress,
    EventsFault,
    StoredSubscription,
    StreamState,
    SubscriptionKind,
)
from bot.devtools.onvif_camera import MOTION_ALARM, TAMPER, SimulatedCamera
from tests.camera.test_onvif_device import wait_until

PASSWORD = "s3cret-Pa55"
PULLPOINT_XADDR = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"


class Memory:
    """The database's part, kept in a list."""

    def __init__(self, stored: StoredSubscription | None = None) -> None:
        self.stored = stored

    def recall(self) -> StoredSubscription | None:
        return self.stored

    def remember(self, kind: SubscriptionKind, address: str, seconds_left: float) -> None:
        self.stored = StoredSubscription(kind, address, seconds_left, "this test")

    def forget(self) -> None:
        self.stored = None


@pytest.fixture
async def camera() -> AsyncIterator[SimulatedCamera]:
    async with SimulatedCamera(password=PASSWORD, max_subscriptions=2) as cam:
        yield cam


@pytest.fixture
async def device(camera: SimulatedCamera) -> AsyncIterator[OnvifDevice]:
    onvif_device = OnvifDevice(CameraAddress(camera.host, camera.port, "admin", PASSWORD))
    yield onvif_device
    await onvif_device.close()


@pytest.fixture
async def other_client(camera: SimulatedCamera) -> AsyncIterator[Any]:
    """Whoever else subscribes: a killed bot's process, the NVR."""
    client = ONVIFCamera(camera.host, camera.port, "admin", PASSWORD)
    await client.update_xaddrs()
    yield client
    await client.close()


async def subscribe(client: Any) -> str:
    events = await client.create_events_service()
    made = await events.CreatePullPointSubscription({"InitialTerminationTime": "PT60S"})
    return str(made.SubscriptionReference.Address._value_1)


async def unsubscribe(client: Any, address: str) -> None:
    client.xaddrs[PULLPOINT_XADDR] = address
    await (await client.create_subscription_service("PullPointSubscription")).Unsubscribe()


async def test_a_recorded_subscription_is_taken_up_with_the_events_it_kept(
    camera: SimulatedCamera, device: OnvifDevice, other_client: Any
) -> None:
    # A bot killed after subscribing: its subscription and its record survive it.
    address = await subscribe(other_client)
    memory = Memory(StoredSubscription("pullpoint", address, 55.0, "host:41 (run 1)"))
    camera.emit(TAMPER, {"IsTamper": "true"})  # raised while no one was pulling
    received: list[RawEvent] = []

    async def collect(event: RawEvent) -> None:
        received.append(event)

    stream = EventStream(device, collect, memory=memory, pull_timeout=2)
    await stream.start()
    try:
        await wait_until(lambda: [e.topic for e in received] == [TAMPER])
        assert stream.state is StreamState.STREAMING
        assert (camera.subscriptions_created, stream.subscriptions_made) == (1, 0)
        assert camera.requests["Renew"] == 1
        assert memory.stored is not None and memory.stored.address == address
        assert memory.stored.seconds_left > 100  # renewed for the stream's 120 s
        camera.emit(MOTION_ALARM, {"State": "true"})
        await wait_until(lambda: len(received) == 2)
    finally:
        await stream.stop()
    assert camera.live_subscriptions() == 0
    assert memory.stored is None  # ended on the camera, so nothing is left to clean up


async def test_a_recorded_subscription_the_camera_forgot_is_ended_and_replaced(
    camera: SimulatedCamera, device: OnvifDevice
) -> None:
    forgotten = f"http://{camera.host}:{camera.port}/onvif/Subscription?Idx=999999"
    memory = Memory(StoredSubscription("pullpoint", forgotten, 30.0, "host:41 (run 1)"))
    stream = EventStream(device, _ignore, memory=memory, pull_timeout=2)
    await stream.start()
    try:
        await wait_until(lambda: stream.state is StreamState.STREAMING)
        assert camera.requests["Renew"] == 1  # asked to keep it: unknown
        assert camera.requests["Unsubscribe"] == 1  # ended, in case the camera still counts it
        assert camera.subscriptions_created == 1
        assert memory.stored is not None and memory.stored.address != forgotten
    finally:
        await stream.stop()
    assert memory.stored is None


async def test_a_camera_that_cannot_be_reached_at_stop_keeps_the_record(
    camera: SimulatedCamera, device: OnvifDevice
) -> None:
    memory = Memory()
    stream = EventStream(device, _ignore, memory=memory, pull_timeout=2)
    await stream.start()
    await wait_until(lambda: stream.state is StreamState.STREAMING)
    camera.set_mode("offline")
    await stream.stop()
    # Not ended on the camera: the next start must find it to end or take it up.
    assert memory.stored is not None


async def test_a_full_camera_is_reported_retried_with_backoff_and_its_recovery_told(
    camera: SimulatedCamera,
    device: OnvifDevice,
    other_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.camera.onvif_device")
    held = [await subscribe(other_client), await subscribe(other_client)]  # the NVR's
    reports: list[EventsFault | None] = []
    waits: list[float] = []
    go_on = asyncio.Event()

    async def backoff(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= 8:
            await go_on.wait()

    stream = EventStream(device, _ignore, on_events=reports.append, sleep=backoff, pull_timeout=2)
    await stream.start()
    try:
        await wait_until(lambda: len(waits) == 8)
        assert reports == [EventsFault.REFUSED]  # told once, however often refused
        assert 0.8 <= waits[0] <= 1.0 and 1.6 <= waits[1] <= 2.0 and 3.2 <= waits[2] <= 4.0
        assert all(0.8 * BACKOFF_MAX_SECONDS <= w <= BACKOFF_MAX_SECONDS for w in waits[6:])
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "SubscribeCreationFailedFault" in warnings[0].getMessage()

        await unsubscribe(other_client, held[0])
        go_on.set()
        await wait_until(lambda: stream.state is StreamState.STREAMING)
        camera.emit(MOTION_ALARM, {"State": "true"})  # the first answered pull: events flow
        await wait_until(lambda: reports == [EventsFault.REFUSED, None])
        assert stream.events_fault is None
        assert camera.live_subscriptions() == 2
    finally:
        await stream.stop()


async def test_a_camera_out_of_reach_is_no_events_fault(
    camera: SimulatedCamera, device: OnvifDevice
) -> None:
    camera.set_mode("offline")
    reports: list[EventsFault | None] = []
    tries: list[float] = []

    async def backoff(seconds: float) -> None:
        tries.append(seconds)
        await asyncio.sleep(0.01)

    stream = EventStream(device, _ignore, on_events=reports.append, sleep=backoff)
    await stream.start()
    try:
        await wait_until(lambda: len(tries) >= 4)
        assert reports == []  # the health round tells a camera that does not answer
    finally:
        await stream.stop()


async def _ignore(event: RawEvent) -> None:
    del event
