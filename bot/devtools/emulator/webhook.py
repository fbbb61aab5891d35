"""Webhooks as Telegram runs them: setWebhook, deleteWebhook, getWebhookInfo, and the delivery.

While a webhook is set, getUpdates is refused with 409 and each update is POSTed, in order, to
the webhook's URL with the secret token header; one not answered 2xx is tried again after a
growing pause and given up after a few attempts (recorded as the last error, as
getWebhookInfo reports it). deleteWebhook stops the delivery, and what was not delivered is
there for getUpdates again.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from enum import Enum
from typing import TYPE_CHECKING

import aiohttp

from .params import ApiError, Params, bad_request
from .state import JsonDict, unix_time

if TYPE_CHECKING:
    from .state import EmulatorState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}", re.ASCII)
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
DEFAULT_MAX_CONNECTIONS = 40


class Delivery(Enum):
    """How one update's delivery ended."""

    DELIVERED = "delivered"
    GIVEN_UP = "given up"
    # The webhook was deleted or changed meanwhile: the update waits for whoever comes next.
    INTERRUPTED = "interrupted"


class Webhook:
    """The bot's webhook, if any, and the task that delivers updates to it."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        attempts: int = 6,
        first_retry_seconds: float = 0.1,
        request_seconds: float = 10.0,
    ) -> None:
        self.state = state
        # Telegram gives up on an update after a few attempts, pausing longer after each; the
        # defaults keep one for about six seconds, longer than a bot's restart in a test.
        self.attempts = attempts
        self.first_retry_seconds = first_retry_seconds
        self.request_seconds = request_seconds
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = DEFAULT_MAX_CONNECTIONS
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        # Update ids answered 2xx, and given up, in order (for tests).
        self.delivered: list[int] = []
        self.given_up: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._changed = asyncio.Event()

    @property
    def active(self) -> bool:
        """Whether a webhook is set (getUpdates is then refused)."""
        return bool(self.url)

    def refuse_polling(self) -> None:
        """Raise Telegram's 409 for getUpdates while a webhook is set."""
        if self.active:
            raise ApiError(409, CONFLICT)

    # --- Bot API methods -------------------------------------------------------------------

    async def set_webhook(self, p: Params) -> bool:
        """Set (or, with an empty url, remove) the webhook and start delivering to it."""
        url = p.opt_str("url") or ""
        if not url:
            await self.delete_webhook(p)
            return True
        if not url.startswith(("https://", "http://")):
            # Telegram wants https; http is allowed here as a local Bot API server allows it.
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.opt_str("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        limit = p.opt_int("max_connections", DEFAULT_MAX_CONNECTIONS) or DEFAULT_MAX_CONNECTIONS
        allowed = p.obj("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self.state.updates.set_allowed(allowed)
        if p.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.url, self.secret_token = url, secret
        self.max_connections = min(max(limit, 1), 100)
        self._wake()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver(), name="emulator-webhook")
        return True

    async def delete_webhook(self, p: Params) -> bool:
        """Remove the webhook; undelivered updates wait for getUpdates unless dropped."""
        if p.flag("drop_pending_updates"):
            self.state.updates.clear()
        self.url, self.secret_token = "", None
        self._wake()
        return True

    async def get_webhook_info(self, p: Params) -> JsonDict:
        """Return the webhook's address, what waits for it and its last failed delivery."""
        info: JsonDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": self.state.updates.pending,
        }
        if self.active:
            info["max_connections"] = self.max_connections
            allowed = self.state.updates.allowed
            if allowed is not None:
                info["allowed_updates"] = sorted(allowed)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    # --- delivery --------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop delivering (the emulator stops); the webhook stays set."""
        if self._task is not None:
            # The flag as well as the cancel: Python 3.11's wait_for (in wait_changed) can
            # swallow a cancellation that arrives as its wait ends.
            self._closing = True
            self._wake()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            self._closing = False

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
        # Long polls wake too: they answer 409 now a webhook is set.
        self.state.notify()

    async def _deliver(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.request_seconds)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while self.active and not self._closing:
                queued = self.state.updates.take(1)
                if not queued:
                    await self.state.wait_changed(1.0)
                    continue
                update = queued[0]
                outcome = await self._post(session, update)
                if outcome is Delivery.INTERRUPTED:
                    continue
                (self.delivered if outcome is Delivery.DELIVERED else self.given_up).append(
                    int(update["update_id"])
                )
                self.state.updates.confirm(int(update["update_id"]) + 1)
                # Wakes wait_until_consumed.
                self.state.notify()

    async def _post(self, session: aiohttp.ClientSession, update: JsonDict) -> Delivery:
        url = self.url
        for attempt in range(self.attempts):
            if self.url != url or self._closing:
                return Delivery.INTERRUPTED
            # Read each time: a bot setting the webhook again may have changed the secret.
            headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    if 200 <= response.status < 300:
                        return Delivery.DELIVERED
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except TimeoutError:
                error = "Read timeout expired"
            except aiohttp.ClientError as exc:
                error = "Connection refused" if isinstance(exc, OSError) else type(exc).__name__
            self.last_error_date = unix_time(self.state.now())
            self.last_error_message = error
            # Wakes whoever waits on the emulator (a test watching for the failure).
            self.state.notify()
            if attempt + 1 < self.attempts:
                changed = self._changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.first_retry_seconds * 2**attempt):
                        await changed.wait()
        return Delivery.INTERRUPTED if self.url != url or self._closing else Delivery.GIVEN_UP
