"""The real bot against the Bot API emulator over loopback HTTP, on a real database."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.desk import Desk
from bot.devtools.emulator import BotApiEmulator
from bot.handlers.common import App
from tests.conftest import MORNING

GROUP = -1001234567890
LEADER, SECTION, CLERK, OFFICER, OFF_DUTY, STRANGER = 1001, 1002, 1003, 1004, 1005, 4242
UNIT_CHAT, TEAM_CHAT = -100777, -100778
INTAKE_SECRET = "test-intake-secret"
UNIT_CONTACT, TEAM_CONTACT = 2001, 2002
# Named people a request may go to privately; the second never opened a chat with the bot.
TEAM_LEADER, NOT_STARTED = 2003, 2004


# The EPZ enterprise of every desk: a gate and a storage camera on its map, none in the registry.
ENTERPRISE: dict[str, Any] = {
    "key": "dncx-abc",
    "name": "Công ty TNHH ABC Việt Nam",
    "tax_code": "0312345678",
    "address": "KCX Tân Thuận, Quận 7",
    # Configured, so enrolment asks its contacts nothing more (test_enrolment asks without it).
    "legal_representative": "Lê Thị Hạnh",
    "branch": "hq-kv1",
    "officer": OFFICER,
    "cameras": [
        {"number": "C01", "name": "Cổng chính", "kind": "gate"},
        {"number": "C02", "name": "Kho ngoại quan", "kind": "storage"},
    ],
}


PEOPLE: list[dict[str, Any]] = [
    {"id": LEADER, "name": "Nguyễn Văn An", "title": "Phó Cục trưởng"},
    {"id": SECTION, "name": "Trần Thị Bình", "title": "Trưởng phòng"},
    {"id": CLERK, "name": "Lê Văn Cường", "title": "Chuyên viên Phòng Tổng hợp"},
    {"id": OFFICER, "name": "Phạm Thị Dung", "title": "Công chức"},
    {"id": OFF_DUTY, "name": "Hoàng Văn Em", "title": "Công chức"},
    {"id": UNIT_CONTACT, "name": "Võ Văn Giang", "title": "Đội trưởng", "unit": "hq-kv1"},
    {"id": TEAM_CONTACT, "name": "Đặng Thị Hoa", "title": "Đội phó", "unit": "doi-ks"},
    {"id": TEAM_LEADER, "name": "Lý Văn Khoa", "title": "Tổ trưởng Tổ cơ động"},
    {"id": NOT_STARTED, "name": "Mai Văn Lộc", "title": "Đội trưởng Đội Kiểm soát ma túy"},
]


# The camera registry: five cameras in two areas, none reachable over ONVIF.
CAMERAS: list[dict[str, Any]] = [
    {
        "number": "12",
        "name": "Cổng B làn vào",
        "place": "Cảng Cát Lái, cổng B",
        "area": "Cát Lái",
        "unit": "hq-kv1",
        "neighbours": ["13", "14"],
    },
    {
        "number": "13",
        "name": "Cổng B làn ra",
        "place": "Cảng Cát Lái, cổng B",
        "area": "Cát Lái",
        "unit": "hq-kv1",
    },
    {"number": "14", "name": "Bãi B3", "place": "Cảng Cát Lái, bãi B3", "area": "Cát Lái"},
    {"number": "15", "name": "Kho CFS", "place": "Kho CFS số 2", "area": "ICD"},
    {"number": "16", "name": "Cổng ICD", "place": "ICD Transimex", "area": "ICD"},
]


def desk_config(emu: BotApiEmulator, database_url: str, **extra: Any) -> dict[str, Any]:
    """A realistic desk: a group, nine people, two units, a roster for today and tomorrow."""
    config: dict[str, Any] = {
        "telegram": {
            "token": emu.token,
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "duty_group_id": GROUP,
            "rate_limits": {
                "group_per_minute": 6000,
                "overall_per_second": 1000,
                "private_per_second": 1000,
            },
        },
        "database": {"url": database_url},
        "people": PEOPLE,
        "units": [
            {"key": "hq-kv1", "name": "Chi cục HQ CK cảng Sài Gòn KV1", "chat_id": UNIT_CHAT},
            {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": TEAM_CHAT},
        ],
        "cameras": CAMERAS,
        "intake": {"enabled": True, "port": 0, "secret": INTAKE_SECRET},
        # The operator's port on any free port: tests run side by side, several bots at once.
        "ops": {"port": 0},
        "enterprises": [ENTERPRISE],
        # The monthly rotation posts and logs a plan at start-up; tests not about it keep
        # the chats and the logbook's numbering to themselves (test_rotation turns it on).
        "epz": {"rotation": {"enabled": False}},
        # Likewise the shift's opening, handover and daily report (test_handover turns it on).
        "shift": {"cycle": {"enabled": False}},
        "alerts": {
            "digest_after_per_minute": 3,
            "fold_window_seconds": 300,
            "health_every_seconds": 3600,
        },
        "roster": {
            "days": {
                "2026-11-25": {
                    "shift_leader": LEADER,
                    "section_leader": SECTION,
                    "clerk": CLERK,
                    "officers": [OFFICER],
                },
                "2026-11-26": {"shift_leader": SECTION, "clerk": CLERK, "officers": [OFF_DUTY]},
            }
        },
    }
    config.update(extra)
    return config


@dataclass
class Desktop:
    """One running bot with its emulator, clock and database, and the people in the chats."""

    emu: BotApiEmulator
    clock: ManualClock
    settings: Settings
    engine: Engine
    desk: Desk
    app: App
    _stack: AsyncExitStack

    def say(self, user_id: int, text: str, chat_id: int = GROUP, **kwargs: Any) -> dict[str, Any]:
        """Post a message as a person, dated by the test clock."""
        kwargs.setdefault("date", self.clock.now())
        return self.emu.inject_message(chat_id, user_id, text, **kwargs)

    async def answer(
        self,
        chat_id: int,
        after: int,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """Wait for the bot's next message in a chat since a mark."""
        return await self.emu.wait_for_message(chat_id, after=after, predicate=predicate)

    async def settle(self) -> None:
        """Let the bot take every update, fire what is due by the test clock, and send."""
        await self.emu.wait_until_consumed()
        await self.desk.cameras.alerts.settle()
        self.desk.timers.fire_due(self.clock.now())
        sender = self.app.bot_data.get("outbox_sender")
        if sender is not None:
            await sender.drain()

    async def later(self, minutes: float) -> None:
        """Move the test clock on, then settle."""
        self.clock.advance(dt.timedelta(minutes=minutes))
        await self.settle()

    async def stop(self) -> None:
        """Stop the bot as a crash or a restart would (the database stays)."""
        await self._stack.aclose()

    async def restart(self) -> None:
        """Start a fresh bot process on the same database and emulator."""
        await self.stop()
        self.desk = Desk.build(self.settings, self.engine, self.clock)
        self.app = build_application(self.settings, clock=self.clock, desk=self.desk)
        self._stack = AsyncExitStack()
        await self._stack.enter_async_context(running(self.app))


@pytest.fixture
async def desktop(migrated_url: str) -> AsyncIterator[Desktop]:
    """Start the emulator, then the real bot on it, at 09:00 on 25 November 2026."""
    async with launch(migrated_url) as desktop:
        yield desktop


@asynccontextmanager
async def launch(
    migrated_url: str,
    *,
    telegram_limits: bool = False,
    prepare: Callable[[BotApiEmulator], None] | None = None,
    telegram: dict[str, Any] | None = None,
    **extra: Any,
) -> AsyncIterator[Desktop]:
    """Run the real bot against a fresh emulator; `extra` adds or replaces config sections.

    With `telegram_limits` the emulator refuses like Telegram (20 a minute per group) and the
    bot keeps its default pace. `prepare` changes the emulated world before the bot starts.
    `telegram` adds or replaces keys of the telegram section (e.g. webhook mode).
    """
    flood = (20, 60.0) if telegram_limits else None
    async with BotApiEmulator(flood_limit_per_chat=flood) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban HQ")
        emu.add_chat(UNIT_CHAT, "supergroup", "Trực ban Chi cục KV1")
        emu.add_chat(TEAM_CHAT, "supergroup", "Đội Kiểm soát")
        people = [
            (LEADER, "An"),
            (SECTION, "Bình"),
            (CLERK, "Cường"),
            (OFFICER, "Dung"),
            (OFF_DUTY, "Em"),
            (STRANGER, "Lạ"),
            (UNIT_CONTACT, "Giang"),
            (TEAM_CONTACT, "Hoa"),
        ]
        for user_id, first in people:
            emu.add_user(user_id, first, language_code="vi")
        emu.add_user(TEAM_LEADER, "Khoa", language_code="vi")
        emu.add_user(NOT_STARTED, "Lộc", language_code="vi", started_bot=False)
        if prepare is not None:
            prepare(emu)
        clock = ManualClock(MORNING)
        emu.now = clock.now
        config = desk_config(emu, migrated_url, **extra)
        if telegram_limits:
            config["telegram"].pop("rate_limits")
        config["telegram"].update(telegram or {})
        settings = Settings(**config)
        engine = make_engine(migrated_url)
        desk = Desk.build(settings, engine, clock)
        app = build_application(settings, clock=clock, desk=desk)
        stack = AsyncExitStack()
        await stack.enter_async_context(running(app))
        desktop = Desktop(emu, clock, settings, engine, desk, app, stack)
        try:
            yield desktop
        finally:
            await desktop.stop()
        engine.dispose()


def text_of(message: dict[str, Any]) -> str:
    """The visible text of a bot message."""
    return str(message.get("text") or message.get("caption") or "")


def buttons_of(message: dict[str, Any]) -> list[tuple[str, str]]:
    """The inline buttons of a bot message, as (label, data)."""
    markup = message.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


ONE_HOUR = dt.timedelta(hours=1)
