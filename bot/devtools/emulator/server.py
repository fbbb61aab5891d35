"""The emulator's HTTP side: Bot API routes, file downloads, flood control and a control API."""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from types import TracebackType
from typing import Any

from aiohttp import web

from .methods import ApiMethods
from .params import ApiError, Params, Upload, bad_request, too_many_requests
from .state import EmulatorState, JsonDict
from .webhook import Webhook

logger = logging.getLogger(__name__)

# Methods that put messages into a chat, for the per-chat flood limit.
_SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
_MAX_BODY = 64 * 1024 * 1024


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.code)


async def _read_params(request: web.Request) -> Params:
    """Collect query, form, multipart or JSON parameters the way the Bot API accepts them."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            raw.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    files[key] = Upload(value.filename, value.content_type, data)
                elif isinstance(value, bytes | bytearray):
                    raw[key] = bytes(value).decode("utf-8", "replace")
                else:
                    raw[key] = value
    return Params(raw, files)


async def json_object(request: web.Request, *keys: str) -> JsonDict:
    """A control request's JSON object with the keys it needs; ValueError says what is wrong."""
    try:
        body = await request.json()
    except ValueError:
        raise ValueError("the body must be JSON") from None
    if not isinstance(body, dict) or any(k not in body for k in keys):
        raise ValueError(f"the body must be a JSON object with {', '.join(keys)}")
    return body


class BotApiEmulator(EmulatorState):
    """A fake Telegram Bot API server on loopback for end-to-end tests and benchmarks."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "duty_desk_bot",
        bot_id: int = 123456,
        *,
        flood_limit_per_chat: tuple[int, float] | None = None,
    ) -> None:
        super().__init__(token, bot_username, bot_id)
        self.flood_limit_per_chat = flood_limit_per_chat
        # Every 429 answered, planned or from the flood limit: a real bot would risk a ban.
        self.refused_429 = 0
        self._api = ApiMethods(self)
        self._sent_at: dict[int, deque[float]] = {}
        self._runner: web.AppRunner | None = None
        self._url_host = "127.0.0.1"
        self._port: int | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        self._api.closing = False
        # shutdown_timeout is short because stop() ends long polls itself.
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        # A wildcard bind is still reached over loopback; IPv6 literals need brackets in URLs.
        url_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self._url_host = f"[{url_host}]" if ":" in url_host else url_host
        logger.info("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """End pending long polls and stop serving."""
        if self._runner is None:
            return
        self._api.closing = True
        self.notify()
        await self._api.webhook.close()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def webhook(self) -> Webhook:
        """The bot's webhook as Telegram holds it (URL, secret, deliveries, last error)."""
        return self._api.webhook

    @property
    def origin(self) -> str:
        """Return http://host:port of the running server."""
        if self._port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self._url_host}:{self._port}"

    @property
    def base_url(self) -> str:
        """Return the value for PTB's base_url (PTB appends the token)."""
        return f"{self.origin}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for PTB's base_file_url (PTB appends the token)."""
        return f"{self.origin}/file/bot"

    def build_app(self) -> web.Application:
        """Return the aiohttp application with every route."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_get("/bot{token}/{method}", self._handle_api)
        app.router.add_post("/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_get("/_emulator/state", self._handle_state)
        app.router.add_post("/_emulator/message", self._handle_inject)
        app.router.add_post("/_emulator/press", self._handle_press)
        return app

    # --- Bot API -----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        entry = self._api.lookup(request.match_info["method"])
        if entry is None:
            return _error_response(ApiError(404, "Not Found"))
        name, handler = entry
        try:
            try:
                params = await _read_params(request)
            except ConnectionResetError:
                # The client gave up mid-upload (e.g. a bot stopping); nothing to answer.
                return web.Response(status=499)
            self.calls.append((name, params.logged()))
            self._check_flood(name, params)
            result = await handler(params)
        except ApiError as error:
            logger.debug("%s -> %s %s", name, error.code, error.description)
            return _error_response(error)
        return web.json_response({"ok": True, "result": result})

    def _check_flood(self, method: str, params: Params) -> None:
        retry_after = self.take_planned_failure(method)
        if retry_after is not None:
            self.refused_429 += 1
            raise too_many_requests(retry_after)
        chat_id = params.values.get("chat_id")
        if self.flood_limit_per_chat is None or method not in _SENDING_METHODS:
            return
        if not isinstance(chat_id, int):
            return
        limit, window = self.flood_limit_per_chat
        media = params.values.get("media")
        count = len(media) if method == "sendMediaGroup" and isinstance(media, list) else 1
        now = time.monotonic()
        sent = self._sent_at.setdefault(chat_id, deque())
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) + count > limit:
            wait = sent[0] + window - now if sent else window
            self.refused_429 += 1
            raise too_many_requests(max(1, math.ceil(wait)))
        sent.extend([now] * count)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found: file not found"))
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    # --- control API for a browser sandbox -----------------------------------------------------

    async def _handle_state(self, request: web.Request) -> web.Response:
        messages = [self._view(key) for key in self.messages]
        return web.json_response(
            {
                "bot": self.bot_user,
                "users": list(self.users.values()),
                "chats": list(self.chats.values()),
                "messages": messages,
                "answers": self.answers,
                "pending_updates": self.updates.pending,
            }
        )

    async def _handle_inject(self, request: web.Request) -> web.Response:
        try:
            body = await json_object(request, "chat_id", "user_id", "text")
            message = self.inject_message(
                int(body["chat_id"]), int(body["user_id"]), str(body["text"])
            )
        except ValueError as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": message})

    async def _handle_press(self, request: web.Request) -> web.Response:
        try:
            body = await json_object(request, "chat_id", "message_id", "user_id", "data")
            query_id = self.press_button(
                int(body["chat_id"]),
                int(body["message_id"]),
                int(body["user_id"]),
                str(body["data"]),
            )
        except (ValueError, AssertionError) as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": {"query_id": query_id}})
