"""The page that plays Telegram: static files, a small JSON API, and a stream of changes."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.devtools.emulator.server import json_object
from bot.sandbox import demo
from bot.sandbox.drills.runner import DrillRunner
from bot.sandbox.render import message_view
from bot.sandbox.texts import page_texts
from bot.sandbox.world import (
    CAMERA_EVENTS,
    World,
    WorldError,
    camera_event,
    camera_power,
    press,
    say,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
# Keeps proxies and browsers from closing a quiet stream; also how often a closed tab is noticed.
KEEPALIVE_SECONDS = 15.0
# Changes closer together than this reach the page as one.
COALESCE_SECONDS = 0.1
# How long a button press waits for the bot's answer (Telegram's own limit is about 15 s).
ANSWER_WAIT_SECONDS = 10.0


def _bad(message: str) -> web.Response:
    return web.json_response({"ok": False, "description": message}, status=400)


class SandboxWeb:
    """The aiohttp server of the page."""

    def __init__(self, world: World, drills: DrillRunner) -> None:
        self._world = world
        self._drill_runner = drills
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.url = ""

    async def start(self, host: str, port: int) -> None:
        """Serve on host:port; a port already taken falls back to a free one."""
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/api/texts", self._texts)
        app.router.add_get("/api/world", self._world_view)
        app.router.add_get("/api/chats/{chat_id}/messages", self._messages)
        app.router.add_get("/api/files/{file_id}", self._file)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/press", self._press)
        app.router.add_post("/api/cameras/{key}/{action}", self._camera)
        app.router.add_post("/api/clock", self._clock)
        app.router.add_get("/api/drills", self._drills)
        app.router.add_post("/api/drills/{name}", self._start_drill)
        app.router.add_get("/api/drill", self._drill)
        app.router.add_get("/api/events", self._events)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            site = web.TCPSite(self._runner, host, port)
            await site.start()
        except OSError:
            if port == 0:
                raise
            log.warning("Port %s is taken; the sandbox page takes a free one", port)
            site = web.TCPSite(self._runner, host, 0)
            await site.start()
        bound = self._runner.addresses[0][1]
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self.url = f"http://{shown}:{bound}"

    async def stop(self) -> None:
        """End the open streams and stop serving."""
        self._closing.set()
        self._world.emu.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- pages and files ---------------------------------------------------------------------

    async def _index(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def _texts(self, _request: web.Request) -> web.Response:
        return web.json_response(page_texts(self._world.desk.desk_translator()))

    async def _file(self, request: web.Request) -> web.Response:
        stored = self._world.emu.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        if stored.kind == "photo":
            # Telegram keeps every photo as a JPEG, whatever the upload said it was.
            return web.Response(body=stored.data, content_type="image/jpeg")
        headers = {}
        if stored.file_name:
            # RFC 6266: a Vietnamese file name survives only percent-encoded.
            headers["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
            )
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    # --- the world ---------------------------------------------------------------------------

    async def _world_view(self, _request: web.Request) -> web.Response:
        world = self._world
        emu = world.emu
        tr = world.desk.desk_translator()
        chats: list[dict[str, Any]] = [
            {"id": c.id, "title": c.title, "type": "group", "members": list(c.members)}
            for c in demo.CHATS
        ]
        chats += [
            {"id": p.id, "title": emu.bot_user["first_name"], "type": "private", "owner": p.id}
            for p in demo.PERSONAS
        ]
        for chat in chats:
            messages = emu.chat_messages(chat["id"])
            chat["count"] = len(messages)
            chat["last"] = message_view(messages[-1], world.settings.tz) if messages else None
        now = world.clock.now().astimezone(world.settings.tz)
        return web.json_response(
            {
                "bot": emu.bot_user,
                "personas": [
                    {"id": p.id, "name": p.name, "title": p.title, "role": tr(p.role)}
                    for p in demo.PERSONAS
                ],
                "chats": chats,
                "cameras": [
                    {"key": c.key, "number": c.number, "name": c.name} for c in demo.CAMERAS
                ],
                "camera_events": list(CAMERA_EVENTS),
                "clock": {"now": now.isoformat(), "speed": world.clock.speed},
                "drill": self._drill_runner.status(),
            }
        )

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            chat_id = int(request.match_info["chat_id"])
        except ValueError:
            return _bad("chat_id must be a number")
        tz = self._world.settings.tz
        views = [message_view(m, tz) for m in self._world.emu.chat_messages(chat_id)]
        return web.json_response({"ok": True, "messages": views})

    async def _send(self, request: web.Request) -> web.Response:
        try:
            body = await json_object(request, "chat_id", "user_id", "text")
            reply_to = body.get("reply_to")
            message = say(
                self._world,
                int(body["chat_id"]),
                int(body["user_id"]),
                str(body["text"]),
                int(reply_to) if reply_to else None,
            )
        except (WorldError, ValueError, TypeError) as exc:
            return _bad(str(exc))
        return web.json_response({"ok": True, "message_id": message["message_id"]})

    async def _press(self, request: web.Request) -> web.Response:
        try:
            body = await json_object(request, "chat_id", "message_id", "user_id", "data")
            query_id = press(
                self._world,
                int(body["chat_id"]),
                int(body["message_id"]),
                int(body["user_id"]),
                str(body["data"]),
            )
        except (WorldError, ValueError, TypeError) as exc:
            return _bad(str(exc))
        try:
            answer = await self._world.emu.wait_for_answer(query_id, ANSWER_WAIT_SECONDS)
        except TimeoutError:
            return web.json_response({"ok": True, "answered": False})
        return web.json_response(
            {
                "ok": True,
                "answered": True,
                "text": answer.get("text"),
                "show_alert": answer.get("show_alert", False),
            }
        )

    async def _camera(self, request: web.Request) -> web.Response:
        key, action = request.match_info["key"], request.match_info["action"]
        try:
            if action in ("offline", "online"):
                camera_power(self._world, key, action == "online")
            else:
                camera_event(self._world, key, action)
        except WorldError as exc:
            return _bad(str(exc))
        return web.json_response({"ok": True})

    async def _clock(self, request: web.Request) -> web.Response:
        try:
            body = await json_object(request, "speed")
            speed = float(body["speed"])
            if not 0 < speed <= 1000:
                raise WorldError("speed must be above 0 and at most 1000")
        except (WorldError, ValueError, TypeError) as exc:
            return _bad(str(exc))
        self._world.clock.set_speed(speed)
        self._world.emu.notify()
        return web.json_response({"ok": True, "speed": speed})

    # --- drills ------------------------------------------------------------------------------

    async def _drills(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "drills": self._drill_runner.catalogue()})

    async def _start_drill(self, request: web.Request) -> web.Response:
        try:
            body = await json_object(request)
            speed = body.get("speed")
            self._drill_runner.start(
                request.match_info["name"], float(speed) if speed is not None else None
            )
        except (WorldError, ValueError, TypeError) as exc:
            return _bad(str(exc))
        return web.json_response({"ok": True, "drill": self._drill_runner.status()})

    async def _drill(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "drill": self._drill_runner.status()})

    # --- live changes ------------------------------------------------------------------------

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        version = 0
        try:
            await response.write(b"retry: 1000\n\n")
            while not self._closing.is_set():
                await self._world.emu.wait_changed(KEEPALIVE_SECONDS)
                if self._closing.is_set():
                    break
                version += 1
                payload = json.dumps({"version": version, "drill": self._drill_runner.status()})
                await response.write(f"data: {payload}\n\n".encode())
                await asyncio.sleep(COALESCE_SECONDS)
            await response.write_eof()
        except ConnectionResetError:
            # The tab was closed.
            pass
        return response
