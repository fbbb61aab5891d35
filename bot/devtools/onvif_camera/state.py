"""What a simulated camera is and holds, shared by its ONVIF services and its HTTP server."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import aiohttp
from aiohttp import web

from .events import Subscription
from .snapshot import DigestAuth, FrameSource
from .soap import SoapRequest

Mode = Literal["ok", "offline", "slow", "bad_credentials"]
MODES: frozenset[str] = frozenset({"ok", "offline", "slow", "bad_credentials"})

DEVICE_PATH = "/onvif/device_service"
MEDIA_PATH = "/onvif/media_service"
EVENTS_PATH = "/onvif/event_service"
PTZ_PATH = "/onvif/ptz_service"
SUBSCRIPTION_PATH = "/onvif/Subscription"
SNAPSHOT_PATH = "/onvif/snapshot.jpg"

# Subscriptions a camera keeps at once (PullPoint and base notification together): real cameras
# allow 2-5 and share them with the NVR. Past it a new subscription is refused.
MAX_SUBSCRIPTIONS = 5


@dataclass(frozen=True, slots=True)
class Preset:
    """A PTZ preset position."""

    token: str
    name: str
    pan: float
    tilt: float
    zoom: float


@dataclass(slots=True)
class Context:
    """The request a SOAP operation answers: where the client reached us, and the query."""

    base: str  # http://host:port as the client reached us; XAddrs are built from it
    query: dict[str, str]


PropertyKey = tuple[str, tuple[tuple[str, str], ...]]  # topic and source items
Handler = Callable[[SoapRequest, Context], Awaitable[bytes]]
# The SOAP operations each service path answers, by action name.
Routes = dict[str, dict[str, Handler]]


def utc_now() -> datetime:
    """The real time, in UTC (a camera's clock unless a test gives it another)."""
    return datetime.now(UTC)


class CameraState:
    """The camera's identity, settings and state; each service adds its operations."""

    def __init__(
        self,
        *,
        name: str = "Camera 1",
        username: str = "admin",
        password: str = "secret",
        serial: str = "SIM-0001",
        model: str = "DutyCam 1",
        manufacturer: str = "duty-desk",
        ptz: bool = False,
        image_size: tuple[int, int] = (640, 360),
        firmware: str = "1.4.2 build 240115",
        topic_prefix: str = "tns1",
        max_subscriptions: int = MAX_SUBSCRIPTIONS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`clock` is the camera's own time (tests move it to expire subscriptions)."""
        if max_subscriptions < 1:
            raise ValueError("a camera keeps at least one subscription")
        self.name = name
        self.username = username
        self.password = password
        self.serial = serial
        self.model = model
        self.manufacturer = manufacturer
        self.firmware = firmware
        self.ptz = ptz
        self.image_size = image_size
        self.topic_prefix = topic_prefix
        self.max_subscriptions = max_subscriptions
        self._clock = clock or utc_now
        self.presets: list[Preset] = (
            [Preset("1", "Gate", -0.5, 0.0, 0.0), Preset("2", "Yard", 0.5, -0.2, 0.3)]
            if ptz
            else []
        )
        # Requests served per SOAP action (and "snapshot"), so tests can see what a client did.
        self.requests: Counter[str] = Counter()
        self.subscriptions_created = 0
        # The most subscriptions live at once so far, so a test can see one never piled up.
        self.peak_subscriptions = 0
        self._position = (0.0, 0.0, 0.0)
        self._frames = FrameSource(name, image_size)
        self._digest = DigestAuth(f"{manufacturer} {model}")
        self._subscriptions: dict[int, Subscription] = {}
        self._properties: dict[PropertyKey, tuple[dict[str, str], dict[str, str]]] = {}
        self._mode: Mode = "ok"
        self._delay = 5.0
        self._bind_host = "127.0.0.1"
        self._port = 0
        self._started = False
        self._web_server: web.Server | None = None
        self._server: asyncio.Server | None = None
        self._sock: socket.socket | None = None
        self._serving: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._handlers = self._routes()

    def _routes(self) -> Routes:
        """The operations of every service the camera offers."""
        raise NotImplementedError

    @property
    def host(self) -> str:
        return self._bind_host

    @property
    def port(self) -> int:
        return self._port

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def frame(self) -> int:
        """Frames rendered so far (the number drawn on the latest snapshot)."""
        return self._frames.frame
