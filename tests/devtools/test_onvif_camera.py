"""The simulated ONVIF camera, driven by the real onvif-zeep-async client over loopback."""

from __future__ import annotations

import asyncio
import base64
import io
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from onvif import ONVIFCamera
from PIL import Image
from zeep.exceptions import Fault

from bot.devtools.onvif_camera import (
    CELL_MOTION,
    MAX_SUBSCRIPTIONS,
    MOTION_ALARM,
    SIGNAL_LOSS,
    STORAGE_FAILURE,
    TAMPER,
    SimulatedCamera,
)

BASIC = "Basic " + base64.b64encode(b"admin:secret").decode()
WSNTW = "http://docs.oasis-open.org/wsn/bw-2"
PULLPOINT_XADDR = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"
NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "tt": "http://www.onvif.org/ver10/schema",
}


@pytest.fixture
async def camera() -> AsyncIterator[SimulatedCamera]:
    async with SimulatedCamera(name="Gate 1", serial="SIM-42", ptz=True) as cam:
        yield cam


@pytest.fixture
async def client(camera: SimulatedCamera) -> AsyncIterator[Any]:
    onvif_camera = ONVIFCamera(camera.host, camera.port, "admin", "secret")
    await onvif_camera.update_xaddrs()
    yield onvif_camera
    await onvif_camera.close()


async def pullpoint(client: Any, termination: str = "PT30S") -> tuple[Any, Any, Any]:
    """Create a PullPoint the way onvif-zeep-async's PullPointManager does."""
    events = await client.create_events_service()
    result = await events.CreatePullPointSubscription({"InitialTerminationTime": termination})
    client.xaddrs[PULLPOINT_XADDR] = result.SubscriptionReference.Address._value_1
    return (
        result,
        await client.create_pullpoint_service(),
        await client.create_subscription_service("PullPointSubscription"),
    )


async def pull(service: Any, seconds: int = 1, limit: int = 100) -> Any:
    return await service.PullMessages(
        {"Timeout": timedelta(seconds=seconds), "MessageLimit": limit}
    )


# --- device service ----------------------------------------------------------------------------


async def test_device_information_and_service_discovery(
    camera: SimulatedCamera, client: Any
) -> None:
    base = f"http://{camera.host}:{camera.port}"
    assert client.xaddrs["http://www.onvif.org/ver10/media/wsdl"] == f"{base}/onvif/media_service"
    assert client.xaddrs["http://www.onvif.org/ver10/events/wsdl"] == f"{base}/onvif/event_service"
    assert "http://www.onvif.org/ver20/ptz/wsdl" in client.xaddrs
    assert camera.requests["GetServices"] == 1  # the client prefers GetServices

    devicemgmt = await client.create_devicemgmt_service()
    info = await devicemgmt.GetDeviceInformation()
    assert (info.Manufacturer, info.Model, info.SerialNumber) == (
        "duty-desk",
        "DutyCam 1",
        "SIM-42",
    )
    assert info.FirmwareVersion

    capabilities = await client.get_capabilities()
    assert capabilities["Events"]["WSPullPointSupport"] is True
    assert capabilities["Media"]["XAddr"] == f"{base}/onvif/media_service"

    interfaces = await devicemgmt.GetNetworkInterfaces()
    assert interfaces[0].Info.HwAddress.startswith("02:")
    scopes = await devicemgmt.GetScopes()
    assert any(s.ScopeItem == "onvif://www.onvif.org/name/Gate_1" for s in scopes)


async def test_adjust_time_reads_clock_without_credentials(camera: SimulatedCamera) -> None:
    camera.set_mode("bad_credentials")
    onvif_camera = ONVIFCamera(camera.host, camera.port, "admin", "secret", adjust_time=True)
    try:
        devicemgmt = await onvif_camera.create_devicemgmt_service()
        clock = await devicemgmt.authless_GetSystemDateAndTime()
        assert clock.UTCDateTime.Date.Year >= 2024
        with pytest.raises(Fault):
            await devicemgmt.GetDeviceInformation()
    finally:
        await onvif_camera.close()


@pytest.mark.parametrize("how", ["wrong_password", "bad_credentials_mode", "no_security"])
async def test_wrong_credentials_get_not_authorized_fault(
    camera: SimulatedCamera, how: str
) -> None:
    if how == "no_security":
        body = (
            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>'
            "</s:Body></s:Envelope>"
        )
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://{camera.host}:{camera.port}/onvif/device_service", data=body
            ) as response,
        ):
            text = await response.text()
        assert response.status == 400
        subcode = ET.fromstring(text).find(".//env:Subcode/env:Value", NS)
        assert subcode is not None and subcode.text == "ter:NotAuthorized"
        return
    password = "wrong" if how == "wrong_password" else "secret"
    if how == "bad_credentials_mode":
        camera.set_mode("bad_credentials")
    onvif_camera = ONVIFCamera(camera.host, camera.port, "admin", password)
    try:
        devicemgmt = await onvif_camera.create_devicemgmt_service()
        with pytest.raises(Fault) as caught:
            await devicemgmt.GetDeviceInformation()
        assert any("NotAuthorized" in code.text for code in caught.value.subcodes)
    finally:
        await onvif_camera.close()


# --- media: profiles, snapshot, stream ---------------------------------------------------------


async def test_profiles_and_stream_uri(client: Any) -> None:
    media = await client.create_media_service()
    profiles = await media.GetProfiles()
    assert [p.token for p in profiles] == ["profile_1", "profile_2"]
    assert profiles[0].VideoEncoderConfiguration.Resolution.Width == 640
    assert profiles[0].PTZConfiguration.NodeToken == "PTZNode_1"
    stream = await media.GetStreamUri(
        {
            "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
            "ProfileToken": "profile_1",
        }
    )
    assert stream.Uri.startswith("rtsp://127.0.0.1:554/")
    with pytest.raises(Fault):
        await media.GetSnapshotUri({"ProfileToken": "nope"})


async def test_snapshot_is_a_changing_jpeg_behind_digest_auth(
    camera: SimulatedCamera, client: Any
) -> None:
    uri = await client.get_snapshot_uri("profile_1")
    async with aiohttp.ClientSession() as session:
        async with session.get(uri) as plain:
            assert plain.status == 401
            assert plain.headers["WWW-Authenticate"].startswith("Digest ")
        async with session.get(uri, headers={"Authorization": BASIC}) as basic:
            assert basic.status == 401  # Basic is not accepted
        wrong = aiohttp.DigestAuthMiddleware("admin", "wrong")
        async with session.get(uri, middlewares=(wrong,)) as bad_digest:
            assert bad_digest.status == 401

    first = await client.get_snapshot("profile_1")
    image = Image.open(io.BytesIO(first))
    assert image.format == "JPEG"
    assert image.size == (640, 360)
    image.verify()
    assert await client.get_snapshot("profile_1") == first  # cached for ~0.2 s
    await asyncio.sleep(0.25)
    second = await client.get_snapshot("profile_1")
    assert second != first
    assert camera.frame == 2

    camera.set_mode("bad_credentials")
    with pytest.raises(Exception, match="authenticate"):
        await client.get_snapshot("profile_1")


# --- events ------------------------------------------------------------------------------------


async def test_event_properties_advertise_topics(client: Any) -> None:
    events = await client.create_events_service()
    properties = await events.GetEventProperties()
    assert properties.FixedTopicSet is True
    names = {element.tag for element in properties.TopicSet._value_1}
    assert names == {
        "{http://www.onvif.org/ver10/topics}VideoSource",
        "{http://www.onvif.org/ver10/topics}RuleEngine",
        "{http://www.onvif.org/ver10/topics}Device",
    }
    video_source = next(e for e in properties.TopicSet._value_1 if e.tag.endswith("VideoSource"))
    assert video_source.find("MotionAlarm") is not None


async def test_pull_messages_carry_real_camera_notifications(
    camera: SimulatedCamera, client: Any
) -> None:
    _, service, _ = await pullpoint(client)
    camera.emit(MOTION_ALARM, {"State": "true"})
    camera.emit(CELL_MOTION, {"IsMotion": "true"})
    camera.emit(TAMPER, {"IsTamper": "true"})
    camera.emit(SIGNAL_LOSS, {"State": "true"}, source={"Source": "VideoSource_2"})
    camera.emit(STORAGE_FAILURE, {"Failed": "true"}, property_operation="")
    result = await pull(service)
    messages = result.NotificationMessage
    assert [m.Topic._value_1 for m in messages] == [
        MOTION_ALARM,
        CELL_MOTION,
        TAMPER,
        SIGNAL_LOSS,
        STORAGE_FAILURE,
    ]
    assert all(
        m.Topic.Dialect == "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
        for m in messages
    )
    motion = messages[0].Message._value_1
    assert motion.PropertyOperation == "Changed"
    assert motion.UtcTime.tzinfo is not None
    assert [(i.Name, i.Value) for i in motion.Source.SimpleItem] == [("Source", "VideoSource_1")]
    assert [(i.Name, i.Value) for i in motion.Data.SimpleItem] == [("State", "true")]
    cell = messages[1].Message._value_1
    assert {i.Name for i in cell.Source.SimpleItem} == {
        "VideoSourceConfigurationToken",
        "VideoAnalyticsConfigurationToken",
        "Rule",
    }
    assert messages[3].Message._value_1.Source.SimpleItem[0].Value == "VideoSource_2"
    assert messages[4].Message._value_1.PropertyOperation is None


async def test_pull_messages_waits_respects_limit_and_wakes_up(
    camera: SimulatedCamera, client: Any
) -> None:
    _, service, _ = await pullpoint(client)
    started = time.monotonic()
    empty = await pull(service, seconds=1)
    assert 0.9 <= time.monotonic() - started < 2.0
    assert not empty.NotificationMessage

    for index in range(5):
        camera.emit(MOTION_ALARM, {"State": str(index % 2 == 0).lower()})
    assert len((await pull(service, limit=3)).NotificationMessage) == 3
    assert len((await pull(service, limit=3)).NotificationMessage) == 2

    asyncio.get_running_loop().call_later(0.2, camera.emit, SIGNAL_LOSS, {"State": "true"})
    started = time.monotonic()
    woken = await pull(service, seconds=10)
    assert time.monotonic() - started < 2.0
    assert woken.NotificationMessage[0].Topic._value_1 == SIGNAL_LOSS


async def test_new_subscription_starts_with_initialized_properties(
    camera: SimulatedCamera, client: Any
) -> None:
    camera.emit(MOTION_ALARM, {"State": "true"})
    camera.emit(MOTION_ALARM, {"State": "false"})  # same property: only the latest state
    _, service, _ = await pullpoint(client)
    messages = (await pull(service)).NotificationMessage
    assert len(messages) == 1
    payload = messages[0].Message._value_1
    assert payload.PropertyOperation == "Initialized"
    assert payload.Data.SimpleItem[0].Value == "false"


async def test_subscriptions_expire_unless_renewed(camera: SimulatedCamera, client: Any) -> None:
    result, service, subscription = await pullpoint(client, "PT1S")
    assert 0.9 <= (result.TerminationTime - result.CurrentTime).total_seconds() <= 1.1
    assert camera.live_subscriptions() == 1
    renewed = await subscription.Renew("PT5S")
    assert (renewed.TerminationTime - renewed.CurrentTime).total_seconds() == pytest.approx(5, 0.1)
    await asyncio.sleep(1.2)
    assert camera.live_subscriptions() == 1  # past the initial termination time
    await pull(service)  # still answers

    _, short_service, _ = await pullpoint(client, "PT1S")
    assert camera.live_subscriptions() == 2
    await asyncio.sleep(1.2)
    assert camera.live_subscriptions() == 1
    with pytest.raises(Fault, match="Subscription not found"):
        await pull(short_service)


async def test_unsubscribe_frees_the_subscription(camera: SimulatedCamera, client: Any) -> None:
    _, _, subscription = await pullpoint(client)
    assert camera.live_subscriptions() == 1
    await subscription.Unsubscribe()
    assert camera.live_subscriptions() == 0
    with pytest.raises(Fault):
        await subscription.Renew("PT10S")


def subcodes(fault: Fault) -> list[str]:
    return [code.text for code in fault.subcodes or []]


async def test_a_full_camera_refuses_like_a_real_one_until_a_place_frees_up() -> None:
    # Real cameras keep 2-5 subscriptions, shared with the NVR; this one is set to keep two.
    now = [datetime(2026, 11, 25, 2, 0, tzinfo=UTC)]
    async with SimulatedCamera(max_subscriptions=2, clock=lambda: now[0]) as camera:
        client = ONVIFCamera(camera.host, camera.port, "admin", "secret")
        await client.update_xaddrs()
        try:
            capabilities = await (await client.create_events_service()).GetServiceCapabilities()
            assert capabilities.MaxPullPoints == 2
            _, _, renewed = await pullpoint(client, "PT60S")
            await renewed.Renew("PT120S")
            await pullpoint(client, "PT60S")  # never renewed
            events = await client.create_events_service()
            short = {"InitialTerminationTime": "PT30S"}
            for kind in ("pullpoint", "notify"):
                with pytest.raises(Fault, match="Maximum number of subscriptions") as refused:
                    if kind == "pullpoint":
                        await events.CreatePullPointSubscription(short)
                    else:
                        notification = await client.create_notification_service()
                        await notification.Subscribe(
                            {
                                "InitialTerminationTime": "PT30S",
                                "ConsumerReference": {"Address": "http://127.0.0.1:9/notify"},
                            }
                        )
                assert subcodes(refused.value) == [f"{{{WSNTW}}}SubscribeCreationFailedFault"]
            assert camera.live_subscriptions() == 2

            # Only the renewed one outlives its termination time; the other's place is free.
            now[0] += timedelta(seconds=61)
            assert camera.live_subscriptions() == 1
            await events.CreatePullPointSubscription(short)
            assert camera.live_subscriptions() == 2
            assert (camera.subscriptions_created, camera.peak_subscriptions) == (3, 2)
        finally:
            await client.close()
    assert MAX_SUBSCRIPTIONS == 5  # a camera that says nothing keeps five, like most real ones


async def test_base_notification_posts_notify_to_the_consumer(
    camera: SimulatedCamera, client: Any
) -> None:
    received: asyncio.Queue[bytes] = asyncio.Queue()

    async def consumer(request: web.Request) -> web.Response:
        await received.put(await request.read())
        return web.Response()

    app = web.Application()
    app.router.add_post("/notify", consumer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        service = await client.create_notification_service()
        result = await service.Subscribe(
            {
                "InitialTerminationTime": "PT30S",
                "ConsumerReference": {"Address": f"http://127.0.0.1:{port}/notify"},
            }
        )
        assert "/onvif/Subscription?Idx=" in result.SubscriptionReference.Address._value_1
        assert camera.live_subscriptions() == 1
        camera.emit(TAMPER, {"IsTamper": "true"})
        body = await asyncio.wait_for(received.get(), 5)
        root = ET.fromstring(body)
        message = root.find("env:Body/wsnt:Notify/wsnt:NotificationMessage", NS)
        assert message is not None
        assert message.findtext("wsnt:Topic", namespaces=NS) == TAMPER
        item = message.find("wsnt:Message/tt:Message/tt:Data/tt:SimpleItem", NS)
        assert item is not None and item.attrib == {"Name": "IsTamper", "Value": "true"}
    finally:
        await runner.cleanup()


# --- failure modes -----------------------------------------------------------------------------


async def test_offline_refuses_and_resets_then_returns_on_the_same_port(
    camera: SimulatedCamera, client: Any
) -> None:
    port = camera.port
    _, service, _ = await pullpoint(client)
    long_poll = asyncio.ensure_future(pull(service, seconds=20))
    await asyncio.sleep(0.2)
    camera.set_mode("offline")
    with pytest.raises(aiohttp.ClientError):
        await asyncio.wait_for(long_poll, 5)  # the in-flight poll is reset
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.get(f"http://127.0.0.1:{port}/onvif/snapshot.jpg")
    camera.set_mode("ok")
    assert camera.port == port
    devicemgmt = await client.create_devicemgmt_service()
    assert (await devicemgmt.GetDeviceInformation()).SerialNumber == "SIM-42"
    assert camera.live_subscriptions() == 1  # a network outage does not reboot the camera


async def test_slow_mode_delays_every_answer(camera: SimulatedCamera, client: Any) -> None:
    devicemgmt = await client.create_devicemgmt_service()
    camera.set_mode("slow", delay_seconds=0.3)
    started = time.monotonic()
    await devicemgmt.GetDeviceInformation()
    assert time.monotonic() - started >= 0.3
    camera.set_mode("ok")
    started = time.monotonic()
    await devicemgmt.GetDeviceInformation()
    assert time.monotonic() - started < 0.3


async def test_unknown_mode_is_rejected(camera: SimulatedCamera) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        camera.set_mode("broken")  # type: ignore[arg-type]


# --- PTZ ---------------------------------------------------------------------------------------


async def test_ptz_status_presets_and_moves(camera: SimulatedCamera, client: Any) -> None:
    ptz = await client.create_ptz_service()
    camera.set_position(0.25, -0.5, 0.75)
    status = await ptz.GetStatus({"ProfileToken": "profile_1"})
    position = status.Position
    assert (position.PanTilt.x, position.PanTilt.y, position.Zoom.x) == (0.25, -0.5, 0.75)
    presets = await ptz.GetPresets({"ProfileToken": "profile_1"})
    assert [(p.token, p.Name) for p in presets] == [("1", "Gate"), ("2", "Yard")]
    await ptz.GotoPreset({"ProfileToken": "profile_1", "PresetToken": "2"})
    assert camera.position == (0.5, -0.2, 0.3)
    await ptz.AbsoluteMove(
        {
            "ProfileToken": "profile_1",
            "Position": {"PanTilt": {"x": 0.1, "y": 0.2}, "Zoom": {"x": 0}},
        }
    )
    assert camera.position == (0.1, 0.2, 0.0)


async def test_camera_without_ptz_does_not_advertise_it() -> None:
    async with SimulatedCamera() as camera:
        onvif_camera = ONVIFCamera(camera.host, camera.port, "admin", "secret")
        try:
            await onvif_camera.update_xaddrs()
            assert "http://www.onvif.org/ver20/ptz/wsdl" not in onvif_camera.xaddrs
        finally:
            await onvif_camera.close()


# --- scale -------------------------------------------------------------------------------------


async def test_two_hundred_cameras_in_one_process_stay_cheap() -> None:
    cameras = [SimulatedCamera(name=f"Cam {i}", serial=f"SIM-{i:04d}") for i in range(200)]
    started = time.monotonic()
    await asyncio.gather(*(c.start() for c in cameras))
    try:
        body = (
            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            '<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>'
            "</s:Body></s:Envelope>"
        )

        async def touch(session: aiohttp.ClientSession, cam: SimulatedCamera) -> int:
            base = f"http://{cam.host}:{cam.port}"
            async with session.post(f"{base}/onvif/device_service", data=body) as response:
                await response.read()
            # One middleware per camera: it scopes its credentials to the first origin it sees.
            digest = aiohttp.DigestAuthMiddleware("admin", "secret")
            async with session.get(
                f"{base}/onvif/snapshot.jpg?profile=profile_1", middlewares=(digest,)
            ) as response:
                return len(await response.read())

        async with aiohttp.ClientSession() as session:
            sizes = await asyncio.gather(*(touch(session, c) for c in cameras))
        assert all(size > 1000 for size in sizes)
        assert len({c.port for c in cameras}) == 200
        assert time.monotonic() - started < 10
    finally:
        await asyncio.gather(*(c.stop() for c in cameras))
