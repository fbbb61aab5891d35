"""The sandbox's emulated world, and what its people do in it: write, press, fire a camera.

The page (web.py) and the drills play on a `World`; runtime.py builds and runs one (its
`Sandbox` is a World with a lifecycle), so nothing here looks up at the modules that use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import ScaledClock
from bot.config import Settings
from bot.desk import Desk
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.onvif_camera import (
    GLOBAL_SCENE_CHANGE,
    MOTION_ALARM,
    SIGNAL_LOSS,
    TAMPER,
    SimulatedCamera,
)
from bot.handlers.common import DESKS_KEY, App
from bot.process_roles import SENDER_KEY
from bot.sandbox import demo
from bot.sender import OutboxSender

JsonDict = dict[str, Any]


@dataclass
class SandboxOptions:
    """Where the page listens, where the data lives, how fast the clock runs."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path | None = None
    speed: float = 1.0
    locale: str = "vi"


@dataclass
class World:
    """The running parts a sandbox plays on: emulated Telegram, cameras, the clock, the desk."""

    options: SandboxOptions = field(default_factory=SandboxOptions)
    emu: BotApiEmulator = field(init=False)
    cameras: dict[str, SimulatedCamera] = field(init=False)
    clock: ScaledClock = field(init=False)
    settings: Settings = field(init=False)
    engine: Engine = field(init=False)
    desk: Desk = field(init=False)
    app: App = field(init=False)
    data_dir: Path = field(init=False)

    async def settle(self) -> None:
        """Let the bot take every update and send what it has queued."""
        await self.emu.wait_until_consumed(timeout=30)
        for desk in self.app.bot_data[DESKS_KEY]:
            await desk.cameras.alerts.settle()
        sender = self.app.bot_data.get(SENDER_KEY)
        if isinstance(sender, OutboxSender):
            await sender.drain()


# The camera events a trainer can set off, as the simulated camera sends them.
CAMERA_EVENTS: dict[str, tuple[str, str]] = {
    "motion": (MOTION_ALARM, "State"),
    "tampering": (TAMPER, "IsTamper"),
    "video_loss": (SIGNAL_LOSS, "State"),
    "scene_change": (GLOBAL_SCENE_CHANGE, "State"),
}


class WorldError(ValueError):
    """Something the page or a drill asked for that the world cannot do (a 400 answer)."""


def say(
    world: World, chat_id: int, user_id: int, text: str, reply_to: int | None = None
) -> JsonDict:
    """A persona writes in a chat, dated by the sandbox's clock."""
    if user_id not in {p.id for p in demo.PERSONAS}:
        raise WorldError(f"unknown persona {user_id}")
    if chat_id > 0 and chat_id != user_id:
        raise WorldError("only its owner writes in a private chat")
    if not text.strip():
        raise WorldError("empty message")
    try:
        return world.emu.inject_message(
            chat_id, user_id, text, reply_to_message_id=reply_to, date=world.clock.now()
        )
    except ValueError as exc:
        raise WorldError(str(exc)) from None


def press(world: World, chat_id: int, message_id: int, user_id: int, data: str) -> str:
    """A persona presses an inline button; returns the callback query's id."""
    if user_id not in {p.id for p in demo.PERSONAS}:
        raise WorldError(f"unknown persona {user_id}")
    try:
        return world.emu.press_button(chat_id, message_id, user_id, data)
    except (AssertionError, ValueError) as exc:
        raise WorldError(str(exc)) from None


def camera_event(world: World, key: str, kind: str) -> None:
    """A simulated camera reports an event (a pulse: it starts and ends at once)."""
    camera_info = demo.camera_by_key(key)
    if camera_info is None or kind not in CAMERA_EVENTS:
        raise WorldError(f"unknown camera {key!r} or event {kind!r}")
    camera = world.cameras[camera_info.key]
    topic, item = CAMERA_EVENTS[kind]
    now = world.clock.now()
    camera.emit(topic, {item: "true"}, when=now)
    camera.emit(topic, {item: "false"}, when=now)


def camera_power(world: World, key: str, online: bool) -> None:
    """Unplug a simulated camera, or plug it back in."""
    camera_info = demo.camera_by_key(key)
    if camera_info is None:
        raise WorldError(f"unknown camera {key!r}")
    world.cameras[camera_info.key].set_mode("ok" if online else "offline")
