"""Alert intake over HTTP for NVRs, VMSs and analytics (247 II.2.2), signed with HMAC-SHA256.

A sender signs `<timestamp>.<body>` with the shared secret and sends
`X-Duty-Desk-Timestamp: <unix seconds>` and `X-Duty-Desk-Signature: sha256=<hex>`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.camera.alerts import AlertInput, Alerts
from bot.clock import Clock
from bot.config import IntakeSettings, Settings
from bot.db.models import AlertSource

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Duty-Desk-Timestamp"
SIGNATURE_HEADER = "X-Duty-Desk-Signature"
# Remembered signatures: enough for the replay window at thousands of alerts a minute.
SEEN_SIGNATURES = 50_000


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a body (what senders compute)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class Refused(Exception):
    """A request the intake refuses, with its HTTP status and a reason code."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


def parse_alert(payload: Any, settings: Settings) -> AlertInput:
    """Check an alert's JSON against the documented shape."""
    if not isinstance(payload, dict):
        raise Refused(422, "malformed", "the body must be a JSON object")
    camera = payload.get("camera")
    kind = payload.get("type")
    if not isinstance(camera, str) or not camera:
        raise Refused(422, "malformed", "'camera' (the camera number) is required")
    if settings.camera(camera) is None:
        raise Refused(422, "unknown_camera", f"camera {camera!r} is not configured")
    if not isinstance(kind, str) or not kind:
        raise Refused(422, "malformed", "'type' (the event type) is required")
    occurred = payload.get("time")
    try:
        when = dt.datetime.fromisoformat(occurred) if isinstance(occurred, str) else None
    except ValueError:
        raise Refused(
            422, "malformed", "'time' must be ISO 8601, e.g. 2026-11-25T02:10:00+07:00"
        ) from None
    if when is not None and when.tzinfo is None:
        raise Refused(422, "malformed", "'time' needs a UTC offset, e.g. +07:00")
    image = None
    if isinstance(payload.get("image_base64"), str):
        try:
            image = base64.b64decode(payload["image_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise Refused(422, "malformed", "'image_base64' is not valid base64") from None
    refs = payload.get("references") or {}
    if not isinstance(refs, dict):
        raise Refused(
            422, "malformed", '\'references\' must be an object, e.g. {"container": "CSQU3054383"}'
        )
    return AlertInput(
        camera=camera,
        kind=kind,
        occurred_at=when or dt.datetime.now(dt.UTC),
        source=AlertSource.WEBHOOK,
        detail=str(payload.get("description") or "")[:500],
        refs=" · ".join(f"{key}: {value}" for key, value in refs.items())[:300],
        external_id=str(payload["id"])[:128] if payload.get("id") else None,
        image=image,
    )


class Intake:
    """The aiohttp application: POST /api/v1/alerts and GET /health."""

    def __init__(
        self,
        settings: Settings,
        alerts: Alerts,
        clock: Clock,
        health: Callable[[], dict[str, Any]],
        notify: Callable[[str, str, bytes], Awaitable[int | None]] | None = None,
    ) -> None:
        self._settings = settings
        self._config: IntakeSettings = settings.intake
        self._alerts = alerts
        self._clock = clock
        self._health = health
        self._notify = notify
        self.counters: Counter[str] = Counter()
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        """Build the web application."""
        app = web.Application(client_max_size=self._config.max_body_bytes)
        app.router.add_post("/api/v1/alerts", self.post_alert)
        app.router.add_get("/health", self.get_health)
        app.router.add_post("/onvif/notify/{camera}/{token}", self.post_notify)
        return app

    async def start(self) -> None:
        """Listen on the configured address."""
        self._runner = web.AppRunner(self.app(), access_log=None)
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

    async def post_alert(self, request: web.Request) -> web.Response:
        """Authenticate, parse, record; 202 with the alert id, or a precise 4xx."""
        try:
            body = await self._read(request)
            self._authenticate(request, body)
            try:
                payload = json.loads(body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Refused(400, "malformed", "the body is not valid JSON") from None
            alert = parse_alert(payload, self._settings)
        except Refused as refused:
            self.counters[refused.reason] += 1
            return web.json_response(
                {"ok": False, "error": refused.reason, "message": refused.message},
                status=refused.status,
            )
        received = await self._alerts.receive(alert)
        self.counters["duplicate" if received.duplicate else "accepted"] += 1
        return web.json_response(
            {"ok": True, "event_id": received.event_id, "duplicate": received.duplicate},
            status=202,
        )

    async def post_notify(self, request: web.Request) -> web.Response:
        """A camera pushing its events (ONVIF base notification) to its secret path."""
        handled = None
        if self._notify is not None:
            handled = await self._notify(
                request.match_info["camera"], request.match_info["token"], await request.read()
            )
        if handled is None:
            self.counters["notify_refused"] += 1
            return web.Response(status=404)
        self.counters["notify"] += 1
        return web.Response(status=200)

    async def get_health(self, _request: web.Request) -> web.Response:
        """The bot's state for monitoring."""
        return web.json_response({**self._health(), "intake": dict(self.counters)})

    async def _read(self, request: web.Request) -> bytes:
        if (request.content_length or 0) > self._config.max_body_bytes:
            raise Refused(413, "too_large", f"the body is over {self._config.max_body_bytes} bytes")
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise Refused(
                413, "too_large", f"the body is over {self._config.max_body_bytes} bytes"
            ) from None

    def _authenticate(self, request: web.Request, body: bytes) -> None:
        secret = self._config.secret.get_secret_value() if self._config.secret else ""
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not timestamp or not signature:
            raise Refused(
                401, "unsigned", f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required"
            )
        if not hmac.compare_digest(sign(secret, timestamp, body), signature):
            raise Refused(401, "bad_signature", "the signature does not match the body")
        try:
            sent = float(timestamp)
        except ValueError:
            raise Refused(401, "bad_timestamp", "the timestamp must be unix seconds") from None
        now = self._clock.now().timestamp()
        if abs(now - sent) > self._config.replay_window_seconds:
            raise Refused(401, "stale", "the timestamp is outside the accepted window")
        if signature in self._seen:
            raise Refused(409, "replayed", "this signed request was already received")
        self._seen[signature] = sent
        while len(self._seen) > SEEN_SIGNATURES or (
            self._seen
            and next(iter(self._seen.values())) < now - self._config.replay_window_seconds
        ):
            self._seen.popitem(last=False)
