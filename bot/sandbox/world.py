"""What the sandbox's people do in the emulated world: write, press, make a camera fire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.devtools.onvif_camera import GLOBAL_SCENE_CHANGE, MOTION_ALARM, SIGNAL_LOSS, TAMPER
from bot.sandbox import demo

if TYPE_CHECKING:
    from bot.sandbox.runtime import Sandbox

JsonDict = dict[str, Any]

# The camera events a trainer can set off, as the simulated camera sends them.
CAMERA_EVENTS: dict[str, tuple[str, str]] = {
    "motion": (MOTION_ALARM, "State"),
    "tampering": (TAMPER, "IsTamper"),
    "video_loss": (SIGNAL_LOSS, "State"),
    "scene_change": (GLOBAL_SCENE_CHANGE, "State"),
}


class WorldError(ValueError):
    """Something the page or a drill asked for that the world cannot do (a 400 answer)."""


def private_chats() -> list[int]:
    """Each persona's private chat with the bot has the persona's id."""
    return [p.id for p in demo.PERSONAS]


def say(
    sandbox: Sandbox, chat_id: int, user_id: int, text: str, reply_to: int | None = None
) -> JsonDict:
    """A persona writes in a chat, dated by the sandbox's clock."""
    if user_id not in {p.id for p in demo.PERSONAS}:
        raise WorldError(f"unknown persona {user_id}")
    if chat_id > 0 and chat_id != user_id:
        raise WorldError("only its owner writes in a private chat")
    if not text.strip():
        raise WorldError("empty message")
    try:
        return sandbox.emu.inject_message(
            chat_id, user_id, text, reply_to_message_id=reply_to, date=sandbox.clock.now()
        )
    except ValueError as exc:
        raise WorldError(str(exc)) from None


def press(sandbox: Sandbox, chat_id: int, message_id: int, user_id: int, data: str) -> str:
    """A persona presses an inline button; returns the callback query's id."""
    if user_id not in {p.id for p in demo.PERSONAS}:
        raise WorldError(f"unknown persona {user_id}")
    try:
        return sandbox.emu.press_button(chat_id, message_id, user_id, data)
    except (AssertionError, ValueError) as exc:
        raise WorldError(str(exc)) from None


def camera_event(sandbox: Sandbox, key: str, kind: str) -> None:
    """A simulated camera reports an event (a pulse: it starts and ends at once)."""
    camera_info = demo.camera_by_key(key)
    if camera_info is None or kind not in CAMERA_EVENTS:
        raise WorldError(f"unknown camera {key!r} or event {kind!r}")
    camera = sandbox.cameras[camera_info.key]
    topic, item = CAMERA_EVENTS[kind]
    now = sandbox.clock.now()
    camera.emit(topic, {item: "true"}, when=now)
    camera.emit(topic, {item: "false"}, when=now)


def camera_power(sandbox: Sandbox, key: str, online: bool) -> None:
    """Unplug a simulated camera, or plug it back in."""
    camera_info = demo.camera_by_key(key)
    if camera_info is None:
        raise WorldError(f"unknown camera {key!r}")
    sandbox.cameras[camera_info.key].set_mode("ok" if online else "offline")
