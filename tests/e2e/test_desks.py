"""Two duty rooms on one deployment: one bot, one database, nothing of one shown in the other.

The Cát Lái desk (hq) and the Đồng Nai desk (dn) share the people: An leads hq's shift and is
an officer in dn; Em is off duty in hq and leads dn's shift. Each desk's rights come from its
own roster; its alerts, logbook, exports and hash chain are its own.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import aiohttp
import openpyxl
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_application, running
from bot.camera.intake import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from bot.clock import ManualClock
from bot.config import Settings
from bot.db.desk_scope import desk_engine
from bot.db.engine import make_engine
from bot.db.models import CameraAlert, LogbookEntry
from bot.desks import Desks
from bot.devtools.emulator import BotApiEmulator
from bot.handlers.common import DESKS_KEY, App
from bot.logbook.chain import head, verify
from tests.conftest import MORNING
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    INTAKE_SECRET,
    LEADER,
    OFF_DUTY,
    OFFICER,
    SECTION,
    STRANGER,
    UNIT_CONTACT,
    buttons_of,
    desk_config,
    text_of,
)
from tests.e2e.test_alerts import alert_body

DN_GROUP = -1009876543210
DN_CAMERA = "DN01"


def two_desks(emu: BotApiEmulator, database_url: str) -> dict[str, Any]:
    """Today's test desk as "hq", and a second desk in Đồng Nai with its own group and roster."""
    one = desk_config(emu, database_url)
    hq = {
        "key": "hq",
        "name": "Trực ban Cục HQ TP.HCM",
        "telegram": {"duty_group_id": GROUP},
        **{key: one.pop(key) for key in ("units", "cameras", "enterprises", "roster")},
    }
    one["telegram"].pop("duty_group_id")
    dn = {
        "key": "dn",
        "name": "Trực ban Cục HQ Đồng Nai",
        "telegram": {"duty_group_id": DN_GROUP},
        "cameras": [{"number": DN_CAMERA, "name": "Cổng KCX Long Bình", "place": "KCX Long Bình"}],
        "roster": {
            "days": {
                "2026-11-25": {"shift_leader": OFF_DUTY, "officers": [LEADER]},
            }
        },
    }
    return {**one, "desks": [hq, dn]}


@dataclass
class Deployment:
    """One bot serving two desks, with the emulator and the test clock."""

    emu: BotApiEmulator
    clock: ManualClock
    engine: Engine
    app: App

    @property
    def desks(self) -> Desks:
        return self.app.bot_data[DESKS_KEY]  # type: ignore[no-any-return]

    def say(self, user_id: int, text: str, chat_id: int) -> dict[str, Any]:
        return self.emu.inject_message(chat_id, user_id, text, date=self.clock.now())

    async def settle(self) -> None:
        await self.emu.wait_until_consumed()
        for desk in self.desks:
            await desk.cameras.alerts.settle()
            desk.timers.fire_due(self.clock.now())
        await self.app.bot_data["outbox_sender"].drain()

    async def reply(self, user_id: int, text: str, chat_id: int) -> dict[str, Any]:
        mark = self.emu.mark()
        self.say(user_id, text, chat_id)
        await self.settle()
        return await self.emu.wait_for_message(chat_id, after=mark)


@pytest.fixture
async def deployment(migrated_url: str) -> AsyncIterator[Deployment]:
    async with BotApiEmulator() as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban HQ TP.HCM")
        emu.add_chat(DN_GROUP, "supergroup", "Tổ trực ban HQ Đồng Nai")
        for user_id, first in [
            (LEADER, "An"),
            (SECTION, "Bình"),
            (CLERK, "Cường"),
            (OFFICER, "Dung"),
            (OFF_DUTY, "Em"),
            (STRANGER, "Lạ"),
            (UNIT_CONTACT, "Giang"),
        ]:
            emu.add_user(user_id, first, language_code="vi")
        clock = ManualClock(MORNING)
        emu.now = clock.now
        settings = Settings(**two_desks(emu, migrated_url))
        app = build_application(settings, clock=clock)
        stack = AsyncExitStack()
        await stack.enter_async_context(running(app))
        engine = make_engine(migrated_url, desk=None)
        try:
            yield Deployment(emu, clock, engine, app)
        finally:
            await stack.aclose()
            engine.dispose()


def entries(engine: Engine, desk: str) -> list[LogbookEntry]:
    with Session(desk_engine(engine, desk)) as session:
        return list(session.exec(select(LogbookEntry).order_by(LogbookEntry.id)))  # type: ignore[arg-type]


async def post_alert(deployment: Deployment, camera: str) -> int:
    body = alert_body(camera=camera)
    stamp = str(int(deployment.clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(INTAKE_SECRET, stamp, body),
    }
    port = deployment.app.bot_data["intake"].port
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{port}/api/v1/alerts", data=body, headers=headers) as answer,
    ):
        return answer.status


async def test_each_desk_files_by_its_own_roster_on_its_own_chain(deployment: Deployment) -> None:
    # Em is off duty in hq, and leads the shift in dn.
    refused = await deployment.reply(OFF_DUTY, "/log Em ghi hộ ca HCM", GROUP)
    assert "Chỉ những người có tên trong ca trực hiện tại" in text_of(refused)
    filed = await deployment.reply(OFF_DUTY, "/log Kiểm tra cổng KCX Long Bình", DN_GROUP)
    assert "Đã ghi vào sổ nhật ký, mục số 1" in text_of(filed)
    # Dung is on hq's shift and unknown to dn: there she is a stranger.
    filed = await deployment.reply(OFFICER, "/log Kiểm tra 24 camera cảng Cát Lái", GROUP)
    assert "Đã ghi vào sổ nhật ký, mục số 1" in text_of(filed)
    stranger = await deployment.reply(OFFICER, "/log ghi nhầm phòng", DN_GROUP)
    assert "mục số" not in text_of(stranger)

    hq, dn = entries(deployment.engine, "hq"), entries(deployment.engine, "dn")
    assert [(e.seq, e.work_performed) for e in hq] == [(1, "Kiểm tra 24 camera cảng Cát Lái")]
    assert [(e.seq, e.work_performed) for e in dn] == [(1, "Kiểm tra cổng KCX Long Bình")]
    # Two chains, each intact and each of one entry.
    for key in ("hq", "dn"):
        verdict = verify(desk_engine(deployment.engine, key))
        assert verdict.intact and verdict.checked == 1
    assert head(desk_engine(deployment.engine, "hq")) != head(desk_engine(deployment.engine, "dn"))

    # An reads dn's logbook in dn's group: only dn's line.
    page = await deployment.reply(LEADER, "/logbook", DN_GROUP)
    assert "KCX Long Bình" in text_of(page) and "Cát Lái" not in text_of(page)


async def test_an_export_holds_only_its_desks_logbook(deployment: Deployment) -> None:
    await deployment.reply(OFFICER, "/log Kiểm tra 24 camera cảng Cát Lái", GROUP)
    await deployment.reply(OFF_DUTY, "/log Kiểm tra cổng KCX Long Bình", DN_GROUP)
    sent = await deployment.reply(LEADER, "/export logbook today xlsx", DN_GROUP)
    sheet = openpyxl.load_workbook(
        io.BytesIO(deployment.emu.file_bytes(sent["document"]["file_id"]))
    ).active
    assert sheet is not None
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Kiểm tra cổng KCX Long Bình" in cells
    assert "Cát Lái" not in cells


async def test_an_alert_reaches_only_its_cameras_desk(deployment: Deployment) -> None:
    assert await post_alert(deployment, DN_CAMERA) == 202
    assert await post_alert(deployment, "12") == 202
    await deployment.settle()
    in_dn = [text_of(m) for m in deployment.emu.bot_messages(DN_GROUP)]
    in_hq = [text_of(m) for m in deployment.emu.bot_messages(GROUP)]
    assert any(DN_CAMERA in text for text in in_dn)
    assert not any("CAM 12" in text for text in in_dn)
    assert any("CAM 12" in text for text in in_hq)
    assert not any(DN_CAMERA in text for text in in_hq)
    with Session(deployment.engine) as session:
        alerts = {(a.desk, a.camera) for a in session.exec(select(CameraAlert))}
    assert alerts == {("dn", DN_CAMERA), ("hq", "12")}


async def test_a_button_of_one_desk_pressed_in_the_other_changes_nothing(
    deployment: Deployment,
) -> None:
    await post_alert(deployment, "12")
    await post_alert(deployment, DN_CAMERA)
    await deployment.settle()
    (hq_card,) = [m for m in deployment.emu.bot_messages(GROUP) if buttons_of(m)]
    (dn_card,) = [m for m in deployment.emu.bot_messages(DN_GROUP) if buttons_of(m)]
    false_alarm = buttons_of(hq_card)[2][1]
    # Em leads dn's shift; he sends hq's "false alarm" data from dn's card.
    query = deployment.emu.forge_press(DN_GROUP, dn_card["message_id"], OFF_DUTY, false_alarm)
    await deployment.emu.wait_for_answer(query)
    mark = deployment.emu.mark()
    deployment.say(OFF_DUTY, "Mèo chạy qua", DN_GROUP)
    await deployment.settle()
    with Session(deployment.engine) as session:
        marked = [a for a in session.exec(select(CameraAlert)) if a.false_alarm_by]
    assert marked == []
    assert not any(
        "báo động giả" in text_of(m).lower()
        for m in deployment.emu.bot_messages(GROUP) + deployment.emu.bot_messages(DN_GROUP)
        if m["message_id"] > mark
    )


async def test_someone_in_two_desks_picks_the_one_their_private_chat_is_for(
    deployment: Deployment,
) -> None:
    # An leads hq's shift and is an officer in dn; his private /desk offers both.
    menu = await deployment.reply(LEADER, "/desk", LEADER)
    labels = [label for label, _ in buttons_of(menu)]
    assert labels == ["✓ Trực ban Cục HQ TP.HCM", "Trực ban Cục HQ Đồng Nai"]
    query = deployment.emu.press_button(LEADER, menu["message_id"], LEADER, "desk:dn")
    assert "Trực ban Cục HQ Đồng Nai" in (await deployment.emu.wait_for_answer(query))["text"]
    await deployment.settle()
    shift = await deployment.reply(LEADER, "/shift", LEADER)
    assert "Hoàng Văn Em" in text_of(shift) and "Phạm Thị Dung" not in text_of(shift)

    menu = await deployment.reply(LEADER, "/desk", LEADER)
    assert [label for label, _ in buttons_of(menu)][1] == "✓ Trực ban Cục HQ Đồng Nai"
    deployment.emu.press_button(LEADER, menu["message_id"], LEADER, "desk:hq")
    await deployment.settle()
    shift = await deployment.reply(LEADER, "/shift", LEADER)
    assert "Phạm Thị Dung" in text_of(shift)


async def test_a_desk_that_does_not_know_the_person_cannot_be_picked(
    deployment: Deployment,
) -> None:
    # Dung is only in hq: no menu, and a forged press for dn changes nothing.
    told = await deployment.reply(OFFICER, "/desk", OFFICER)
    assert "Trực ban Cục HQ TP.HCM" in text_of(told) and not buttons_of(told)
    query = deployment.emu.forge_press(OFFICER, told["message_id"], OFFICER, "desk:dn")
    refused = await deployment.emu.wait_for_answer(query)
    assert refused["show_alert"] is True
    shift = await deployment.reply(OFFICER, "/shift", OFFICER)
    assert "Phạm Thị Dung" in text_of(shift)
    in_group = await deployment.reply(LEADER, "/desk", DN_GROUP)
    assert "Trực ban Cục HQ Đồng Nai" in text_of(in_group)
    # Giang, the contact of hq's unit, is on no roster: still hq's, a stranger to no one there.
    contact = await deployment.reply(UNIT_CONTACT, "/desk", UNIT_CONTACT)
    assert "Bạn đang làm việc với Trực ban Cục HQ TP.HCM" in text_of(contact)
