"""The simulated ONVIF camera: its services over SOAP 1.2 (aiohttp), switched on and off.

Each ONVIF service is a module of its own (`device_service`, `media_service`, `events_service`,
`ptz_service`) over the state they share (`state`); this one serves them over HTTP and plays
the failures a real camera has: offline, slow, refusing the credentials.
"""

from __future__ import annotations

import asyncio
import socket
from types import TracebackType
from typing import Self

import aiohttp
from aiohttp import web

from .device_service import DeviceService
from .events_service import EventsService
from .faults import SoapFault, not_authorized, soap_response
from .media_service import MediaService
from .ptz_service import PtzService
from .soap import SoapRequest, check_username_token, parse_request
from .state import (
    DEVICE_PATH,
    EVENTS_PATH,
    MEDIA_PATH,
    MODES,
    PTZ_PATH,
    SNAPSHOT_PATH,
    SUBSCRIPTION_PATH,
    Context,
    Mode,
    Routes,
)

# Operations real cameras answer without WS-Security, so clients can sync clocks first.
_AUTHLESS = frozenset({"GetSystemDateAndTime"})
# Real cameras close idle keep-alive connections quickly.
_KEEPALIVE_SECONDS = 10.0


class SimulatedCamera(DeviceService, MediaService, EventsService, PtzService):
    """An ONVIF Profile S/T camera on loopback for tests, benchmarks and a sandbox."""

    def _routes(self) -> Routes:
        routes: Routes = {
            DEVICE_PATH: self._device_routes(),
            MEDIA_PATH: self._media_routes(),
            EVENTS_PATH: self._events_routes(),
            SUBSCRIPTION_PATH: self._subscription_routes(),
        }
        if self.ptz:
            routes[PTZ_PATH] = self._ptz_routes()
        return routes

    # --- lifecycle ---------------------------------------------------------------------------

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
        if mode not in MODES:
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
            return SoapFault(400, "env:Sender", ("ter:WellFormed",), "Malformed SOAP").response()
        self.requests[soap.action] += 1
        try:
            handler = handlers.get(soap.action)
            if handler is None:
                raise SoapFault(
                    400, "env:Receiver", ("ter:ActionNotSupported",), f"{soap.action} unsupported"
                )
            if soap.action not in _AUTHLESS and not self._authorised(soap):
                raise not_authorized()
            context = Context(f"http://{request.host}", dict(request.query))
            return soap_response(await handler(soap, context))
        except SoapFault as error:
            return error.response()

    def _authorised(self, soap: SoapRequest) -> bool:
        if self._mode == "bad_credentials":
            return False
        return check_username_token(soap.header, self.username, self.password)
