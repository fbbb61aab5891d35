"""The simulated ONVIF camera: device, media, events and PTZ services over SOAP 1.2 (aiohttp)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Literal, Self

import aiohttp
from aiohttp import web

from .events import (
    EVENT_PROPERTIES_BODY,
    Subscription,
    default_source,
    render_message,
)
from .snapshot import DigestAuth, FrameSource
from .soap import (
    CONTENT_TYPE,
    NAMESPACES,
    SoapRequest,
    check_username_token,
    child_text,
    envelope,
    fault,
    format_time,
    format_time_ms,
    local_name,
    parse_duration,
    parse_request,
    parse_termination,
    xml_attr,
    xml_text,
)

logger = logging.getLogger(__name__)

Mode = Literal["ok", "offline", "slow", "bad_credentials"]
_MODES: frozenset[str] = frozenset({"ok", "offline", "slow", "bad_credentials"})

DEVICE_PATH = "/onvif/device_service"
MEDIA_PATH = "/onvif/media_service"
EVENTS_PATH = "/onvif/event_service"
PTZ_PATH = "/onvif/ptz_service"
SUBSCRIPTION_PATH = "/onvif/Subscription"
SNAPSHOT_PATH = "/onvif/snapshot.jpg"

# Operations real cameras answer without WS-Security, so clients can sync clocks first.
_AUTHLESS = frozenset({"GetSystemDateAndTime"})
# Without InitialTerminationTime cameras typically keep a subscription for a minute.
_DEFAULT_TERMINATION = timedelta(seconds=60)
# Cameras cap how long one PullMessages may block; clients asking more get this much.
_MAX_PULL_TIMEOUT = timedelta(seconds=120)
# Subscriptions a camera keeps at once (PullPoint and base notification together): real cameras
# allow 2-5 and share them with the NVR. Past it a new subscription is refused.
MAX_SUBSCRIPTIONS = 5
# Real cameras close idle keep-alive connections quickly.
_KEEPALIVE_SECONDS = 10.0
_NOTIFY_TIMEOUT = aiohttp.ClientTimeout(total=5)
_NOTIFY_BATCH = 100
_LOCAL_OFFSET = timedelta(hours=7)  # Vietnam (ICT), what an installer would set

_PAN_TILT_SPACE = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
_ZOOM_SPACE = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace"
_EV = "http://www.onvif.org/ver10/events/wsdl"
_WSN = "http://docs.oasis-open.org/wsn/bw-2"


class _SoapFault(Exception):
    def __init__(self, status: int, code: str, subcodes: tuple[str, ...], reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.subcodes = subcodes
        self.reason = reason

    def response(self) -> web.Response:
        body = fault(self.code, self.subcodes, self.reason)
        return web.Response(body=body, status=self.status, content_type="application/soap+xml")


def _not_authorized() -> _SoapFault:
    return _SoapFault(400, "env:Sender", ("ter:NotAuthorized",), "Sender not Authorized")


def _invalid_arg(reason: str, detail: str = "ter:InvalidArgVal") -> _SoapFault:
    return _SoapFault(400, "env:Sender", ("ter:InvalidArgVal", detail), reason)


@dataclass(frozen=True, slots=True)
class Preset:
    """A PTZ preset position."""

    token: str
    name: str
    pan: float
    tilt: float
    zoom: float


@dataclass(slots=True)
class _Context:
    base: str  # http://host:port as the client reached us; XAddrs are built from it
    query: dict[str, str]


_PropertyKey = tuple[str, tuple[tuple[str, str], ...]]  # topic and source items
_Handler = Callable[[SoapRequest, _Context], Awaitable[bytes]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _soap_response(body: bytes, status: int = 200) -> web.Response:
    response = web.Response(body=body, status=status)
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


class SimulatedCamera:
    """An ONVIF Profile S/T camera on loopback for tests, benchmarks and a sandbox."""

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
        self._clock = clock or _utc_now
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
        self._properties: dict[_PropertyKey, tuple[dict[str, str], dict[str, str]]] = {}
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
        self._handlers: dict[str, dict[str, _Handler]] = {
            DEVICE_PATH: {
                "GetDeviceInformation": self._get_device_information,
                "GetCapabilities": self._get_capabilities,
                "GetServices": self._get_services,
                "GetServiceCapabilities": self._get_device_service_capabilities,
                "GetSystemDateAndTime": self._get_system_date_and_time,
                "GetNetworkInterfaces": self._get_network_interfaces,
                "GetScopes": self._get_scopes,
                "GetHostname": self._get_hostname,
            },
            MEDIA_PATH: {
                "GetProfiles": self._get_profiles,
                "GetSnapshotUri": self._get_snapshot_uri,
                "GetStreamUri": self._get_stream_uri,
            },
            EVENTS_PATH: {
                "GetEventProperties": self._get_event_properties,
                "GetServiceCapabilities": self._get_event_service_capabilities,
                "CreatePullPointSubscription": self._create_pull_point_subscription,
                "Subscribe": self._subscribe,
            },
            SUBSCRIPTION_PATH: {
                "PullMessages": self._pull_messages,
                "Renew": self._renew,
                "Unsubscribe": self._unsubscribe,
                "SetSynchronizationPoint": self._set_synchronization_point,
            },
        }
        if ptz:
            self._handlers[PTZ_PATH] = {
                "GetStatus": self._ptz_get_status,
                "GetPresets": self._ptz_get_presets,
                "GotoPreset": self._ptz_goto_preset,
                "AbsoluteMove": self._ptz_absolute_move,
            }

    # --- lifecycle ---------------------------------------------------------------------------

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

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on host:port (port 0 picks a free port, kept across offline/ok)."""
        if self._started:
            raise RuntimeError("camera already started")
        self._bind_host = host
        self._port = port
        self._web_server = web.Server(
            self._handle,
            handler_cancellation=True,
            access_log=None,
            keepalive_timeout=_KEEPALIVE_SECONDS,
        )
        self._session = aiohttp.ClientSession()
        self._started = True
        if self._mode != "offline":
            self._listen()
            assert self._serving is not None
            await self._serving

    async def stop(self) -> None:
        """Stop serving and drop all subscriptions (like a power-off)."""
        if not self._started:
            return
        self._started = False
        self._close_listener()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        senders = [s.sender for s in self._subscriptions.values() if s.sender is not None]
        for subscription in list(self._subscriptions.values()):
            self._drop(subscription)
        await asyncio.gather(*senders, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _listen(self) -> None:
        # The socket is bound and listening synchronously, so set_mode("ok") can stay a plain
        # method: connections queue in the backlog until the asyncio server picks them up.
        family = socket.AF_INET6 if ":" in self._bind_host else socket.AF_INET
        sock = socket.create_server((self._bind_host, self._port), family=family)
        sock.setblocking(False)
        self._port = sock.getsockname()[1]
        self._sock = sock
        self._serving = asyncio.get_running_loop().create_task(
            self._serve(sock), name=f"onvif-sim-{self._port}"
        )

    async def _serve(self, sock: socket.socket) -> None:
        assert self._web_server is not None
        self._server = await asyncio.get_running_loop().create_server(self._web_server, sock=sock)

    def _close_listener(self) -> None:
        if self._serving is not None and not self._serving.done():
            self._serving.cancel()
        self._serving = None
        if self._server is not None:
            self._server.close()
        elif self._sock is not None:
            self._sock.close()
        self._sock = None
        # Closing the listener alone would leave keep-alive connections (and long polls)
        # working; a camera that dropped off the network resets them.
        if self._web_server is not None:
            for connection in self._web_server.connections:
                if connection.transport is not None:
                    connection.transport.abort()

    def set_mode(self, mode: Mode, *, delay_seconds: float = 5.0) -> None:
        """Switch to ok, offline (refused/reset), slow (answers delayed) or bad_credentials."""
        if mode not in _MODES:
            raise ValueError(f"unknown mode {mode!r}")
        previous, self._mode = self._mode, mode
        self._delay = delay_seconds
        if not self._started:
            return
        if mode == "offline" and previous != "offline":
            self._close_listener()
            self._server = None
        elif mode != "offline" and previous == "offline":
            self._listen()

    # --- PTZ ---------------------------------------------------------------------------------

    def set_position(self, pan: float, tilt: float, zoom: float) -> None:
        self._position = (pan, tilt, zoom)

    @property
    def position(self) -> tuple[float, float, float]:
        return self._position

    # --- events ------------------------------------------------------------------------------

    def emit(
        self,
        topic: str,
        data: dict[str, str],
        *,
        source: dict[str, str] | None = None,
        when: datetime | None = None,
        property_operation: str = "Changed",
    ) -> None:
        """Queue a notification for every live subscription (PullPoint and base Notify)."""
        when = when or self._clock()
        source = default_source(topic) if source is None else source
        if property_operation in {"Changed", "Initialized"}:
            # Remember property state so new subscriptions start with an Initialized snapshot.
            key = (topic, tuple(sorted(source.items())))
            self._properties[key] = (dict(data), dict(source))
        elif property_operation == "Deleted":
            self._properties.pop((topic, tuple(sorted(source.items()))), None)
        message = render_message(topic, data, source, when, property_operation, self.topic_prefix)
        for subscription in self._live():
            subscription.push(message)

    def live_subscriptions(self) -> int:
        """Subscriptions (of both kinds) not yet unsubscribed or expired."""
        return len(self._live())

    def _live(self) -> list[Subscription]:
        now = self._clock()
        live = []
        for subscription in list(self._subscriptions.values()):
            if subscription.terminates_at <= now:
                self._drop(subscription)
            else:
                live.append(subscription)
        return live

    def _drop(self, subscription: Subscription) -> None:
        self._subscriptions.pop(subscription.idx, None)
        if subscription.sender is not None:
            subscription.sender.cancel()
        subscription.wakeup.set()  # release a blocked PullMessages

    def _initial_messages(self) -> list[str]:
        now = self._clock()
        return [
            render_message(topic, data, source, now, "Initialized", self.topic_prefix)
            for (topic, _), (data, source) in self._properties.items()
        ]

    # --- HTTP dispatch -----------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if self._mode == "slow":
            await asyncio.sleep(self._delay)
        if request.path == SNAPSHOT_PATH:
            if request.method != "GET":
                return web.Response(status=405)
            return self._snapshot(request)
        handlers = self._handlers.get(request.path)
        if handlers is None:
            return web.Response(status=404)
        if request.method != "POST":
            return web.Response(status=405)
        soap = parse_request(await request.read())
        if soap is None:
            return _SoapFault(400, "env:Sender", ("ter:WellFormed",), "Malformed SOAP").response()
        self.requests[soap.action] += 1
        try:
            handler = handlers.get(soap.action)
            if handler is None:
                raise _SoapFault(
                    400, "env:Receiver", ("ter:ActionNotSupported",), f"{soap.action} unsupported"
                )
            if soap.action not in _AUTHLESS and not self._authorised(soap):
                raise _not_authorized()
            context = _Context(f"http://{request.host}", dict(request.query))
            return _soap_response(await handler(soap, context))
        except _SoapFault as error:
            return error.response()

    def _authorised(self, soap: SoapRequest) -> bool:
        if self._mode == "bad_credentials":
            return False
        return check_username_token(soap.header, self.username, self.password)

    def _snapshot(self, request: web.BaseRequest) -> web.Response:
        authorised, stale = self._digest.check(
            request.headers.get("Authorization"),
            request.method,
            request.raw_path,
            self.username,
            self.password,
        )
        if not authorised or self._mode == "bad_credentials":
            return web.Response(
                status=401,
                headers={"WWW-Authenticate": self._digest.challenge(stale=stale)},
                text="401 Unauthorized",
            )
        if request.query.get("profile") not in {"profile_1", "profile_2"}:
            return web.Response(status=404)
        self.requests["snapshot"] += 1
        return web.Response(body=self._frames.jpeg(), content_type="image/jpeg")

    # --- device service ----------------------------------------------------------------------

    async def _get_device_information(self, soap: SoapRequest, ctx: _Context) -> bytes:
        return envelope(
            "<tds:GetDeviceInformationResponse>"
            f"<tds:Manufacturer>{xml_text(self.manufacturer)}</tds:Manufacturer>"
            f"<tds:Model>{xml_text(self.model)}</tds:Model>"
            f"<tds:FirmwareVersion>{xml_text(self.firmware)}</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{xml_text(self.serial)}</tds:SerialNumber>"
            f"<tds:HardwareId>{xml_text(self.model.replace(' ', '-'))}-HW</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )

    async def _get_capabilities(self, soap: SoapRequest, ctx: _Context) -> bytes:
        ptz = f"<tt:PTZ><tt:XAddr>{ctx.base}{PTZ_PATH}</tt:XAddr></tt:PTZ>" if self.ptz else ""
        return envelope(
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{ctx.base}{DEVICE_PATH}</tt:XAddr>"
            "<tt:Network><tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false"
            "</tt:ZeroConfiguration><tt:IPVersion6>false</tt:IPVersion6><tt:DynDNS>false"
            "</tt:DynDNS></tt:Network>"
            "<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true"
            "</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>"
            "false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging>"
            "<tt:FirmwareUpgrade>false</tt:FirmwareUpgrade><tt:SupportedVersions><tt:Major>2"
            "</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>"
            "<tt:Security><tt:TLS1.1>false</tt:TLS1.1><tt:TLS1.2>false</tt:TLS1.2>"
            "<tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration><tt:AccessPolicyConfig>"
            "false</tt:AccessPolicyConfig><tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>"
            "false</tt:SAMLToken><tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false"
            "</tt:RELToken></tt:Security></tt:Device>"
            f"<tt:Events><tt:XAddr>{ctx.base}{EVENTS_PATH}</tt:XAddr>"
            "<tt:WSSubscriptionPolicySupport>true</tt:WSSubscriptionPolicySupport>"
            "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
            "<tt:WSPausableSubscriptionManagerInterfaceSupport>false"
            "</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>"
            f"<tt:Media><tt:XAddr>{ctx.base}{MEDIA_PATH}</tt:XAddr><tt:StreamingCapabilities>"
            "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
            "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
            f"{ptz}</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    async def _get_services(self, soap: SoapRequest, ctx: _Context) -> bytes:
        services = [
            (NAMESPACES["tds"], DEVICE_PATH, 2, 60),
            (NAMESPACES["trt"], MEDIA_PATH, 2, 60),
            (NAMESPACES["tev"], EVENTS_PATH, 2, 60),
        ]
        if self.ptz:
            services.append((NAMESPACES["tptz"], PTZ_PATH, 2, 60))
        body = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace>"
            f"<tds:XAddr>{ctx.base}{path}</tds:XAddr>"
            f"<tds:Version><tt:Major>{major}</tt:Major><tt:Minor>{minor}</tt:Minor></tds:Version>"
            "</tds:Service>"
            for ns, path, major, minor in services
        )
        return envelope(f"<tds:GetServicesResponse>{body}</tds:GetServicesResponse>")

    async def _get_device_service_capabilities(self, soap: SoapRequest, ctx: _Context) -> bytes:
        return envelope(
            "<tds:GetServiceCapabilitiesResponse><tds:Capabilities>"
            '<tds:Network IPFilter="false" ZeroConfiguration="false" IPVersion6="false" '
            'DynDNS="false" NTP="1"/>'
            '<tds:Security UsernameToken="true" HttpDigest="true"/>'
            '<tds:System DiscoveryResolve="false" DiscoveryBye="true" RemoteDiscovery="false" '
            'SystemBackup="false" SystemLogging="false" FirmwareUpgrade="false"/>'
            "</tds:Capabilities></tds:GetServiceCapabilitiesResponse>"
        )

    async def _get_system_date_and_time(self, soap: SoapRequest, ctx: _Context) -> bytes:
        utc = self._clock()
        local = utc + _LOCAL_OFFSET

        def stamp(moment: datetime) -> str:
            return (
                f"<tt:Time><tt:Hour>{moment.hour}</tt:Hour><tt:Minute>{moment.minute}</tt:Minute>"
                f"<tt:Second>{moment.second}</tt:Second></tt:Time>"
                f"<tt:Date><tt:Year>{moment.year}</tt:Year><tt:Month>{moment.month}</tt:Month>"
                f"<tt:Day>{moment.day}</tt:Day></tt:Date>"
            )

        return envelope(
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>ICT-7</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime>{stamp(utc)}</tt:UTCDateTime>"
            f"<tt:LocalDateTime>{stamp(local)}</tt:LocalDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    async def _get_network_interfaces(self, soap: SoapRequest, ctx: _Context) -> bytes:
        digest = hashlib.sha1(self.serial.encode()).hexdigest()
        mac = "02:" + ":".join(digest[i : i + 2] for i in range(0, 10, 2))
        host = ctx.base.removeprefix("http://").rsplit(":", 1)[0]
        return envelope(
            '<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token="eth0">'
            "<tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name>"
            f"<tt:HwAddress>{mac}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>"
            "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual>"
            f"<tt:Address>{xml_text(host)}</tt:Address><tt:PrefixLength>24</tt:PrefixLength>"
            "</tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>"
            "</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>"
        )

    async def _get_scopes(self, soap: SoapRequest, ctx: _Context) -> bytes:
        scopes = [
            ("Fixed", "onvif://www.onvif.org/Profile/Streaming"),
            ("Fixed", "onvif://www.onvif.org/Profile/T"),
            ("Fixed", "onvif://www.onvif.org/type/video_encoder"),
            ("Fixed", f"onvif://www.onvif.org/hardware/{self.model.replace(' ', '_')}"),
            ("Configurable", f"onvif://www.onvif.org/name/{self.name.replace(' ', '_')}"),
            ("Configurable", "onvif://www.onvif.org/location/country/vietnam"),
        ]
        body = "".join(
            f"<tds:Scopes><tt:ScopeDef>{kind}</tt:ScopeDef>"
            f"<tt:ScopeItem>{xml_text(item)}</tt:ScopeItem></tds:Scopes>"
            for kind, item in scopes
        )
        return envelope(f"<tds:GetScopesResponse>{body}</tds:GetScopesResponse>")

    async def _get_hostname(self, soap: SoapRequest, ctx: _Context) -> bytes:
        hostname = xml_text(self.serial.lower())
        return envelope(
            "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
            f"<tt:Name>{hostname}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>"
        )

    # --- media service -----------------------------------------------------------------------

    def _profile(self, token: str, name: str, size: tuple[int, int], encoder: int) -> str:
        width, height = size
        full_w, full_h = self.image_size
        ptz = (
            '<tt:PTZConfiguration token="PTZConfig_1"><tt:Name>PTZ</tt:Name>'
            "<tt:UseCount>2</tt:UseCount><tt:NodeToken>PTZNode_1</tt:NodeToken>"
            f"<tt:DefaultAbsolutePantTiltPositionSpace>{_PAN_TILT_SPACE}"
            "</tt:DefaultAbsolutePantTiltPositionSpace>"
            f"<tt:DefaultAbsoluteZoomPositionSpace>{_ZOOM_SPACE}"
            "</tt:DefaultAbsoluteZoomPositionSpace></tt:PTZConfiguration>"
            if self.ptz
            else ""
        )
        return (
            f'<trt:Profiles token="{token}" fixed="true"><tt:Name>{name}</tt:Name>'
            '<tt:VideoSourceConfiguration token="VideoSourceConfig_1">'
            "<tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>2</tt:UseCount>"
            "<tt:SourceToken>VideoSource_1</tt:SourceToken>"
            f'<tt:Bounds x="0" y="0" width="{full_w}" height="{full_h}"/>'
            "</tt:VideoSourceConfiguration>"
            f'<tt:VideoEncoderConfiguration token="VideoEncoder_{encoder}">'
            f"<tt:Name>VideoEncoder_{encoder}</tt:Name><tt:UseCount>1</tt:UseCount>"
            "<tt:Encoding>H264</tt:Encoding>"
            f"<tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height>"
            "</tt:Resolution><tt:Quality>5</tt:Quality>"
            "<tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit>"
            "<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>2048</tt:BitrateLimit>"
            "</tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength>"
            "<tt:H264Profile>Main</tt:H264Profile></tt:H264>"
            "<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type>"
            "<tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port>"
            "<tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
            "<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>"
            f"{ptz}</trt:Profiles>"
        )

    async def _get_profiles(self, soap: SoapRequest, ctx: _Context) -> bytes:
        width, height = self.image_size
        profiles = self._profile("profile_1", "MainStream", (width, height), 1) + self._profile(
            "profile_2", "SubStream", (width // 2, height // 2), 2
        )
        return envelope(f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>")

    @staticmethod
    def _profile_token(soap: SoapRequest) -> str:
        token = child_text(soap.element, "ProfileToken")
        if token not in {"profile_1", "profile_2"}:
            raise _invalid_arg("Profile token does not exist", "ter:NoProfile")
        return token

    async def _get_snapshot_uri(self, soap: SoapRequest, ctx: _Context) -> bytes:
        token = self._profile_token(soap)
        return envelope(
            "<trt:GetSnapshotUriResponse><trt:MediaUri>"
            f"<tt:Uri>{ctx.base}{SNAPSHOT_PATH}?profile={token}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
            "</trt:MediaUri></trt:GetSnapshotUriResponse>"
        )

    async def _get_stream_uri(self, soap: SoapRequest, ctx: _Context) -> bytes:
        token = self._profile_token(soap)
        host = ctx.base.removeprefix("http://").rsplit(":", 1)[0]
        channel = "101" if token == "profile_1" else "102"
        return envelope(
            "<trt:GetStreamUriResponse><trt:MediaUri>"
            f"<tt:Uri>rtsp://{host}:554/Streaming/Channels/{channel}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout>"
            "</trt:MediaUri></trt:GetStreamUriResponse>"
        )

    # --- events service ----------------------------------------------------------------------

    async def _get_event_properties(self, soap: SoapRequest, ctx: _Context) -> bytes:
        return envelope(
            EVENT_PROPERTIES_BODY,
            action=f"{_EV}/EventPortType/GetEventPropertiesResponse",
        )

    async def _get_event_service_capabilities(self, soap: SoapRequest, ctx: _Context) -> bytes:
        return envelope(
            "<tev:GetServiceCapabilitiesResponse>"
            '<tev:Capabilities WSSubscriptionPolicySupport="true" WSPullPointSupport="true" '
            'WSPausableSubscriptionManagerInterfaceSupport="false" MaxNotificationProducers="'
            f'{self.max_subscriptions}" MaxPullPoints="{self.max_subscriptions}" '
            'PersistentNotificationStorage="false"/></tev:GetServiceCapabilitiesResponse>',
            action=f"{_EV}/EventPortType/GetServiceCapabilitiesResponse",
        )

    def _new_subscription(
        self, soap: SoapRequest, kind: Literal["pullpoint", "notify"], consumer: str | None
    ) -> Subscription:
        now = self._clock()
        requested = child_text(soap.element, "InitialTerminationTime")
        terminates_at = parse_termination(requested, now, _DEFAULT_TERMINATION)
        if terminates_at is None:
            raise _invalid_arg("Invalid InitialTerminationTime")
        if terminates_at <= now:
            raise _SoapFault(
                400,
                "env:Sender",
                ("wsntw:UnacceptableInitialTerminationTimeFault",),
                "InitialTerminationTime is in the past",
            )
        live = len(self._live())
        if live >= self.max_subscriptions:
            # WS-BaseNotification's fault for a subscription the producer cannot create; the
            # ONVIF core spec names no other for CreatePullPointSubscription.
            raise _SoapFault(
                400,
                "env:Receiver",
                ("wsntw:SubscribeCreationFailedFault",),
                "Maximum number of subscriptions reached",
            )
        subscription = Subscription(kind, terminates_at, consumer)
        self._subscriptions[subscription.idx] = subscription
        self.subscriptions_created += 1
        self.peak_subscriptions = max(self.peak_subscriptions, live + 1)
        for message in self._initial_messages():
            subscription.push(message)
        return subscription

    def _reference(self, ctx: _Context, subscription: Subscription) -> str:
        return f"{ctx.base}{SUBSCRIPTION_PATH}?Idx={subscription.idx}"

    async def _create_pull_point_subscription(self, soap: SoapRequest, ctx: _Context) -> bytes:
        subscription = self._new_subscription(soap, "pullpoint", None)
        return envelope(
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
            f"<wsa:Address>{self._reference(ctx, subscription)}</wsa:Address>"
            "</tev:SubscriptionReference>"
            f"<wsnt:CurrentTime>{format_time_ms(self._clock())}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{format_time_ms(subscription.terminates_at)}"
            "</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>",
            action=f"{_EV}/EventPortType/CreatePullPointSubscriptionResponse",
        )

    async def _subscribe(self, soap: SoapRequest, ctx: _Context) -> bytes:
        consumer_el = next(
            (el for el in soap.element if local_name(el.tag) == "ConsumerReference"), None
        )
        consumer = child_text(consumer_el, "Address") if consumer_el is not None else None
        if not consumer or not consumer.startswith(("http://", "https://")):
            raise _invalid_arg("ConsumerReference/Address must be an http(s) URL")
        subscription = self._new_subscription(soap, "notify", consumer)
        subscription.sender = asyncio.get_running_loop().create_task(
            self._notify_sender(subscription), name=f"onvif-sim-notify-{subscription.idx}"
        )
        return envelope(
            "<wsnt:SubscribeResponse><wsnt:SubscriptionReference>"
            f"<wsa:Address>{self._reference(ctx, subscription)}</wsa:Address>"
            "</wsnt:SubscriptionReference>"
            f"<wsnt:CurrentTime>{format_time_ms(self._clock())}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{format_time_ms(subscription.terminates_at)}"
            "</wsnt:TerminationTime></wsnt:SubscribeResponse>",
            action=f"{_WSN}/NotificationProducer/SubscribeResponse",
        )

    async def _notify_sender(self, subscription: Subscription) -> None:
        """Deliver queued messages to a base-notification consumer, in order."""
        assert subscription.consumer is not None
        while subscription.idx in self._subscriptions:
            await subscription.wakeup.wait()
            messages = subscription.take(_NOTIFY_BATCH)
            if not messages or self._mode == "offline" or self._session is None:
                continue  # an unplugged camera sends nothing; those messages are lost
            body = envelope(
                f"<wsnt:Notify>{''.join(messages)}</wsnt:Notify>",
                action=f"{_WSN}/NotificationConsumer/Notify",
            )
            try:
                async with self._session.post(
                    subscription.consumer,
                    data=body,
                    headers={"Content-Type": CONTENT_TYPE},
                    timeout=_NOTIFY_TIMEOUT,
                ) as response:
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                logger.debug("Notify to subscription %s failed: %s", subscription.idx, error)

    def _subscription(self, ctx: _Context) -> Subscription:
        try:
            idx = int(ctx.query.get("Idx", ""))
        except ValueError:
            idx = -1
        subscription = self._subscriptions.get(idx)
        if subscription is not None and subscription.terminates_at <= self._clock():
            self._drop(subscription)
            subscription = None
        if subscription is None:
            raise _SoapFault(
                400, "env:Sender", ("wsrf-rw:ResourceUnknownFault",), "Subscription not found"
            )
        return subscription

    async def _pull_messages(self, soap: SoapRequest, ctx: _Context) -> bytes:
        subscription = self._subscription(ctx)
        if subscription.kind != "pullpoint":
            raise _SoapFault(400, "env:Receiver", ("ter:ActionNotSupported",), "Not a pull point")
        timeout = parse_duration(child_text(soap.element, "Timeout") or "PT0S")
        if timeout is None:
            raise _invalid_arg("Invalid Timeout")
        try:
            limit = max(1, int(child_text(soap.element, "MessageLimit") or "1"))
        except ValueError:
            raise _invalid_arg("Invalid MessageLimit") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, _MAX_PULL_TIMEOUT).total_seconds()
        while not subscription.queue and subscription.idx in self._subscriptions:
            remaining = min(
                deadline - loop.time(),
                (subscription.terminates_at - self._clock()).total_seconds(),
            )
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await subscription.wakeup.wait()
        messages = "".join(subscription.take(limit))
        return envelope(
            "<tev:PullMessagesResponse>"
            f"<tev:CurrentTime>{format_time_ms(self._clock())}</tev:CurrentTime>"
            f"<tev:TerminationTime>{format_time_ms(subscription.terminates_at)}"
            f"</tev:TerminationTime>{messages}</tev:PullMessagesResponse>",
            action=f"{_EV}/PullPointSubscription/PullMessagesResponse",
        )

    async def _renew(self, soap: SoapRequest, ctx: _Context) -> bytes:
        subscription = self._subscription(ctx)
        now = self._clock()
        terminates_at = parse_termination(
            child_text(soap.element, "TerminationTime"), now, _DEFAULT_TERMINATION
        )
        if terminates_at is None or terminates_at <= now:
            raise _SoapFault(
                400,
                "env:Sender",
                ("wsntw:UnacceptableTerminationTimeFault",),
                "Invalid TerminationTime",
            )
        subscription.terminates_at = terminates_at
        return envelope(
            "<wsnt:RenewResponse>"
            f"<wsnt:TerminationTime>{format_time_ms(terminates_at)}</wsnt:TerminationTime>"
            f"<wsnt:CurrentTime>{format_time_ms(now)}</wsnt:CurrentTime></wsnt:RenewResponse>",
            action=f"{_WSN}/SubscriptionManager/RenewResponse",
        )

    async def _unsubscribe(self, soap: SoapRequest, ctx: _Context) -> bytes:
        self._drop(self._subscription(ctx))
        return envelope(
            "<wsnt:UnsubscribeResponse/>",
            action=f"{_WSN}/SubscriptionManager/UnsubscribeResponse",
        )

    async def _set_synchronization_point(self, soap: SoapRequest, ctx: _Context) -> bytes:
        subscription = self._subscription(ctx)
        for message in self._initial_messages():
            subscription.push(message)
        return envelope(
            "<tev:SetSynchronizationPointResponse/>",
            action=f"{_EV}/PullPointSubscription/SetSynchronizationPointResponse",
        )

    # --- PTZ service -------------------------------------------------------------------------

    @staticmethod
    def _vector(pan: float, tilt: float, zoom: float) -> str:
        return (
            f'<tt:PanTilt x="{pan:g}" y="{tilt:g}" space="{_PAN_TILT_SPACE}"/>'
            f'<tt:Zoom x="{zoom:g}" space="{_ZOOM_SPACE}"/>'
        )

    async def _ptz_get_status(self, soap: SoapRequest, ctx: _Context) -> bytes:
        self._profile_token(soap)
        return envelope(
            "<tptz:GetStatusResponse><tptz:PTZStatus>"
            f"<tt:Position>{self._vector(*self._position)}</tt:Position>"
            "<tt:MoveStatus><tt:PanTilt>IDLE</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus>"
            f"<tt:UtcTime>{format_time(self._clock())}</tt:UtcTime>"
            "</tptz:PTZStatus></tptz:GetStatusResponse>"
        )

    async def _ptz_get_presets(self, soap: SoapRequest, ctx: _Context) -> bytes:
        self._profile_token(soap)
        presets = "".join(
            f"<tptz:Preset token={xml_attr(p.token)}><tt:Name>{xml_text(p.name)}</tt:Name>"
            f"<tt:PTZPosition>{self._vector(p.pan, p.tilt, p.zoom)}</tt:PTZPosition></tptz:Preset>"
            for p in self.presets
        )
        return envelope(f"<tptz:GetPresetsResponse>{presets}</tptz:GetPresetsResponse>")

    async def _ptz_goto_preset(self, soap: SoapRequest, ctx: _Context) -> bytes:
        self._profile_token(soap)
        token = child_text(soap.element, "PresetToken")
        preset = next((p for p in self.presets if p.token == token), None)
        if preset is None:
            raise _invalid_arg("Preset token does not exist", "ter:NoToken")
        self._position = (preset.pan, preset.tilt, preset.zoom)
        return envelope("<tptz:GotoPresetResponse/>")

    async def _ptz_absolute_move(self, soap: SoapRequest, ctx: _Context) -> bytes:
        self._profile_token(soap)
        pan, tilt, zoom = self._position
        for element in soap.element.iter():
            name = local_name(element.tag)
            try:
                if name == "PanTilt":
                    pan = float(element.get("x", pan))
                    tilt = float(element.get("y", tilt))
                elif name == "Zoom":
                    zoom = float(element.get("x", zoom))
            except ValueError:
                raise _invalid_arg("Invalid position") from None
        self._position = (pan, tilt, zoom)
        return envelope("<tptz:AbsoluteMoveResponse/>")
