"""Every way the desk writes the logbook seals its entry, and `verify` catches an edit of each.

One case per writer, each driven through the real bot as the feature's own tests drive it: the
group, commands, reactions, camera alerts (signed webhook and ONVIF), incidents, proposals and
approvals, the unit's replies, EPZ outages from notice to restoration, the monthly rotation, the
interim measure, the shift's cycle (opening, handover), camera health, and a drill in the sandbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db.models import LogbookEntry
from bot.devtools.onvif_camera import SimulatedCamera
from bot.logbook.chain import Break, verify
from bot.sandbox.runtime import Sandbox, SandboxOptions
from tests.e2e.conftest import (
    GROUP,
    LEADER,
    OFF_DUTY,
    OFFICER,
    SECTION,
    TEAM_CHAT,
    UNIT_CHAT,
    UNIT_CONTACT,
    Desktop,
    buttons_of,
    launch,
    text_of,
)
from tests.e2e.test_alerts import alert_body, photos, post
from tests.e2e.test_cameras import PASSWORD, camera_config
from tests.e2e.test_epz import CONTACT, enrol
from tests.e2e.test_epz import press as epz_press
from tests.e2e.test_epz import reviewed as epz_reviewed
from tests.e2e.test_epz import say as epz_say
from tests.e2e.test_handover import CYCLE, at, card_of, move_to
from tests.e2e.test_incidents import approved_request, button, has, open_incident, press, prompt
from tests.e2e.test_interim import propose_measure, tap
from tests.e2e.test_logbook_chain import run_verify
from tests.e2e.test_rotation import ENTERPRISES
from tests.e2e.test_sandbox import get, until
from tests.e2e.test_sandbox import post as page_post

ICT = dt.timezone(dt.timedelta(hours=7))


def entries(engine: Engine) -> list[LogbookEntry]:
    with Session(engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all())


def last_id(engine: Engine) -> int:
    return max((e.id or 0 for e in entries(engine)), default=0)


def since(engine: Engine, mark: int) -> list[LogbookEntry]:
    return [e for e in entries(engine) if (e.id or 0) > mark]


# --- the writers: each does its part and returns the entries it wrote -------------------------


async def filed_message(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    desktop.say(OFFICER, "#vuviec Xe 51C-123.45 vào bãi B3 không qua cổng")
    await desktop.settle()
    return since(desktop.engine, mark)


async def correction(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    original = desktop.say(OFFICER, "#vuviec Xe 51C-123.45 vào bãi")
    await desktop.settle()
    mark = last_id(desktop.engine)
    desktop.clock.advance(dt.timedelta(minutes=3))
    desktop.emu.inject_edit(
        GROUP, original["message_id"], "#vuviec Xe 51C-123.46 vào bãi", date=desktop.clock.now()
    )
    await desktop.settle()
    return since(desktop.engine, mark)


async def log_command(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "/log Kiểm tra định kỳ 24 camera khu vực cảng: hoạt động bình thường")
    await desktop.answer(GROUP, answer)
    await desktop.settle()
    return since(desktop.engine, mark)


async def pin_reaction(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    message = desktop.say(OFFICER, "Đội kiểm soát 2 đã niêm phong container TGHU8593740")
    await desktop.settle()
    mark = last_id(desktop.engine)
    desktop.emu.inject_reaction(
        GROUP, message["message_id"], LEADER, ["📌"], date=desktop.clock.now()
    )
    await desktop.settle()
    return since(desktop.engine, mark)


async def webhook_alert(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    # A fault (tampering) is logged; plain motion only reaches the group.
    await post(desktop, alert_body(kind="tampering", description="Camera bị che"))
    await desktop.settle()
    assert photos(desktop)
    return since(desktop.engine, mark)


async def false_alarm(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await post(desktop, alert_body())
    await desktop.settle()
    (card,) = photos(desktop)
    mark = last_id(desktop.engine)
    answer = desktop.emu.mark()
    desktop.emu.press_button(
        GROUP, card["message_id"], OFFICER, dict(buttons_of(card))["✖ Báo động giả"]
    )
    await desktop.answer(GROUP, answer, has("báo động giả"))
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "Mèo chạy qua hàng rào")
    await desktop.answer(GROUP, answer, has("Đã ghi nhận là báo động giả"))
    await desktop.settle()
    return since(desktop.engine, mark)


async def subscribed(camera: SimulatedCamera) -> None:
    async def live() -> bool:
        return camera.live_subscriptions() >= 1

    await until(live)


async def onvif_alert(desktop: Desktop, camera: SimulatedCamera | None) -> list[LogbookEntry]:
    assert camera is not None
    await subscribed(camera)
    mark = last_id(desktop.engine)
    camera.emit("tns1:VideoSource/SignalLoss", {"State": "true"})
    await desktop.emu.wait_for_message(
        UNIT_CHAT, predicate=lambda m: "Mất tín hiệu hình ảnh" in text_of(m), timeout=15
    )
    await desktop.settle()
    return since(desktop.engine, mark)


async def camera_health(desktop: Desktop, camera: SimulatedCamera | None) -> list[LogbookEntry]:
    assert camera is not None
    assert await desktop.desk.cameras.health_round() == 0
    mark = last_id(desktop.engine)
    camera.set_mode("offline")
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    camera.set_mode("ok")
    assert await desktop.desk.cameras.health_round() == 1
    await desktop.settle()
    return since(desktop.engine, mark)


async def incident(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    open_incident(desktop)
    await desktop.settle()
    return since(desktop.engine, mark)


async def guided_incident(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "/incident")
    await prompt(desktop, GROUP, answer, "Vụ việc mới")
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "Cảng Cát Lái, bãi B3")
    question = await prompt(desktop, GROUP, answer, "Camera nào")
    answer = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:skip")
    await prompt(desktop, GROUP, answer, "Số tham chiếu")
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "cont CSQU3054383, BKS 51C12345, tk 105123456789")
    await prompt(desktop, GROUP, answer, "Mô tả sự việc")
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "Container được cẩu ra khỏi bãi khi chưa có lệnh")
    question = await prompt(desktop, GROUP, answer, "ảnh hoặc tài liệu")
    answer = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:done")
    await prompt(desktop, GROUP, answer, "Vụ việc 2026/0001")
    await desktop.settle()
    return since(desktop.engine, mark)


async def approval(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await approved_request(desktop)
    await desktop.settle()
    return [e for e in entries(desktop.engine) if e.direction]


async def urgent_proposal(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    incident_id = open_incident(desktop)
    await desktop.settle()
    card = await desktop.answer(GROUP, 0, has("Vụ việc 2026/0001"))
    mark = last_id(desktop.engine)
    answer = desktop.emu.mark()
    await press(desktop, GROUP, card, OFFICER, f"ur:new:{incident_id}")
    question = await prompt(desktop, GROUP, answer, "trường hợp nào")
    answer = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:case:passing_gate")
    question = await prompt(desktop, GROUP, answer, "đơn vị nào")
    answer = desktop.emu.mark()
    await press(desktop, GROUP, question, OFFICER, "dr:unit:doi-ks")
    await prompt(desktop, GROUP, answer, "nội dung yêu cầu")
    answer = desktop.emu.mark()
    desktop.say(OFFICER, "Dừng ngay xe 51C-123.45 tại cổng B")
    await desktop.answer(TEAM_CHAT, answer, has("KHẨN"))
    await desktop.settle()
    return since(desktop.engine, mark)


async def acknowledged(desktop: Desktop) -> dict[str, Any]:
    request = await approved_request(desktop)
    await desktop.later(10)
    answer = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, request, UNIT_CONTACT, button(request, "rq:ack:"))
    await prompt(desktop, UNIT_CHAT, answer, "Ai xử lý")
    answer = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "Đ/c Giang 0912 345 678, 45 phút", chat_id=UNIT_CHAT)
    follow_up = await prompt(desktop, UNIT_CHAT, answer, "báo cáo kết quả")
    await desktop.settle()
    return follow_up


async def unit_acknowledgement(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await acknowledged(desktop)
    return [e for e in entries(desktop.engine) if "Đ/c Giang 0912 345 678" in e.result]


async def unit_result(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    follow_up = await acknowledged(desktop)
    mark = last_id(desktop.engine)
    answer = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, follow_up, UNIT_CONTACT, button(follow_up, "rq:res:"))
    await prompt(desktop, UNIT_CHAT, answer, "Phụ lục IV")
    answer = desktop.emu.mark()
    desktop.say(UNIT_CONTACT, "09:40 dừng xe; 10:10 soi container; hàng đúng", chat_id=UNIT_CHAT)
    question = await prompt(desktop, UNIT_CHAT, answer, "Đề xuất")
    answer = desktop.emu.mark()
    await press(desktop, UNIT_CHAT, question, UNIT_CONTACT, "dr:no-suggestion")
    await prompt(desktop, GROUP, answer, "đã báo cáo kết quả")
    await desktop.settle()
    return since(desktop.engine, mark)


async def missed_reply(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await approved_request(desktop)
    mark = last_id(desktop.engine)
    await desktop.later(15)
    await desktop.later(10)
    await desktop.later(5)
    return since(desktop.engine, mark)


async def outage_notice(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await enrol(desktop)
    mark = last_id(desktop.engine)
    await epz_say(
        desktop,
        "Đường truyền mất kết nối từ 8h, camera C01. Dự kiến 27/11. Liên hệ anh Tuấn 0903123456",
        "ảnh hưởng",
    )
    await epz_reviewed(desktop, "Không giám sát được cổng")
    await desktop.settle()
    return since(desktop.engine, mark)


async def outage_follow_ups(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await outage_notice(desktop, None)
    mark = last_id(desktop.engine)
    # 16:00: the officer's daily progress; after the deadline: overdue, explanation asked.
    desktop.clock.set(dt.datetime(2026, 11, 25, 16, 0, tzinfo=ICT))
    await desktop.settle()
    follow_up = desktop.emu.bot_messages(OFFICER)[-1]
    await epz_press(desktop, follow_up, "ep:nc:1", "Đã ghi vào sổ", chat=OFFICER, user=OFFICER)
    desktop.clock.set(dt.datetime(2026, 12, 1, 0, 1, tzinfo=ICT))
    await desktop.settle()
    request = desktop.emu.bot_messages(CONTACT)[-1]
    await epz_press(desktop, request, "ep:ex:1", "Vì sao chưa khắc phục")
    await epz_say(desktop, "Chờ nhà mạng kéo lại cáp quang", "Đến ngày nào")
    await epz_say(desktop, "05/12", "Đã ghi nhận giải trình")
    await desktop.settle()
    return since(desktop.engine, mark)


async def outage_restoration(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    await outage_notice(desktop, None)
    desktop.clock.advance(dt.timedelta(hours=26))
    mark = last_id(desktop.engine)
    await epz_say(desktop, "/restored", "Công chức hải quan sẽ kiểm tra")
    await desktop.settle()
    ask = next(
        m for m in desktop.emu.bot_messages(OFFICER) if "báo đã khắc phục sự cố số 1" in text_of(m)
    )
    await epz_press(desktop, ask, "ep:ok:1", "Đã đóng", chat=OFFICER, user=OFFICER)
    await desktop.settle()
    return since(desktop.engine, mark)


async def rotation(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    # The plan was made and logged at start-up; the reminder is answered "done".
    await desktop.settle()
    planned = [e for e in entries(desktop.engine) if "tháng 11/2026" in e.work_performed]
    desktop.clock.set(dt.datetime(2026, 11, 25, 9, 30, tzinfo=ICT))
    await desktop.settle()
    reminder = desktop.emu.bot_messages(OFFICER)[-1]
    assert "Đến giờ kiểm tra luân phiên" in text_of(reminder)
    mark = last_id(desktop.engine)
    query = desktop.emu.press_button(
        OFFICER, reminder["message_id"], OFFICER, buttons_of(reminder)[0][1]
    )
    await desktop.emu.wait_for_answer(query)
    await desktop.settle()
    return planned + since(desktop.engine, mark)


async def interim_measure(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    card = await propose_measure(desktop)
    mark = last_id(desktop.engine)
    assert (await tap(desktop, card, OFF_DUTY, "ap:1:1"))["text"] == "Đã duyệt."
    await desktop.settle()
    return since(desktop.engine, mark)


async def shift_opening(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    # 08:00 on the 26th: the new shift's opening, and the 25th's daily report.
    await move_to(desktop, at(26, 8, 0))
    return since(desktop.engine, mark)


async def handover(desktop: Desktop, _: SimulatedCamera | None) -> list[LogbookEntry]:
    mark = last_id(desktop.engine)
    answer = desktop.emu.mark()
    desktop.say(LEADER, "/handover note Chi cục KV1 hẹn báo kết quả trước 10:00")
    await desktop.answer(GROUP, answer)
    await move_to(desktop, at(26, 7, 30))
    card = card_of(desktop)
    answer = desktop.emu.mark()
    await press(desktop, GROUP, card, SECTION, "ho:ok:1")
    await desktop.answer(GROUP, answer, has("Đã nhận"))
    await desktop.settle()
    return [e for e in since(desktop.engine, mark) if "bàn giao" in e.work_performed.lower()]


Writer = Callable[[Desktop, SimulatedCamera | None], Awaitable[list[LogbookEntry]]]


@dataclass(frozen=True)
class Case:
    """A writer and the desk it needs."""

    write: Writer
    camera: bool = False
    config: dict[str, Any] = field(default_factory=dict)


INTERIM_UNITS = [
    {
        "key": "hq-kv1",
        "name": "Chi cục HQ CK cảng Sài Gòn KV1",
        "chat_id": UNIT_CHAT,
        "head": OFF_DUTY,
    },
    {"key": "doi-ks", "name": "Đội Kiểm soát Hải quan", "chat_id": TEAM_CHAT},
]
CASES = {
    "filed message": Case(filed_message),
    "correction by edit": Case(correction),
    "/log": Case(log_command),
    "📌 reaction": Case(pin_reaction),
    "webhook alert": Case(webhook_alert),
    "false alarm": Case(false_alarm),
    "ONVIF alert": Case(onvif_alert, camera=True),
    "camera health": Case(camera_health, camera=True),
    "incident": Case(incident),
    "incident by conversation": Case(guided_incident),
    "approval": Case(approval),
    "urgent proposal": Case(urgent_proposal),
    "unit acknowledgement": Case(unit_acknowledgement),
    "unit result": Case(unit_result),
    "missed reply": Case(missed_reply),
    "EPZ outage notice": Case(outage_notice),
    "EPZ follow-ups": Case(outage_follow_ups),
    "EPZ restoration": Case(outage_restoration),
    "EPZ rotation": Case(
        rotation,
        config={
            "enterprises": ENTERPRISES,
            "epz": {"rotation": {"officers": [OFFICER, OFF_DUTY]}},
        },
    ),
    "EPZ interim measure": Case(interim_measure, config={"units": INTERIM_UNITS}),
    "shift opening and daily report": Case(shift_opening, config={"shift": CYCLE}),
    "handover": Case(handover, config={"shift": CYCLE}),
}


@asynccontextmanager
async def desk_for(
    case: Case, migrated_url: str
) -> AsyncIterator[tuple[Desktop, SimulatedCamera | None]]:
    async with AsyncExitStack() as stack:
        config = dict(case.config)
        camera = None
        if case.camera:
            camera = await stack.enter_async_context(
                SimulatedCamera(name="Cổng C", password=PASSWORD)
            )
            config["cameras"] = camera_config(camera)
        desktop = await stack.enter_async_context(launch(migrated_url, **config))
        yield desktop, camera


def edit(engine: Engine, entry: LogbookEntry, notes: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE logbook_entry SET notes = :notes WHERE id = :id"),
            {"notes": notes, "id": entry.id},
        )


def assert_sealed_and_each_edit_caught(engine: Engine, url: str, wrote: list[LogbookEntry]) -> None:
    """Every entry sealed, the chain intact; an edit of each written entry is named by verify."""
    assert wrote, "the writer wrote no entry"
    unsealed = [
        (e.id, e.seq, e.work_performed or e.incident or e.direction or e.result or e.notes)
        for e in entries(engine)
        if e.chain_seq is None or not e.entry_hash
    ]
    assert unsealed == []
    verdict = verify(engine)
    assert verdict.intact and verdict.unchained == 0
    assert verdict.checked == len(entries(engine))
    for entry in wrote:
        edit(engine, entry, entry.notes + " (sửa ngoài bot)")
        verdict = verify(engine)
        assert verdict.broken == Break.CHANGED
        assert verdict.entry is not None and verdict.entry.id == entry.id
        edit(engine, entry, entry.notes)
        assert verify(engine).intact
    # The clerk's command names the edited entry and fails.
    entry = wrote[-1]
    edit(engine, entry, "Không có gì xảy ra")
    done = run_verify(url)
    assert done.returncode == 1, done.stdout
    day = entry.shift_date.strftime("%d/%m/%Y")
    assert f"mục số {entry.seq} của ca trực ngày {day} (id {entry.id}," in done.stderr
    assert "nội dung đã bị sửa" in done.stderr


@pytest.mark.parametrize("writer", list(CASES))
async def test_every_writer_seals_its_entry_and_verify_catches_its_edit(
    migrated_url: str, writer: str
) -> None:
    case = CASES[writer]
    async with desk_for(case, migrated_url) as (desktop, camera):
        wrote = await case.write(desktop, camera)
        await desktop.settle()
        assert_sealed_and_each_edit_caught(desktop.engine, migrated_url, wrote)


async def test_a_drill_seals_what_it_writes(tmp_path: Path) -> None:
    async with (
        Sandbox(SandboxOptions(port=0, data_dir=tmp_path / "sandbox")) as sandbox,
        aiohttp.ClientSession() as session,
    ):
        mark = last_id(sandbox.engine)
        status, started = await page_post(
            session, f"{sandbox.url}/api/drills/epz-outage", {"speed": 600}
        )
        assert status == 200, started

        async def ended() -> Any:
            drill = (await get(session, f"{sandbox.url}/api/drill"))["drill"]
            return drill if not drill["running"] else None

        drill = await until(ended, seconds=120)
        assert drill["error"] is None
        await sandbox.settle()
        wrote = since(sandbox.engine, mark)
        url = str(sandbox.engine.url)
        assert_sealed_and_each_edit_caught(sandbox.engine, url, wrote)
