"""A seeded fuzz of the real bot: typed and forged input from everyone, and nobody left hanging.

Thousands of generated updates (commands with absurd arguments, plain messages, edits,
reactions, real and forged button presses) from every persona of the desk and from strangers,
in the duty group, the unit chats and private chats. Whatever arrives, no handler may fail,
every button press is answered, and a stranger sees nothing but the refusal.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import OutageKind, ProposalKind
from bot.epz.outages import NoticeInput
from bot.escalation.incidents import IncidentInput
from bot.handlers.common import REFUSAL
from bot.handlers.help import COMMAND_HELP
from bot.i18n import LOCALES, translator
from bot.logbook.service import Author
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    LEADER,
    OFF_DUTY,
    OFFICER,
    PEOPLE,
    SECTION,
    STRANGER,
    TEAM_CHAT,
    TEAM_CONTACT,
    UNIT_CHAT,
    UNIT_CONTACT,
    Desktop,
    launch,
    text_of,
)

SEED = 20261125
ICT = ZoneInfo("Asia/Ho_Chi_Minh")
# SQLite takes the big volume; PostgreSQL a smaller one, to keep CI within minutes.
VOLUME = {"sqlite": 3000, "postgresql": 2000}
# Updates queued before the bot is let to catch up (and the sender to send).
BATCH = 12
CONTACT, ADMIN, STRANGER_TWO = 3001, 1006, 4343
ADMIN_PERSON = {"id": ADMIN, "name": "Bùi Văn Quản", "title": "Quản trị", "admin": True}
PERSONAS = [LEADER, SECTION, CLERK, OFFICER, OFF_DUTY, UNIT_CONTACT, TEAM_CONTACT, CONTACT, ADMIN]
STRANGERS = [STRANGER, STRANGER_TWO]
SHARED_CHATS = [GROUP, GROUP, GROUP, UNIT_CHAT, TEAM_CHAT]
REFUSALS = {translator(code, ICT)(REFUSAL) for code in LOCALES}
# What must never reach a person: a traceback, an exception's name, a library's words.
INTERNAL = ("Traceback", "Error:", "Exception", "sqlalchemy", "psycopg", 'File "', "telegram.")

BIG = "9" * 20
NUMBERS = ["1", "2", "3", "0", "-1", "²", "٣", "１２", "𝟙", BIG, str(2**63), str(2**31), "1e9", ""]
DATES = [
    "2026-11-25",
    "25/11/2026",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "31/02/26",
    "٢٠٢٦-١١-٢٥",
    "2026-11-01..9999-12-31",
    "0001-01-01..2026-11-25",
    "today",
    "yesterday",
    "2026-Q9",
    "2026-00",
]
WORDS = [
    "",
    "x",
    "outage",
    "logbook",
    "incident",
    "equipment",
    "note",
    "pdf",
    "xlsx",
    "docx",
    "annex2",
    "2026/0001",
    "#1",
    "#" + BIG,
    "<b>bold</b>",
    "{given}",
    "%s",
    "\u202e",
    "🚨" * 40,
    "a" * 300,
    "51C-123.45",
    "MSCU1234565",
    "week",
    "last-month",
    "vi",
    "en",
    "dncx-abc",
]
TEXTS = [
    "Xe 51C-123.45 vào cổng B lúc 14:05 #vuviec",
    "#chidao Đề nghị Chi cục KV1 kiểm tra",
    "#ketqua đã kiểm tra, không có vi phạm",
    "Đ/c Giang 0912 345 678, 15:30",
    "Trần Hùng 0987654321, 45 phút",
    "51C-123.45 MSCU1234565 vào 14:05\n51C-999.99 ra 25:99",
    "Camera C01 mất tín hiệu từ 6h30, dự kiến khắc phục 30/11, liên hệ anh Tuấn 0909 123 456",
    "ok",
    "   ",
    "/",
    "﻿",
    "\u0000",
    "\u001b[31m",
    "ü" * 4000,
    "😀",
    "9999-12-31",
    BIG,
]
PREFIXES = [
    "al:inc:{n}",
    "al:nb:{n}",
    "al:fa:{n}",
    "ap:{n}:{n}",
    "rj:{n}:{n}",
    "ed:{n}:{n}",
    "gd:{n}:yes",
    "gd:{n}:maybe",
    "cf:{n}",
    "pr:new:{n}",
    "ur:new:{n}",
    "rq:now:{n}",
    "rq:ack:{n}",
    "rq:res:{n}",
    "rc:ok:{n}",
    "rc:no:{n}",
    "rc:fd:{n}",
    "ep:ok:{n}",
    "ep:nc:{n}",
    "ep:pg:{n}",
    "ep:rs:{n}",
    "ep:ex:{n}",
    "im:new:{n}",
    "ho:ok:{n}",
    "ho:rm:{n}",
    "ho:nt:{n}",
    "lb:{d}:{n}",
    "lang:{w}",
    "dr:{w}",
    "dr:kind:{w}",
    "dr:person:{n}",
    "dr:unit:{w}",
    "dr:cam:{w}",
    "dr:case:{w}",
    "dr:cancel",
    "dr:done",
    "dr:skip",
    "zz:{n}",
    "{w}",
    "",
    ":",
    "::::",
]


@dataclass
class Fuzzer:
    """Draws the next update from a seeded generator and remembers what it sent."""

    desktop: Desktop
    rng: random.Random
    queries: dict[str, int] = field(default_factory=dict)
    people_messages: dict[int, list[int]] = field(default_factory=dict)

    def sender(self) -> int:
        return self.rng.choice(PERSONAS * 3 + STRANGERS)

    def chat_for(self, user: int) -> int:
        return user if self.rng.random() < 0.4 else self.rng.choice(SHARED_CHATS)

    def argument(self) -> str:
        pool = self.rng.choice([NUMBERS, DATES, WORDS])
        words = [self.rng.choice(pool) for _ in range(self.rng.randint(0, 3))]
        return " ".join(w for w in words if w)

    def command(self) -> str:
        name = self.rng.choice([*COMMAND_HELP, "outage", "export", "measure", "roster", "nope"])
        suffix = self.rng.choice(["", "", "", "@duty_desk_bot", "@other_bot"])
        return f"/{name}{suffix} {self.argument()}".rstrip()

    def data(self) -> str:
        return (
            self.rng.choice(PREFIXES)
            .replace("{n}", self.rng.choice(NUMBERS), 1)
            .replace("{n}", self.rng.choice(NUMBERS))
            .replace("{d}", self.rng.choice(DATES))
            .replace("{w}", self.rng.choice(WORDS))
        )

    def step(self) -> None:
        """Queue one update of a random kind."""
        emu = self.desktop.emu
        user = self.sender()
        chat = self.chat_for(user)
        kind = self.rng.random()
        if kind < 0.2 and self.carry_on():
            return
        bots = emu.bot_messages(chat)
        if kind < 0.35 and self.press_real(chat, user):
            return
        if kind < 0.5:
            target = self.rng.choice(bots)["message_id"] if bots else None
            if self.rng.random() < 0.1:
                target = None
            query = emu.forge_press(chat, target, user, self.data())
            self.queries[query] = user
            return
        own = self.people_messages.get(chat, [])
        if kind < 0.55 and own:
            emu.inject_edit(chat, self.rng.choice(own), self.rng.choice(TEXTS))
            return
        if kind < 0.6 and (own or bots):
            target = self.rng.choice(own or [m["message_id"] for m in bots])
            emoji = self.rng.choice(["📌", "👍", "✍", "🔥"])
            emu.inject_reaction(chat, target, user, [emoji], date=self.desktop.clock.now())
            return
        text = self.command() if kind < 0.82 else self.rng.choice([*TEXTS, self.argument()])
        self.say(user, text, chat)

    def say(self, user: int, text: str, chat: int) -> None:
        message = self.desktop.say(user, text or "…", chat_id=chat)
        self.people_messages.setdefault(chat, []).append(message["message_id"])

    def press_real(self, chat: int, user: int) -> bool:
        """Press a real button of one of the chat's recent bot messages, as a client offers it."""
        emu = self.desktop.emu
        with_buttons = [m for m in emu.bot_messages(chat)[-20:] if any(inline_rows(m))]
        if not with_buttons:
            return False
        message = self.rng.choice(with_buttons)
        offered = [b["callback_data"] for row in inline_rows(message) for b in row]
        asker = (message.get("reply_to_message") or {}).get("from", {}).get("id")
        # Mostly the person the message answers presses its buttons, as at a real desk.
        if asker in PERSONAS and self.rng.random() < 0.6:
            user = asker
        query = emu.press_button(chat, message["message_id"], user, self.rng.choice(offered))
        self.queries[query] = user
        return True

    def carry_on(self) -> bool:
        """Answer the newest open question of a guided conversation, by button or by text."""
        emu = self.desktop.emu
        for message in reversed(emu.bot_messages()[-30:]):
            offered = [b["callback_data"] for row in inline_rows(message) for b in row]
            asker = (message.get("reply_to_message") or {}).get("from", {}).get("id")
            chat = message["chat"]["id"]
            if chat in PERSONAS:
                asker = chat
            if "dr:cancel" not in offered or asker not in PERSONAS:
                continue
            choices = [data for data in offered if data != "dr:cancel"]
            if choices and self.rng.random() < 0.5:
                query = emu.press_button(
                    chat, message["message_id"], asker, self.rng.choice(choices)
                )
                self.queries[query] = asker
            else:
                self.say(asker, self.rng.choice([*TEXTS, *TEXTS, self.argument()]), chat)
            return True
        return False


def inline_rows(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = (message.get("reply_markup") or {}).get(
        "inline_keyboard", []
    )
    return [[b for b in row if "callback_data" in b] for row in rows]


def seed_desk(desktop: Desktop) -> None:
    """Give the fuzz cards to press: incidents, a pending and an approved proposal, an outage."""
    desk, now = desktop.desk, desktop.clock.now()
    officer, leader = Author(OFFICER, "Phạm Thị Dung"), Author(LEADER, "Nguyễn Văn An")
    for number, approve in ((1, False), (2, True)):
        incident = desk.escalation.incidents.open(
            officer, IncidentInput(description=f"Xe số {number} ra cổng B", place="Cổng B"), now
        ).value
        assert incident.id is not None
        proposal = desk.escalation.approvals.propose(
            officer, incident.id, ProposalKind.COORDINATION, ["hq-kv1"], "Đề nghị kiểm tra", now
        ).value
        assert proposal is not None and proposal.id is not None
        if approve:
            assert desk.escalation.approvals.approve(leader, proposal.id, 1, now).ok
    desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.CAMERA,
            description="Camera C01 mất tín hiệu",
            cameras=["C01"],
            effect="",
            expected_fix=now.date() + dt.timedelta(days=3),
            tech_contact="Anh Tuấn 0909 123 456",
        ),
        Author(CONTACT, "Tuấn"),
        now,
    )


async def caught_up(desktop: Desktop) -> None:
    """Wait until the bot has fetched and handled every update, then let it send."""
    await desktop.emu.wait_until_consumed()
    # Fetched is not handled: the application works through its own queue after that.
    await desktop.app.update_queue.join()
    await desktop.settle()


class Failures(logging.Handler):
    """Collects every ERROR (and worse) logged while the fuzz runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def failures() -> Any:
    handler = Failures()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def test_fuzz_no_input_gets_silence_or_a_traceback(
    migrated_url: str, failures: Failures
) -> None:
    backend = "postgresql" if migrated_url.startswith("postgresql") else "sqlite"
    volume = int(os.environ.get("DUTY_DESK_FUZZ_VOLUME", VOLUME[backend]))
    async with launch(migrated_url, people=[*PEOPLE, ADMIN_PERSON]) as desktop:
        emu = desktop.emu
        emu.add_user(ADMIN, "Quản", language_code="vi")
        emu.add_user(CONTACT, "Tuấn", language_code="vi")
        emu.add_user(STRANGER_TWO, "Stranger", language_code="en")
        invite = desktop.desk.enrolment.issue("dncx-abc", OFFICER, desktop.clock.now())
        desktop.desk.enrolment.redeem(invite.code, CONTACT, "Tuấn", desktop.clock.now())
        seed_desk(desktop)
        await caught_up(desktop)
        # Another seed explores other paths: DUTY_DESK_FUZZ_SEED=7 pytest tests/e2e/test_fuzz.py
        fuzzer = Fuzzer(desktop, random.Random(int(os.environ.get("DUTY_DESK_FUZZ_SEED", SEED))))
        for number in range(volume):
            fuzzer.step()
            if number % BATCH == BATCH - 1:
                await caught_up(desktop)
                if fuzzer.rng.random() < 0.1:
                    desktop.clock.advance(dt.timedelta(minutes=fuzzer.rng.choice([1, 5, 16, 31])))
        await caught_up(desktop)

        errors = [
            f"{r.name}: {r.getMessage()[:300]} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in failures.records
        ]
        assert errors == [], f"{len(errors)} errors, first ones: {errors[:5]}"
        unanswered = [q for q in fuzzer.queries if q not in emu.answers]
        assert unanswered == [], f"{len(unanswered)} of {len(fuzzer.queries)} presses unanswered"
        for query, user in fuzzer.queries.items():
            if user in STRANGERS:
                assert emu.answers[query]["text"] in REFUSALS
        for stranger in STRANGERS:
            for message in emu.bot_messages(stranger):
                assert text_of(message) in REFUSALS
        leaks = [
            text_of(m)[:200]
            for m in emu.bot_messages()
            if any(word in text_of(m) for word in INTERNAL)
        ]
        assert leaks == []
