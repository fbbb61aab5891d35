"""The webhook endpoint: Telegram's POSTs, checked by their secret token, onto PTB's update queue.

Every request must carry Telegram's `X-Telegram-Bot-Api-Secret-Token`, compared in constant
time; one without it or with another is answered 403 before its body is read, and nothing of
it is handled. A good request is read within the size limit and the deadline, parsed the way
polling parses (bot/polling.py: an update the library cannot read is skipped, unstorable
characters made storable), put on the Application's update queue and answered 200 at once:
the handlers run after the answer, as they do after a poll. Nothing here assumes it is the
only process: behind the reverse proxy every process may take Telegram's requests.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections import Counter
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.config import WebhookSettings
from bot.polling import read_one
from bot.storable_updates import may_hold_unstorable, storable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Refused requests are logged at most this often, with how many there were: anyone who finds
# the address could otherwise fill the log.
REFUSED_LOG_EVERY_SECONDS = 60.0
# Longest piece of a forwarded-for header kept in the log (the client sets it).
CLIENT_CHARS = 100
# Longer than the idle time clients such as a reverse proxy keep a connection for reuse.
IDLE_CONNECTION_SECONDS = 75.0


def secret_matches(given: str | None, expected: str) -> bool:
    """Whether a request's secret token header is the configured one, in constant time."""
    if given is None:
        return False
    # Bytes, so a header with characters outside ASCII is a mismatch, not an error.
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def read_update(body: bytes, bot: Bot) -> Update | None:
    """The update a request carries, read as polling reads it; None when there is nothing to do.

    Raises TelegramError when the body is not JSON at all.
    """
    data: Any = HTTPXRequest.parse_json_payload(body)
    if may_hold_unstorable(body):
        data = storable(data)
    update = read_one(data, bot)
    # A bare id is what polling keeps only to move its offset past an unreadable update.
    if update is None or update.to_dict().keys() == {"update_id"}:
        return None
    return update


class WebhookServer:
    """The aiohttp server on webhook.host:port answering POST webhook.path."""

    def __init__(self, settings: WebhookSettings, bot: Bot, queue: asyncio.Queue[object]) -> None:
        self._settings = settings
        secret = settings.secret_value()
        if secret is None:
            raise ValueError("a webhook server needs the secret token to check requests")
        self._secret = secret
        self._bot = bot
        self._queue = queue
        self.counters: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self._refused_since_logged = 0
        self._refused_logged_at: float | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        """Build the web application."""
        app = web.Application(client_max_size=self._settings.max_body_bytes)
        app.router.add_post(self._settings.listen_path(), self.post_update)
        return app

    async def start(self) -> None:
        """Listen on the configured address."""
        self._runner = web.AppRunner(
            self.app(), access_log=None, keepalive_timeout=IDLE_CONNECTION_SECONDS
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.host, self._settings.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = int(self._runner.addresses[0][1])
        log.info(
            "Webhook listening on %s:%s%s",
            self._settings.host,
            self.port,
            self._settings.listen_path(),
        )

    async def stop(self) -> None:
        """Stop taking requests; those under way are answered first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def post_update(self, request: web.Request) -> web.Response:
        """Check the secret, read the update, queue it; 200, or 403 and nothing handled."""
        if not secret_matches(request.headers.get(SECRET_HEADER), self._secret):
            self._refused(request)
            return web.Response(status=403)
        limit = self._settings.max_body_bytes
        if (request.content_length or 0) > limit:
            self.counters["too_large"] += 1
            return web.Response(status=413)
        try:
            async with asyncio.timeout(self._settings.read_timeout_seconds):
                body = await request.read()
            update = read_update(body, self._bot)
        except web.HTTPRequestEntityTooLarge:
            self.counters["too_large"] += 1
            return web.Response(status=413)
        except TimeoutError:
            self.counters["read_timeout"] += 1
            return web.Response(status=408)
        except (ConnectionError, web.RequestPayloadError):
            self.counters["hung_up"] += 1
            return web.Response(status=400)
        except TelegramError:
            self.counters["not_json"] += 1
            log.warning("A webhook request with the right secret did not carry JSON")
            return web.Response(status=400)
        if update is None:
            self.counters["skipped"] += 1
        else:
            self.counters["received"] += 1
            await self._queue.put(update)
        return web.Response(status=200)

    def _refused(self, request: web.Request) -> None:
        """Count a request without the right secret; log the count now and then, never the token."""
        self.counters["refused"] += 1
        self._refused_since_logged += 1
        now = time.monotonic()
        if (
            self._refused_logged_at is not None
            and now - self._refused_logged_at < REFUSED_LOG_EVERY_SECONDS
        ):
            return
        # Behind the reverse proxy the peer is the proxy; it names the client it forwards.
        client = (request.headers.get("X-Forwarded-For") or request.remote or "?")[:CLIENT_CHARS]
        reason = "without" if SECRET_HEADER not in request.headers else "with a wrong"
        log.warning(
            "Refused %s webhook request(s) not from Telegram (the last from %s, %s secret token)",
            self._refused_since_logged,
            client,
            reason,
        )
        self._refused_since_logged = 0
        self._refused_logged_at = now
