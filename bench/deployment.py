"""The deployment the processes bench runs: K desks of C cameras, their groups and the YAML.

Each desk has its own duty group, six units (three with a chat of their own) and C cameras
numbered D<desk>C<camera> (deployment-unique, as the intake routes an alert by its number).
One desk is written as today's single-desk configuration; more as the `desks:` section of
issue 14 item 1. A few cameras (spread over the desks) are simulated ONVIF cameras served by
the bench; the others are intake-only. The emulator answers like Telegram: 429 past 20 new
messages a minute in a chat and past 30 calls to chats in any second overall.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bench.cameras import AREAS, LEADER, OFFICER, PASSWORD, PLACES, SECRET, SPOTS, UNITS
from bot.devtools.emulator import ApiError, BotApiEmulator
from bot.devtools.emulator.params import Params, too_many_requests
from bot.devtools.onvif_camera import SimulatedCamera

TOKEN = "987654321:bench-processes"
TELEGRAM_GROUP_LIMIT = 20
TELEGRAM_OVERALL_PER_SECOND = 30
GROUP_BASE = -1001000000000
UNIT_CHAT_BASE = -1002000000000
ICT = dt.timezone(dt.timedelta(hours=7))


@dataclass
class DeskPlan:
    """One desk as the bench configures it."""

    index: int
    cameras: list[str]
    onvif: dict[str, SimulatedCamera] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"d{self.index:02d}"

    @property
    def group(self) -> int:
        return GROUP_BASE - self.index

    def units(self) -> list[tuple[str, str, int | None]]:
        """Today's six units, the three with a chat each given a chat of this desk's own."""
        return [
            (key, name, None if chat is None else UNIT_CHAT_BASE - self.index * 10 - n)
            for n, (key, name, chat) in enumerate(UNITS)
        ]

    def chats(self) -> set[int]:
        return {self.group} | {chat for _k, _n, chat in self.units() if chat is not None}

    def camera_config(self) -> list[dict[str, Any]]:
        config = []
        for n, number in enumerate(self.cameras):
            area = n % len(AREAS)
            spot = SPOTS[(n // len(AREAS)) % len(SPOTS)]
            camera: dict[str, Any] = {
                "number": number,
                "name": spot,
                "place": f"{PLACES[area]}, {spot.lower()}",
                "area": AREAS[area],
                "unit": UNITS[area][0],
            }
            cam = self.onvif.get(number)
            if cam is not None:
                camera["onvif"] = {
                    "host": cam.host,
                    "port": cam.port,
                    "username": "admin",
                    "password": PASSWORD,
                }
            config.append(camera)
        return config

    def roster(self) -> dict[str, Any]:
        today = dt.datetime.now(dt.UTC).astimezone(ICT).date()
        return {
            "days": {
                str(today + dt.timedelta(days=d)): {"shift_leader": LEADER, "officers": [OFFICER]}
                for d in (-1, 0, 1)
            }
        }


def plan_desks(desks: int, cameras: int, onvif: int) -> list[DeskPlan]:
    """K desks of C cameras; the first `onvif` cameras, dealt round the desks, are ONVIF ones."""
    plans = [
        DeskPlan(k + 1, [f"D{k + 1:02d}C{n + 1:03d}" for n in range(cameras)]) for k in range(desks)
    ]
    for n in range(min(onvif, desks * cameras)):
        desk = plans[n % desks]
        number = desk.cameras[n // desks]
        desk.onvif[number] = SimulatedCamera(
            name=f"CAM {number}", password=PASSWORD, serial=f"SIM-{number}"
        )
    return plans


def deployment_yaml(emu: BotApiEmulator, url: str, plans: list[DeskPlan]) -> dict[str, Any]:
    """The configuration file: single-desk for one desk, the `desks:` form for more."""
    config: dict[str, Any] = {
        "telegram": {
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "poll_timeout_seconds": 1,
        },
        "database": {"url": url},
        "people": [{"id": LEADER, "name": "An"}, {"id": OFFICER, "name": "Dung"}],
        "intake": {"enabled": True, "secret": SECRET},
        "ops": {"enabled": False},
        "epz": {"rotation": {"enabled": False}},
        "shift": {"cycle": {"enabled": False}},
    }
    if len(plans) == 1:
        (desk,) = plans
        config["telegram"]["duty_group_id"] = desk.group
        config["units"] = unit_config(desk)
        config["cameras"] = desk.camera_config()
        config["roster"] = desk.roster()
        return config
    config["desks"] = [
        {
            "key": desk.key,
            "name": f"Trực ban {desk.index:02d}",
            "telegram": {"duty_group_id": desk.group},
            "units": unit_config(desk),
            "cameras": desk.camera_config(),
            "roster": desk.roster(),
        }
        for desk in plans
    ]
    return config


def unit_config(desk: DeskPlan) -> list[dict[str, Any]]:
    return [{"key": key, "name": name, "chat_id": chat} for key, name, chat in desk.units()]


def seed_chats(emu: BotApiEmulator, plans: list[DeskPlan]) -> None:
    """Every desk's duty group and unit chats, and the two people, as the configuration names."""
    for desk in plans:
        emu.add_chat(desk.group, "supergroup", f"Tổ trực ban {desk.index:02d}")
        for _key, name, chat in desk.units():
            if chat is not None:
                emu.add_chat(chat, "supergroup", f"{name} ({desk.key})")
    emu.add_user(LEADER, "An", language_code="vi")
    emu.add_user(OFFICER, "Dung", language_code="vi")


def writes(method: str) -> bool:
    """Whether a Bot API method writes to a chat (and so spends the bot's 30 a second)."""
    return not method.startswith("get")


@dataclass(frozen=True)
class ChatCall:
    """A call to a chat as the emulator answered it."""

    moment: float  # time.monotonic(), shared with the bench's client
    chat: int
    method: str
    body: str
    refused: str  # "" when taken; else why Telegram would have answered 429


class TelegramLikeEmulator(BotApiEmulator):
    """The emulator with Telegram's limits, noting each call to a chat, its text and answer.

    Telegram answers 429 past 20 new messages a minute in a group (the emulator's per-chat
    limit) and past about 30 messages a second overall; the overall limit is counted here over
    a sliding second of every call that writes to a chat (messages, edits, reactions, deletions;
    not the reads such as getChat or getChatMember).
    """

    def __init__(self) -> None:
        super().__init__(token=TOKEN, flood_limit_per_chat=(TELEGRAM_GROUP_LIMIT, 60.0))
        self.chat_calls: list[ChatCall] = []
        self._second: deque[float] = deque()

    def _check_flood(self, method: str, params: Params) -> None:
        chat_id = params.values.get("chat_id")
        if not isinstance(chat_id, int) or not writes(method):
            super()._check_flood(method, params)
            return
        body = str(params.values.get("text") or params.values.get("caption") or "")
        now = time.monotonic()
        while self._second and self._second[0] <= now - 1.0:
            self._second.popleft()
        refused = ""
        try:
            if len(self._second) >= TELEGRAM_OVERALL_PER_SECOND:
                refused = "30 a second overall"
                self.refused_429 += 1
                raise too_many_requests(1)
            refused = "20 a minute in the chat"
            super()._check_flood(method, params)
            refused = ""
        except ApiError:
            self.chat_calls.append(ChatCall(now, chat_id, method, body, refused))
            raise
        self._second.append(now)
        self.chat_calls.append(ChatCall(now, chat_id, method, body, ""))
