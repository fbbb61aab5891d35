"""ONVIF cameras through onvif-zeep-async: device info, snapshots, PTZ, events and health probes.

onvif-zeep-async has no type hints: every value it returns is converted to typed values right
where it is received (``_device_info``, ``_raw_event``, ...), so ``Any`` stays at the edges.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import weakref
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, Protocol, TypeVar

import aiohttp
import onvif
from onvif import ONVIFCamera, ONVIFService
from onvif.definition import SERVICES
from onvif.exceptions import (
    ONVIFAuthError,
    ONVIFError,
    ONVIFTimeoutError,
)
from onvif.settings import DEFAULT_SETTINGS
from onvif.transport import ASYNC_TRANSPORT
from onvif.util import (
    is_auth_error,
    normalize_url,
    stringify_onvif_error,
)
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError, XMLParseError, XMLSyntaxError
from zeep.loader import parse_xml
from zeep.plugins import Plugin

from bot.camera.events import RawEvent

logger = logging.getLogger(__name__)

# The WSDL files bundled with onvif-zeep-async; no network access is needed to load them.
WSDL_DIR: Final = str(Path(onvif.__file__).parent / "wsdl")

# Per-request budget. The library defaults to 90 s, far too long for a duty room that wants to
# know within seconds that a camera went dark.
DEFAULT_TIMEOUT: Final = 10.0
# Above this round trip a camera that still answers is reported as degraded.
SLOW_AFTER_SECONDS: Final = 2.0

# Requested subscription lifetime. Short enough that a subscription leaked by a crashed bot dies
# on the camera within two minutes (embedded cameras allow only a handful at once), long enough
# that renewals stay a trickle of traffic for 200 cameras.
SUBSCRIPTION_SECONDS: Final = 120.0
# Renew once half of the granted lifetime has passed: if that Renew is lost, the reconnect path
# still has the other half to unsubscribe the old subscription before creating a new one.
_RENEW_FRACTION: Final = 0.5
# Camera-side long-poll. Cameras commonly cap PullMessages timeouts at about a minute.
PULL_TIMEOUT_SECONDS: Final = 30.0
PULL_MESSAGE_LIMIT: Final = 100
# Slack on top of the camera-side timeout before a silent connection counts as dead.
_PULL_GRACE_SECONDS: Final = 10.0
BACKOFF_INITIAL_SECONDS: Final = 1.0
BACKOFF_MAX_SECONDS: Final = 60.0
# Unsubscribe is a courtesy; it must never hold up a reconnect or shutdown for long.
_UNSUBSCRIBE_TIMEOUT: Final = 5.0
# Failed attempts in a row, the camera answering each, before its events count as failing. A
# refused subscription is a fault at once: the camera has said it will send nothing.
FAILURES_BEFORE_FAULT: Final = 3

_EVENTS_NS: Final = "http://www.onvif.org/ver10/events/wsdl"
_PULLPOINT_BINDING: Final = f"{{{_EVENTS_NS}}}PullPointSubscriptionBinding"
_ONVIF_TOPICS_NS: Final = "http://www.onvif.org/ver10/topics"
_WSNT_TOPIC: Final = "{http://docs.oasis-open.org/wsn/b-2}Topic"

_T = TypeVar("_T")


# --- errors ------------------------------------------------------------------------------------


class CameraError(Exception):
    """A camera request failed."""


class CameraUnreachable(CameraError):
    """No answer: connection refused or reset, or the camera is offline."""


class CameraTimeout(CameraUnreachable):
    """The camera did not answer in time."""


class CameraAuthError(CameraError):
    """The camera rejected the credentials."""


class CameraProtocolError(CameraError):
    """The camera answered with a fault or something unusable."""


# What onvif-zeep-async lets escape: zeep faults and transport errors, aiohttp and socket
# errors (awaited calls are not wrapped by the library) and its own ONVIFError family.
_LIBRARY_ERRORS: Final[tuple[type[BaseException], ...]] = (
    Fault,
    TransportError,
    XMLParseError,
    XMLSyntaxError,
    aiohttp.ClientError,
    OSError,  # includes TimeoutError and ConnectionError
    ONVIFError,
)


def _translate(error: BaseException) -> CameraError:
    if isinstance(error, CameraError):
        return error
    if isinstance(error, ONVIFAuthError) or (isinstance(error, Fault) and is_auth_error(error)):
        return CameraAuthError("camera rejected the credentials")
    if isinstance(error, TransportError) and error.status_code == 401:
        return CameraAuthError("camera rejected the credentials (HTTP 401)")
    if isinstance(error, ONVIFTimeoutError | TimeoutError):
        return CameraTimeout("camera did not answer in time")
    if isinstance(error, aiohttp.ClientError | OSError):
        # Only the OS-level reason: aiohttp messages can quote request URLs, and snapshot URIs
        # sometimes embed user:password.
        os_error = error.os_error if isinstance(error, aiohttp.ClientConnectorError) else error
        reason = os_error.strerror if isinstance(os_error, OSError) else None
        suffix = f" ({reason})" if reason else ""
        return CameraUnreachable(f"camera unreachable: {error.__class__.__name__}{suffix}")
    if isinstance(error, Fault):
        return CameraProtocolError(f"camera fault: {stringify_onvif_error(error)}")
    cause = error.__cause__
    if isinstance(error, ONVIFError) and cause is not None and cause is not error:
        return _translate(cause)
    return CameraProtocolError(f"camera error: {error}")


# --- WSDL preload ------------------------------------------------------------------------------

# The services this module uses, by onvif-zeep-async's service names (one WSDL file each).
_PRELOAD_SERVICES: Final = ("devicemgmt", "media", "events", "ptz")
_preloaded = False
_preload_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def preload_wsdl() -> None:
    """Parse the WSDL files once per process, one at a time, before any camera needs them.

    onvif-zeep-async caches parsed WSDL documents but does not guard the first load: 200 cameras
    connecting at start-up would each parse devicemgmt.wsdl (0.1-0.15 s of GIL-bound work) at
    the same time and blow every timeout. Called by OnvifDevice; cheap once done.
    """
    global _preloaded
    if _preloaded:
        return
    lock = _preload_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        if _preloaded:
            return
        for name in _PRELOAD_SERVICES:
            definition = SERVICES[name]
            # No network: setup() only loads the document and builds the zeep clients.
            service = ONVIFService(
                "http://127.0.0.1/",
                None,
                None,
                str(Path(WSDL_DIR) / definition["wsdl"]),
                no_cache=True,
                binding_name=f"{{{definition['ns']}}}{definition['binding']}",
            )
            try:
                await service.setup()
            finally:
                await service.close()
        _preloaded = True


# --- device ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraAddress:
    """Where a camera is and how to log in. Never log the password (``repr`` hides it)."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class DeviceInfo:
    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware_id: str = ""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _device_info(raw: Any) -> DeviceInfo:
    return DeviceInfo(
        manufacturer=_text(getattr(raw, "Manufacturer", None)),
        model=_text(getattr(raw, "Model", None)),
        firmware=_text(getattr(raw, "FirmwareVersion", None)),
        serial=_text(getattr(raw, "SerialNumber", None)),
        hardware_id=_text(getattr(raw, "HardwareId", None)),
    )


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


class OnvifDevice:
    """One camera's ONVIF client: connect once, then snapshots and PTZ on demand.

    Safe to share between the health round, snapshot requests and an ``EventStream``.
    """

    def __init__(self, address: CameraAddress, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout
        self.info: DeviceInfo | None = None
        self._camera: Any = None  # onvif.ONVIFCamera, created on first use
        self._ready = False  # service addresses loaded (update_xaddrs succeeded)
        self._lock = asyncio.Lock()
        self._profile_token: str | None = None

    def __repr__(self) -> str:
        return f"OnvifDevice({self.address})"

    @property
    def connected(self) -> bool:
        return self._ready

    async def _guard(self, awaitable: Awaitable[_T], budget: float | None = None) -> _T:
        """Await one library call under a time budget, with its errors translated."""
        try:
            async with asyncio.timeout(self.timeout if budget is None else budget):
                return await awaitable
        except _LIBRARY_ERRORS as error:
            raise _translate(error) from error

    def _camera_object(self) -> Any:
        if self._camera is None:
            address = self.address
            # adjust_time: duty-room networks are often isolated from NTP, and cameras reject
            # WS-Security tokens stamped too far from their own clock. The library then signs
            # with the camera's time (one unauthenticated GetSystemDateAndTime per connect).
            # no_cache: zeep's SQLite cache only serves remote schema imports, which the bundled
            # WSDL files never make; it would just be a file written under the home directory.
            self._camera = ONVIFCamera(
                address.host,
                address.port,
                address.username,
                address.password,
                WSDL_DIR,
                no_cache=True,
                adjust_time=True,
            )
        return self._camera

    async def _client(self) -> Any:
        """The ``ONVIFCamera`` with its service addresses loaded, connecting if needed."""
        await preload_wsdl()
        async with self._lock:
            camera = self._camera_object()
            if not self._ready:
                await self._guard(camera.update_xaddrs())
                self._ready = True
            return camera

    async def connect(self) -> DeviceInfo:
        """Connect (once) and read manufacturer, model, firmware and serial number."""
        camera = await self._client()
        devicemgmt = await self._guard(camera.create_devicemgmt_service())
        self.info = _device_info(await self._guard(devicemgmt.GetDeviceInformation()))
        return self.info

    async def ping(self) -> float:
        """Round trip in seconds of an unauthenticated GetSystemDateAndTime.

        Cameras answer it without credentials, so it measures reachability and latency only.
        """
        await preload_wsdl()
        # The device service address is fixed (/onvif/device_service): no discovery needed.
        devicemgmt = await self._guard(self._camera_object().create_devicemgmt_service())
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self._guard(devicemgmt.authless_GetSystemDateAndTime())
        return loop.time() - started

    async def _first_profile(self) -> str:
        if self._profile_token is None:
            camera = await self._client()
            media = await self._guard(camera.create_media_service())
            profiles = await self._guard(media.GetProfiles())
            if not profiles:
                raise CameraProtocolError("camera has no media profiles")
            self._profile_token = _text(profiles[0].token)
        return self._profile_token

    async def snapshot(self) -> bytes:
        """A JPEG from the first profile's snapshot URI (fetched with HTTP Digest auth)."""
        camera = await self._client()
        token = await self._first_profile()
        # get_snapshot caches GetSnapshotUri per profile and fetches through the library's
        # own session with DigestAuthMiddleware; its timeout bounds the whole download.
        image = await self._guard(camera.get_snapshot(token, timeout=self.timeout))
        if not image:
            raise CameraProtocolError("camera returned no snapshot")
        return bytes(image)

    async def ptz_position(self) -> tuple[float, float, float] | None:
        """(pan, tilt, zoom) in the generic spaces, or None when the camera has no PTZ."""
        camera = await self._client()
        if not any("ver20/ptz" in namespace for namespace in camera.xaddrs):
            return None
        token = await self._first_profile()
        ptz = await self._guard(camera.create_ptz_service())
        status = await self._guard(ptz.GetStatus({"ProfileToken": token}))
        position = getattr(status, "Position", None)
        if position is None:
            return None
        pan_tilt = getattr(position, "PanTilt", None)
        zoom = getattr(position, "Zoom", None)
        pan = _float(getattr(pan_tilt, "x", None))
        tilt = _float(getattr(pan_tilt, "y", None))
        if pan is None or tilt is None:
            return None
        return pan, tilt, _float(getattr(zoom, "x", None)) or 0.0

    async def close(self) -> None:
        """Close the library's HTTP sessions. The device may connect again afterwards."""
        async with self._lock:
            camera, self._camera = self._camera, None
            self._ready = False
            self._profile_token = None
        if camera is not None:
            with contextlib.suppress(*_LIBRARY_ERRORS):
                await camera.close()


# --- events ------------------------------------------------------------------------------------


EventCallback = Callable[[RawEvent], Awaitable[None]]


class StreamState(enum.StrEnum):
    CONNECTING = "connecting"
    STREAMING = "streaming"
    BACKOFF = "backoff"
    STOPPED = "stopped"


def normalise_topic(topic: str) -> str:
    """Trim what cameras add around a topic (whitespace, trailing ``/`` or ``.``)."""
    return topic.strip().rstrip("/.").strip()


def _canonical_prefixes(topic: str, nsmap: Mapping[str | None, str]) -> str:
    """Rewrite whatever prefix a camera bound to the ONVIF topic namespace to ``tns1``."""
    parts = []
    for segment in topic.strip().split("/"):
        prefix, colon, name = segment.rpartition(":")
        if colon and prefix != "tns1" and nsmap.get(prefix) == _ONVIF_TOPICS_NS:
            segment = f"tns1:{name}"
        parts.append(segment)
    return "/".join(parts)


def _normalise_topic_elements(envelope: Any) -> None:
    # The prefix-to-namespace binding is only visible in the XML tree; zeep hands the topic
    # over as bare text, so rewrite it in place before zeep parses the reply.
    for element in envelope.iter(_WSNT_TOPIC):
        if element.text:
            element.text = _canonical_prefixes(element.text, element.nsmap)


class _TopicPrefixPlugin(Plugin):
    """zeep ingress hook applying ``_normalise_topic_elements`` to PullMessages replies."""

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        _normalise_topic_elements(envelope)
        return envelope, http_headers


def _add_topic_plugin(pullpoint: Any) -> None:
    plugins = pullpoint.zeep_client.plugins
    if not any(isinstance(plugin, _TopicPrefixPlugin) for plugin in plugins):
        plugins.append(_TopicPrefixPlugin())


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _items_from_zeep(holder: Any) -> dict[str, str]:
    items = getattr(holder, "SimpleItem", None) or []
    return {_text(item.Name): _text(item.Value) for item in items if item.Name is not None}


def _items_from_element(element: Any, name: str) -> dict[str, str]:
    for child in element:
        if _local(child.tag) == name:
            return {
                str(item.get("Name")): str(item.get("Value", ""))
                for item in child
                if _local(item.tag) == "SimpleItem" and item.get("Name") is not None
            }
    return {}


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _raw_event(message: Any) -> RawEvent | None:
    """Convert one parsed wsnt:NotificationMessage; None when it carries no tt:Message."""
    topic = normalise_topic(_text(getattr(getattr(message, "Topic", None), "_value_1", None)))
    payload = getattr(getattr(message, "Message", None), "_value_1", None)
    if not topic or payload is None:
        return None
    if hasattr(payload, "tag"):
        # A message zeep could not bind to tt:Message stays an lxml element.
        return RawEvent(
            topic=topic,
            utc_time=_utc(payload.get("UtcTime")),
            property_operation=_text(payload.get("PropertyOperation")),
            source=_items_from_element(payload, "Source"),
            data=_items_from_element(payload, "Data"),
        )
    return RawEvent(
        topic=topic,
        utc_time=_utc(getattr(payload, "UtcTime", None)),
        property_operation=_text(getattr(payload, "PropertyOperation", None)),
        source=_items_from_zeep(getattr(payload, "Source", None)),
        data=_items_from_zeep(getattr(payload, "Data", None)),
    )


def _raw_events(result: Any) -> Iterator[RawEvent]:
    for message in getattr(result, "NotificationMessage", None) or []:
        event = _raw_event(message)
        if event is not None:
            yield event


class _Resubscribe(Exception):
    """The camera no longer knows our subscription (reboot, expiry): make a new one now."""


class SubscriptionRefused(CameraProtocolError):
    """The camera answered but made no subscription (all its places taken, most often)."""


class EventsFault(enum.StrEnum):
    """Why a camera's events are not reaching the desk, though the camera answers."""

    REFUSED = "refused"  # it refuses to subscribe us
    FAILING = "failing"  # its event service keeps failing


SubscriptionKind = Literal["pullpoint", "notify"]
# Port types under which onvif-zeep-async files each kind's subscription manager address.
_PORT_TYPE: Final[dict[SubscriptionKind, str]] = {
    "pullpoint": "PullPointSubscription",
    "notify": "NotificationConsumer",
}


@dataclass
class _SubscriptionRef:
    kind: SubscriptionKind
    address: str
    expires_at: float  # loop time, by the camera's own reckoning of the granted lifetime


@dataclass(frozen=True)
class StoredSubscription:
    """A subscription an earlier run of the bot made on the camera and recorded."""

    kind: SubscriptionKind
    address: str
    seconds_left: float  # until the camera drops it unless renewed (may be negative)
    made_by: str  # which process and run made it, for the log


class SubscriptionMemory(Protocol):
    """Where a stream keeps its subscription's reference beyond the life of the process.

    ONVIF has no call that lists a camera's subscriptions: a reference lost with a crashed
    process keeps one of the camera's few places taken until it expires.
    """

    def recall(self) -> StoredSubscription | None:
        """The subscription recorded for this camera, if any."""

    def remember(self, kind: SubscriptionKind, address: str, seconds_left: float) -> None:
        """Record the live subscription (made or renewed)."""

    def forget(self) -> None:
        """Drop the record: the subscription is ended."""


EventsCallback = Callable[[EventsFault | None], None]
Sleep = Callable[[float], Awaitable[None]]


class EventStream:
    """Keeps one event subscription on a camera and hands every notification to a callback.

    PullPoint by default. With ``notify_url`` the camera is asked to POST notifications there
    (base notification) and whoever receives them passes the body to ``handle_notify``; if the
    camera refuses Subscribe the stream falls back to PullPoint. Before any new subscription
    the previous one is unsubscribed, so subscriptions never pile up on the camera.

    With a ``memory`` the subscription outlives the process: at start the one an earlier run
    recorded is renewed and taken up, or unsubscribed if the camera will not renew it. A camera
    that answers but gives no working subscription is reported to ``on_events`` (and working
    again with None); ``sleep`` waits out the backoff between attempts.
    """

    def __init__(
        self,
        device: OnvifDevice,
        callback: EventCallback,
        *,
        notify_url: str | None = None,
        subscription_seconds: float = SUBSCRIPTION_SECONDS,
        pull_timeout: float = PULL_TIMEOUT_SECONDS,
        message_limit: int = PULL_MESSAGE_LIMIT,
        backoff_initial: float = BACKOFF_INITIAL_SECONDS,
        backoff_max: float = BACKOFF_MAX_SECONDS,
        memory: SubscriptionMemory | None = None,
        on_events: EventsCallback | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.device = device
        self._callback = callback
        self._notify_url = notify_url
        self._lifetime = timedelta(seconds=subscription_seconds)
        self._pull_timeout = pull_timeout
        self._message_limit = message_limit
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._memory = memory
        self._recalled: StoredSubscription | None = None
        self._on_events = on_events
        self._sleep = sleep
        self._failures = 0  # answered attempts in a row that gave no working subscription
        self.events_fault: EventsFault | None = None
        self._events_working: bool | None = None  # as last reported; None: not yet known
        self._state = StreamState.STOPPED
        self._task: asyncio.Task[None] | None = None
        self._current: _SubscriptionRef | None = None
        self._stale: _SubscriptionRef | None = None
        self._subscription: Any = None  # SubscriptionManager service (Renew / Unsubscribe)
        self._pullpoint: Any = None  # PullPointSubscription service (PullMessages)
        self._notify_operation: Any = None  # PullMessages operation, to parse Notify bodies
        self._renew_at = 0.0
        self._notify_refused = False
        self._proven = False  # the current subscription has answered a PullMessages or Renew
        self._streamed = False  # some subscription was proven since the last backoff
        self.mode: SubscriptionKind | None = None
        self.last_error: str | None = None
        self.subscriptions_made = 0

    @property
    def state(self) -> StreamState:
        return self._state

    def _set_state(self, state: StreamState) -> None:
        if state != self._state:
            logger.debug(
                "Camera %s: event stream %s -> %s", self.device.address, self._state, state
            )
            self._state = state

    async def start(self) -> None:
        """Start the background task (returns at once; connection happens in the task)."""
        if self._task is not None and not self._task.done():
            return
        self._set_state(StreamState.CONNECTING)
        if self._memory is not None:
            self._recalled = self._memory.recall()
        self._task = asyncio.create_task(self._run(), name=f"onvif-events-{self.device.address}")

    async def stop(self) -> None:
        """Stop pulling and unsubscribe (best effort)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_state(StreamState.STOPPED)
        self._retire_current()
        if self._stale is not None:
            with contextlib.suppress(CameraError, TimeoutError):
                async with asyncio.timeout(_UNSUBSCRIBE_TIMEOUT):
                    await self._unsubscribe_stale()
        if self._stale is None and self._recalled is None and self._memory is not None:
            # Ended on the camera (or expired): nothing for the next start to clean up. If the
            # camera could not be reached, the record stays for the next start to try again.
            self._memory.forget()
        self._stale = None

    # --- the loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._backoff_initial
        while True:
            self._set_state(StreamState.CONNECTING)
            self._streamed = False
            error = await self._connect_and_stream()
            if self._streamed:
                delay = self._backoff_initial  # it worked for a while: start over at 1 s
            self._set_state(StreamState.BACKOFF)
            wait = delay * random.uniform(0.8, 1.0)  # jitter: 200 cameras recovering at once
            first = self.last_error is None
            self.last_error = str(error) or error.__class__.__name__
            if not self._judge(error, wait):
                logger.log(
                    logging.INFO if first else logging.DEBUG,
                    "Camera %s: event stream interrupted (%s); retrying in %.1f s",
                    self.device.address,
                    self.last_error,
                    wait,
                )
            await self._sleep(wait)
            delay = min(delay * 2, self._backoff_max)

    def _judge(self, error: Exception, wait: float) -> bool:
        """Count a failed attempt; report a fault when the camera's events are failing.

        Returns whether it logged the failure. A camera that does not answer, or refuses the
        credentials, is the health round's to report; only failures the camera answered are
        the event service's own.
        """
        if isinstance(error, CameraUnreachable | CameraAuthError):
            return False
        self._failures += 1
        if isinstance(error, SubscriptionRefused):
            fault = EventsFault.REFUSED
        elif self._failures >= FAILURES_BEFORE_FAULT:
            fault = EventsFault.FAILING
        else:
            return False
        if fault == self.events_fault:
            logger.debug(
                "Camera %s: still no event subscription (%s); retrying in %.1f s",
                self.device.address,
                self.last_error,
                wait,
            )
            return True
        self.events_fault = fault
        logger.warning(
            "Camera %s: no event subscription (%s); its events are lost until one is made; "
            "retrying in %.1f s",
            self.device.address,
            self.last_error,
            wait,
        )
        self._report(working=False)
        return True

    def _working(self) -> None:
        """The current subscription answered: events flow. Reported once per change."""
        self._failures = 0
        if self.events_fault is not None:
            logger.info("Camera %s: events are flowing again", self.device.address)
        self.events_fault = None
        self._report(working=True)

    def _report(self, *, working: bool) -> None:
        if self._events_working is working or self._on_events is None:
            self._events_working = working
            return
        self._events_working = working
        try:
            self._on_events(None if working else self.events_fault)
        except Exception:
            # Whoever records the fault must not cost the camera its event stream.
            logger.exception("Camera %s: events report failed", self.device.address)

    async def _connect_and_stream(self) -> Exception:
        """Subscribe and pump until something fails; returns the failure to back off on."""
        address = self.device.address
        while True:
            try:
                if not await self._take_up_recalled():
                    await self._unsubscribe_stale()
                    await self._subscribe()
                if self.last_error is not None:
                    logger.info("Camera %s: event stream restored", address)
                    self.last_error = None
                self._set_state(StreamState.STREAMING)
                await self._pump()  # returns only by raising
            except _Resubscribe as reason:
                self._retire_current()
                if not self._proven:
                    # Refused right from the start: back off instead of spinning.
                    return CameraProtocolError(str(reason))
                # The camera forgot a working subscription (reboot, expiry): a fresh one now.
                logger.debug("Camera %s: resubscribing (%s)", address, reason)
                self._proven = False
            except CameraError as error:
                self._retire_current()
                return error
            except Exception as error:
                # Not routine: a response this code cannot handle. Keep the stream alive.
                logger.warning("Camera %s: event stream failed", address, exc_info=True)
                self._retire_current()
                return error

    async def _take_up_recalled(self) -> bool:
        """Renew and take up the subscription an earlier run recorded; False if not taken up.

        One that cannot be taken up becomes the stale subscription, unsubscribed (best effort)
        before a new one is made. Only a pull point is taken up: it has kept the events the
        camera raised while no process pulled, and it needs no consumer address to be right.
        """
        recalled, self._recalled = self._recalled, None
        if recalled is None:
            return False
        loop = asyncio.get_running_loop()
        lifetime = self._lifetime.total_seconds()
        expires_at = loop.time() + min(recalled.seconds_left, lifetime)
        # Stale until taken up, so that a stop or a failure from here on still ends it.
        ref = self._stale = _SubscriptionRef(recalled.kind, recalled.address, expires_at)
        if recalled.kind != "pullpoint" or self._notify_url:
            return False
        camera = await self.device._client()
        guard = self.device._guard
        port_type = _PORT_TYPE["pullpoint"]
        camera.xaddrs[f"{_EVENTS_NS}/{port_type}"] = recalled.address
        started = loop.time()
        try:
            subscription = await guard(camera.create_subscription_service(port_type))
            result = await guard(
                subscription.Renew(camera.get_next_termination_time(self._lifetime))
            )
        except CameraError as error:
            logger.info(
                "Camera %s: the event subscription made by %s cannot be taken up (%s); "
                "ending it before subscribing again",
                self.device.address,
                recalled.made_by,
                error,
            )
            if not isinstance(error, CameraProtocolError):
                raise  # unreachable: back off, then unsubscribe it and subscribe anew
            return False
        self._current, self._stale = ref, None
        self._subscription = subscription
        self.mode = "pullpoint"
        self._schedule_renewal(result, started)
        self._pullpoint = await guard(camera.create_pullpoint_service())
        _add_topic_plugin(self._pullpoint)
        self._proven = self._streamed = True
        logger.info(
            "Camera %s: took up the event subscription made by %s",
            self.device.address,
            recalled.made_by,
        )
        self._remember()
        self._working()
        return True

    def _remember(self) -> None:
        current = self._current
        if self._memory is not None and current is not None:
            left = current.expires_at - asyncio.get_running_loop().time()
            self._memory.remember(current.kind, current.address, left)

    def _retire_current(self) -> None:
        """Remember the current subscription so it is unsubscribed before the next one."""
        if self._current is not None:
            self._stale = self._current
        self._current = None
        self._subscription = None
        self._pullpoint = None
        self._notify_operation = None

    async def _unsubscribe_stale(self) -> None:
        stale = self._stale
        if stale is None:
            return
        if asyncio.get_running_loop().time() >= stale.expires_at:
            self._stale = None  # the camera has dropped it by now
            return
        camera = await self.device._client()
        port_type = _PORT_TYPE[stale.kind]
        camera.xaddrs[f"{_EVENTS_NS}/{port_type}"] = stale.address
        guard = self.device._guard
        try:
            service = await guard(camera.create_subscription_service(port_type))
            await guard(service.Unsubscribe(), _UNSUBSCRIBE_TIMEOUT)
        except CameraProtocolError as error:
            logger.debug(
                "Camera %s: old subscription already gone (%s)", self.device.address, error
            )
        self._stale = None

    async def _subscribe(self) -> None:
        camera = await self.device._client()
        if self._notify_url and not self._notify_refused:
            try:
                await self._subscribe_notify(camera, self._notify_url)
                return
            except CameraProtocolError as error:
                # Refused (not unreachable): this camera will not push; PullPoint from now on.
                self._notify_refused = True
                logger.info(
                    "Camera %s: base notification refused (%s); using PullPoint",
                    self.device.address,
                    error,
                )
                self._retire_current()
                await self._unsubscribe_stale()
        await self._subscribe_pullpoint(camera)

    async def _finish_subscription(
        self, camera: Any, kind: SubscriptionKind, result: Any, started: float
    ) -> None:
        guard = self.device._guard
        reference = getattr(getattr(result, "SubscriptionReference", None), "Address", None)
        address = camera.rewrite_url(normalize_url(_text(getattr(reference, "_value_1", None))))
        if not address:
            raise CameraProtocolError("subscription without an address")
        port_type = _PORT_TYPE[kind]
        camera.xaddrs[f"{_EVENTS_NS}/{port_type}"] = address
        self._current = _SubscriptionRef(kind, address, started + self._lifetime.total_seconds())
        self._proven = False
        self.subscriptions_made += 1
        self.mode = kind
        self._subscription = await guard(camera.create_subscription_service(port_type))
        current = getattr(result, "CurrentTime", None)
        termination = getattr(result, "TerminationTime", None)
        if camera.has_broken_relative_time(self._lifetime, current, termination):
            # Some firmwares mangle relative termination times; the library then switches to
            # absolute ones, which we confirm with an immediate Renew.
            result = await guard(
                self._subscription.Renew(camera.get_next_termination_time(self._lifetime))
            )
        self._schedule_renewal(result, started)
        self._remember()

    async def _subscribe_pullpoint(self, camera: Any) -> None:
        guard = self.device._guard
        events = await guard(camera.create_events_service())
        started = asyncio.get_running_loop().time()
        try:
            result = await guard(
                events.CreatePullPointSubscription(
                    {"InitialTerminationTime": camera.get_next_termination_time(self._lifetime)}
                )
            )
        except CameraAuthError:
            raise
        except CameraProtocolError as error:
            # SubscribeCreationFailedFault or a vendor's own: no events until it changes its mind.
            raise SubscriptionRefused(f"subscription refused: {error}") from error
        await self._finish_subscription(camera, "pullpoint", result, started)
        pullpoint = await guard(camera.create_pullpoint_service())
        _add_topic_plugin(pullpoint)
        self._pullpoint = pullpoint

    async def _subscribe_notify(self, camera: Any, url: str) -> None:
        guard = self.device._guard
        service = await guard(camera.create_notification_service())
        started = asyncio.get_running_loop().time()
        result = await guard(
            service.Subscribe(
                {
                    "InitialTerminationTime": camera.get_next_termination_time(self._lifetime),
                    "ConsumerReference": {"Address": url},
                }
            )
        )
        await self._finish_subscription(camera, "notify", result, started)
        # Notify bodies are parsed with the PullMessages reply schema (same message layout),
        # as onvif-zeep-async's NotificationManager does.
        self._notify_operation = service.document.bindings[_PULLPOINT_BINDING].get("PullMessages")

    def _schedule_renewal(self, result: Any, started: float) -> None:
        current = getattr(result, "CurrentTime", None)
        termination = getattr(result, "TerminationTime", None)
        if isinstance(current, datetime) and isinstance(termination, datetime):
            # The camera's own clock on both ends, so clock skew does not matter.
            granted = (termination - current).total_seconds()
        else:
            granted = self._lifetime.total_seconds()
        granted = max(granted, 1.0)
        if self._current is not None:
            self._current.expires_at = started + granted
        self._renew_at = started + granted * _RENEW_FRACTION

    async def _renew(self) -> None:
        camera = await self.device._client()
        started = asyncio.get_running_loop().time()
        try:
            result = await self.device._guard(
                self._subscription.Renew(camera.get_next_termination_time(self._lifetime))
            )
        except CameraProtocolError as error:
            raise _Resubscribe(f"Renew refused: {error}") from error
        self._proven = self._streamed = True
        self._schedule_renewal(result, started)
        self._remember()
        self._working()

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            until_renewal = self._renew_at - loop.time()
            if until_renewal <= 0:
                await self._renew()
            elif self._pullpoint is None:  # base notification: nothing to pull
                await asyncio.sleep(until_renewal)
            else:
                # PullMessages timeouts go out in whole seconds (PT0S would spin), so this may
                # overshoot the renewal by under a second; the unused half of the granted
                # lifetime absorbs that.
                await self._pull(max(1.0, min(self._pull_timeout, until_renewal)))

    async def _pull(self, seconds: float) -> None:
        timeout = timedelta(seconds=max(1, int(seconds)))
        request = {"Timeout": timeout, "MessageLimit": self._message_limit}
        try:
            async with asyncio.timeout(timeout.total_seconds() + _PULL_GRACE_SECONDS):
                result = await self._pullpoint.PullMessages(request)
        except Fault as fault:
            if is_auth_error(fault):
                raise CameraAuthError("camera rejected the credentials") from fault
            raise _Resubscribe(stringify_onvif_error(fault)) from fault
        except _LIBRARY_ERRORS as error:
            raise _translate(error) from error
        self._proven = self._streamed = True
        self._working()
        for event in _raw_events(result):
            await self._deliver(event)

    async def _deliver(self, event: RawEvent) -> None:
        try:
            await self._callback(event)
        except Exception:
            # A consumer bug must not cost the camera its event stream.
            logger.exception(
                "Camera %s: event callback failed for %s", self.device.address, event.topic
            )

    async def handle_notify(self, body: bytes) -> int:
        """Process a wsnt:Notify POST body received at ``notify_url``; returns events passed on."""
        operation = self._notify_operation
        if operation is None:
            logger.debug("Camera %s: Notify while not subscribed; ignored", self.device.address)
            return 0
        try:
            envelope = _parse_xml(body, ASYNC_TRANSPORT, settings=DEFAULT_SETTINGS)
            _normalise_topic_elements(envelope)
            result = operation.process_reply(envelope)
        except (ZeepError, ValueError, AttributeError) as error:
            # AttributeError: zeep's recovering parser yields no tree for non-XML bodies.
            logger.info("Camera %s: unreadable Notify ignored: %s", self.device.address, error)
            return 0
        self._working()  # a camera that posts Notify is sending its events
        count = 0
        for event in _raw_events(result):
            await self._deliver(event)
            count += 1
        return count


# zeep annotates ``content`` as str, but bytes is what keeps the XML encoding declaration valid.
_parse_xml: Callable[..., Any] = parse_xml


# --- health ------------------------------------------------------------------------------------


class HealthStatus(enum.StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


class HealthReason(enum.StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH = "auth"
    SLOW = "slow"
    SNAPSHOT = "snapshot"
    PROTOCOL = "protocol"


@dataclass(frozen=True)
class Health:
    status: HealthStatus
    reason: HealthReason | None
    detail: str
    latency: float | None  # seconds for an unauthenticated round trip; None if no answer
    info: DeviceInfo | None = None


async def probe(
    address: CameraAddress,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - one budget for the whole probe
    *,
    slow_after: float = SLOW_AFTER_SECONDS,
    check_snapshot: bool = True,
) -> Health:
    """Check one camera for the health round: reachable, credentials accepted, snapshot works.

    ``timeout`` bounds the whole probe. Down: no answer, or credentials refused. Degraded:
    answered but slower than ``slow_after``, ran out of time after answering, or no snapshot.
    """
    device = OnvifDevice(address, timeout=timeout)
    latency: float | None = None
    info: DeviceInfo | None = None
    snapshot_problem: str | None = None
    try:
        async with asyncio.timeout(timeout):
            latency = await device.ping()
            info = await device.connect()
            if check_snapshot:
                try:
                    await device.snapshot()
                except CameraAuthError:
                    raise
                except CameraError as error:
                    snapshot_problem = str(error)
    except CameraAuthError as error:
        return Health(HealthStatus.DOWN, HealthReason.AUTH, str(error), latency)
    except (TimeoutError, CameraTimeout) as error:
        if latency is None:
            return Health(HealthStatus.DOWN, HealthReason.TIMEOUT, "no answer in time", None)
        detail = f"answered in {latency:.2f} s, then {error or 'timed out'} within {timeout:g} s"
        return Health(HealthStatus.DEGRADED, HealthReason.SLOW, detail, latency, info)
    except CameraUnreachable as error:
        return Health(HealthStatus.DOWN, HealthReason.UNREACHABLE, str(error), latency)
    except CameraError as error:
        return Health(HealthStatus.DOWN, HealthReason.PROTOCOL, str(error), latency)
    finally:
        await device.close()
    if latency > slow_after:
        detail = f"answered in {latency:.2f} s (threshold {slow_after:.2f} s)"
        return Health(HealthStatus.DEGRADED, HealthReason.SLOW, detail, latency, info)
    if snapshot_problem is not None:
        return Health(HealthStatus.DEGRADED, HealthReason.SNAPSHOT, snapshot_problem, latency, info)
    return Health(HealthStatus.UP, None, "ok", latency, info)
