"""One process holding the sandbox: emulator, cameras, database, the real bot and the page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import tempfile
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.app import ALARM_KEY, build_application, running
from bot.clock import ScaledClock
from bot.config import Settings
from bot.db.engine import make_engine, upgrade
from bot.deadlines.alarm import Alarm
from bot.desks import Desks
from bot.devtools.emulator import BotApiEmulator
from bot.handlers.common import DESKS_KEY
from bot.sandbox import demo
from bot.sandbox.drills.runner import DrillRunner
from bot.sandbox.web import SandboxWeb
from bot.sandbox.world import SandboxOptions, World

__all__ = ["BOT_USERNAME", "Sandbox", "SandboxOptions", "serve"]

log = logging.getLogger(__name__)

# The bot's name in the emulated Telegram.
BOT_USERNAME = "duty_desk_sandbox_bot"


@dataclass
class Sandbox(World):
    """The running sandbox; `async with Sandbox(options) as sandbox:` starts it all."""

    desks: Desks = field(init=False)
    web: SandboxWeb = field(init=False)
    drills: DrillRunner = field(init=False)
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    @property
    def url(self) -> str:
        """The page's address."""
        return self.web.url

    async def __aenter__(self) -> Sandbox:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stack.aclose()

    async def _start(self) -> None:
        self._data_dir()
        self.clock = ScaledClock(speed=self.options.speed)
        self.emu = BotApiEmulator(token="100001:SANDBOX", bot_username=BOT_USERNAME)
        self.emu.now = self.clock.now
        self._world()
        await self._stack.enter_async_context(self.emu)
        self.cameras = demo.simulated_cameras()
        for camera in self.cameras.values():
            await self._stack.enter_async_context(camera)
        url = f"sqlite:///{self.data_dir / 'sandbox.db'}"
        upgrade(url)
        config = demo.demo_config(
            base_url=self.emu.base_url,
            base_file_url=self.emu.base_file_url,
            token=self.emu.token,
            database_url=url,
            cameras=self.cameras,
            today=self.clock.now().date(),
        )
        config["locale"] = self.options.locale
        # Telegram and the cameras are simulated: nothing for an operator's probe or scraper,
        # and a real bot on the same machine keeps its port.
        config["ops"] = {"enabled": False}
        deployment = Settings(**config)
        self.engine = make_engine(url, desk=demo.MAIN_DESK)
        self._stack.callback(self.engine.dispose)
        self.app = build_application(deployment, clock=self.clock)
        # Two duty rooms on the one bot; the page's drills and reports play the first.
        self.desks = self.app.bot_data[DESKS_KEY]
        self.desk = self.desks.first
        self.settings = self.desk.settings
        self._stack.callback(self.desks.engine.dispose)
        self._enrol_epz_contact()
        await self._stack.enter_async_context(running(self.app))
        alarm = self.app.bot_data[ALARM_KEY]
        assert isinstance(alarm, Alarm)
        self.clock.on_change.append(alarm.reset)
        self.drills = DrillRunner(self)
        self._stack.push_async_callback(self.drills.stop)
        self.web = SandboxWeb(self, self.drills)
        await self.web.start(self.options.host, self.options.port)
        self._stack.push_async_callback(self.web.stop)

    def _data_dir(self) -> None:
        if self.options.data_dir is not None:
            self.data_dir = self.options.data_dir
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return
        # A fresh desk every start unless asked to keep one.
        self.data_dir = Path(tempfile.mkdtemp(prefix="duty-desk-sandbox-"))
        self._stack.callback(shutil.rmtree, self.data_dir, True)

    def _world(self) -> None:
        """The emulated Telegram: the people, the group and the units' chats."""
        for persona in demo.PERSONAS:
            self.emu.add_user(persona.id, persona.first_name, language_code=self.options.locale)
        for chat in demo.CHATS:
            self.emu.add_chat(chat.id, "supergroup", chat.title)
            for member in chat.members:
                self.emu.set_member_status(chat.id, member, "member")
        self.emu.set_member_status(demo.GROUP, self.emu.bot_user["id"], "administrator")

    def _enrol_epz_contact(self) -> None:
        """The EPZ contact starts enrolled, as if they had opened the officer's invite."""
        contact = next(p for p in demo.PERSONAS if p.id == demo.EPZ_CONTACT)
        if self.desk.enrolment.enterprise_of(contact.id) is not None:
            return
        now = self.clock.now()
        invite = self.desk.enrolment.issue(demo.ENTERPRISE_KEY, demo.OFFICER, now)
        self.desk.enrolment.redeem(invite.code, contact.id, contact.name, now)


async def serve(
    options: SandboxOptions,
    on_ready: Callable[[Sandbox], None],
    drill: str | None = None,
    drill_speed: float | None = None,
) -> dict[str, Any] | None:
    """Run the sandbox until interrupted, or a drill until its report; return the drill's status.

    `on_ready` tells the operator where the page is.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with Sandbox(options) as sandbox:
        on_ready(sandbox)
        if drill is None:
            await stop.wait()
            return None
        sandbox.drills.start(drill, drill_speed)
        # A drill ends with its report; Ctrl+C stops it sooner (the report still says how far
        # it got). Either way the sandbox closes after it.
        stopped = asyncio.create_task(stop.wait(), name="sandbox-stop")
        played = asyncio.create_task(sandbox.drills.wait(), name="drill-wait")
        await asyncio.wait((stopped, played), return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        await sandbox.drills.stop()
        return await played
