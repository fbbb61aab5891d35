"""Alert intake over HTTP for NVRs, VMSs and analytics (247 II.2.2), signed with HMAC-SHA256.

A sender signs `<timestamp>.<body>` with the shared secret and sends
`X-Duty-Desk-Timestamp: <unix seconds>` and `X-Duty-Desk-Signature: sha256=<hex>`.
The headers and the declared length are checked before the body is read; the body is read
with the size limit and a deadline; each signed request is accepted once (replays answer 409,
also after a restart: the signatures seen are kept in the database for the window).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_urldispatcher import _default_expect_handler

from bot.camera.alert_body import CameraLookup, Refused, decode, parse_alert
from bot.camera.alert_input import AlertInput, Received
from bot.camera.replays import Signature
from bot.clock import Clock
from bot.config import IntakeSettings, Settings

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Duty-Desk-Timestamp"
SIGNATURE_HEADER = "X-Duty-Desk-Signature"
# Unix seconds, optionally with a fraction: digits only, so no sign, exponent, nan or inf.
TIMESTAMP = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?", re.ASCII)
SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})", re.ASCII)
# A connection that has not completed a request's headers (or sits idle between requests) is
# closed after this long; aiohttp's default is an hour. Longer than the 15 s clients such as
# aiohttp keep idle connections, so a sender never reuses one the server is closing.
IDLE_CONNECTION_SECONDS = 75.0


class _ServerLog(logging.LoggerAdapter[logging.Logger]):
    """aiohttp's server log, with malformed HTTP from a sender one counted debug line.

    aiohttp logs each request it cannot parse as an error with a traceback; what a sender
    sends is not the bot's fault, and anyone who can reach the port could flood the log.
    """

    def __init__(self, counters: Counter[str]) -> None:
        super().__init__(logging.getLogger("aiohttp.server"), {})
        self._counters = counters

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        error = kwargs.get("exc_info")
        if isinstance(error, HttpProcessingError):
            self._counters["bad_http"] += 1
            self.debug("Malformed HTTP from a sender: %s", error.message)
            return
        super().exception(msg, *args, **kwargs)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a body (what senders compute)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class AlertReceiver(Protocol):
    """Stores an alert: one desk's alerts, or the desk of each alert's camera."""

    async def receive(self, alert: AlertInput) -> Received:
        """Store the alert, folded into its card; what became of it."""
        ...


class Intake:
    """The aiohttp application: POST /api/v1/alerts and GET /health."""

    def __init__(
        self,
        settings: Settings,
        alerts: AlertReceiver,
        clock: Clock,
        health: Callable[[], dict[str, Any]],
        notify: Callable[[str, str, bytes], Awaitable[int | None]] | None = None,
        cameras: CameraLookup | None = None,
    ) -> None:
        # Where an alert's camera is looked up: every desk's cameras, or the one desk's.
        self._cameras = cameras or settings
        self._config: IntakeSettings = settings.intake
        self._alerts = alerts
        self._clock = clock
        self._health = health
        self._notify = notify
        self.counters: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        """Build the web application."""
        app = web.Application(client_max_size=self._config.max_body_bytes)
        app.router.add_post("/api/v1/alerts", self.post_alert, expect_handler=self.expect_alert)
        app.router.add_get("/health", self.get_health)
        app.router.add_post("/onvif/notify/{camera}/{token}", self.post_notify)
        return app

    async def start(self) -> None:
        """Listen on the configured address."""
        self._runner = web.AppRunner(
            self.app(),
            access_log=None,
            logger=_ServerLog(self.counters),
            keepalive_timeout=IDLE_CONNECTION_SECONDS,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._config.host, self._config.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("Alert intake listening on %s:%s", self._config.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _refuse(self, request: web.Request, refused: Refused) -> web.Response:
        self.counters[refused.reason] += 1
        response = web.json_response(
            {"ok": False, "error": refused.reason, "message": refused.message},
            status=refused.status,
        )
        if refused.close:
            # Answer, then drop the connection at once: the rest of the body (or its wait) is
            # what is refused, and aiohttp would otherwise linger up to 10 s to drain it.
            await response.prepare(request)
            await response.write_eof()
            request.protocol.force_close()
        return response

    def _hung_up(self, request: web.Request) -> web.Response:
        # The sender went away mid-request: nothing was stored and no one is left to answer.
        self.counters["hung_up"] += 1
        log.debug("A sender at %s hung up before its request was read", request.remote)
        return web.Response(status=400)

    async def expect_alert(self, request: web.Request) -> web.StreamResponse | None:
        """Answer `Expect: 100-continue` with the refusal when the headers already fail."""
        try:
            self._check_headers(request)
        except Refused as refused:
            refused.close = True
            return await self._refuse(request, refused)
        await _default_expect_handler(request)
        return None

    async def post_alert(self, request: web.Request) -> web.Response:
        """Authenticate, parse, record; 202 with the alert id, or a precise 4xx."""
        try:
            signed_at = self._check_headers(request)
            body = await self._read(request)
            signature = self._authenticate(request, body, signed_at)
            alert = parse_alert(decode(body), self._cameras, signature)
        except Refused as refused:
            return await self._refuse(request, refused)
        except ConnectionError:
            return self._hung_up(request)
        received = await self._alerts.receive(alert)
        if received.replayed:
            return await self._refuse(
                request, Refused(409, "replayed", "this signed request was already received")
            )
        self.counters["duplicate" if received.duplicate else "accepted"] += 1
        return web.json_response(
            {"ok": True, "event_id": received.event_id, "duplicate": received.duplicate},
            status=202,
        )

    async def post_notify(self, request: web.Request) -> web.Response:
        """A camera pushing its events (ONVIF base notification) to its secret path."""
        try:
            self._check_length(request)
            body = await self._read(request)
        except Refused as refused:
            return await self._refuse(request, refused)
        except ConnectionError:
            return self._hung_up(request)
        handled = None
        if self._notify is not None:
            handled = await self._notify(
                request.match_info["camera"], request.match_info["token"], body
            )
        if handled is None:
            self.counters["notify_refused"] += 1
            return web.Response(status=404)
        self.counters["notify"] += 1
        return web.Response(status=200)

    async def get_health(self, _request: web.Request) -> web.Response:
        """The bot's state for monitoring."""
        return web.json_response({**self._health(), "intake": dict(self.counters)})

    def _check_headers(self, request: web.Request) -> float:
        """Signature headers present and well-formed, timestamp in the window, length allowed.

        Returns the sender's timestamp. All of it before a byte of the body is read.
        """
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not timestamp or not signature:
            raise Refused(
                401, "unsigned", f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required"
            )
        if not TIMESTAMP.fullmatch(timestamp):
            raise Refused(
                401,
                "bad_timestamp",
                f"{TIMESTAMP_HEADER} must be unix seconds (digits, e.g. 1764036000)",
            )
        if not SIGNATURE.fullmatch(signature):
            raise Refused(
                401,
                "bad_signature",
                f"{SIGNATURE_HEADER} must be sha256= and 64 hex digits of HMAC-SHA256",
            )
        sent = float(timestamp)
        if abs(self._clock.now().timestamp() - sent) > self._config.replay_window_seconds:
            raise Refused(401, "stale", "the timestamp is outside the accepted window")
        self._check_length(request)
        return sent

    def _check_length(self, request: web.Request) -> None:
        if (request.content_length or 0) > self._config.max_body_bytes:
            raise Refused(413, "too_large", f"the body is over {self._config.max_body_bytes} bytes")

    async def _read(self, request: web.Request) -> bytes:
        """The body, refused once over the limit (chunked or lying) or late past the deadline."""
        limit = self._config.max_body_bytes
        deadline = self._config.read_timeout_seconds
        content = request.content
        if content.is_eof():
            # All of it came with the headers (the usual small alert): nothing to wait for.
            return self._within(content.read_nowait(), limit)
        body = bytearray()
        try:
            async with asyncio.timeout(deadline):
                while chunk := await request.content.readany():
                    body += chunk
                    if len(body) > limit:
                        raise Refused(413, "too_large", f"the body is over {limit} bytes")
        except TimeoutError:
            raise Refused(
                408, "read_timeout", f"the body did not arrive within {deadline:g} s", close=True
            ) from None
        except web.RequestPayloadError as exc:
            # A broken chunked encoding: the rest of the connection cannot be trusted.
            raise Refused(
                400, "malformed", f"the body is not well-formed HTTP: {exc}", close=True
            ) from None
        return bytes(body)

    @staticmethod
    def _within(body: bytes, limit: int) -> bytes:
        if len(body) > limit:
            raise Refused(413, "too_large", f"the body is over {limit} bytes")
        return body

    def _authenticate(self, request: web.Request, body: bytes, sent: float) -> Signature:
        secret = self._config.secret.get_secret_value() if self._config.secret else ""
        timestamp = request.headers[TIMESTAMP_HEADER]
        given = request.headers[SIGNATURE_HEADER].lower()
        if not hmac.compare_digest(sign(secret, timestamp, body), given):
            raise Refused(401, "bad_signature", "the signature does not match the body")
        return Signature(digest=bytes.fromhex(given.removeprefix("sha256=")), signed_at=sent)
