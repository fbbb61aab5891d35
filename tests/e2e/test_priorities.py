"""Nothing urgent is stuck behind housekeeping: the ✍ on filed messages goes last, merged, and
is dropped when it would tell nobody anything."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import aiohttp
from sqlmodel import Session, col, select

from bot.db.models import LogbookEntry, OutboxMessage, OutboxPriority, OutboxStatus
from tests.e2e.conftest import GROUP, LEADER, OFFICER, Desktop, launch, text_of
from tests.e2e.test_alerts import alert_body, post
from tests.e2e.test_incidents import approved_request

FILED = 300
# What "at once" means to an officer watching the group, with the machine's own slowness.
ON_TIME_SECONDS = 2.0
# How long a late message is waited for before it counts as never: long enough to tell
# "late" from "lost" in the failure, short enough that the old queue (15 minutes) fails fast.
PATIENCE_SECONDS = 10.0


async def seconds_until_shown(
    desktop: Desktop, mark: int, shows: Callable[[dict[str, Any]], bool]
) -> float:
    """Seconds until a group message since the mark shows what is looked for (inf: never)."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    try:
        await desktop.emu.wait_for_message(
            GROUP, after=mark, predicate=shows, timeout=PATIENCE_SECONDS
        )
    except TimeoutError:
        return math.inf
    return loop.time() - began


def reactions(desktop: Desktop) -> list[OutboxMessage]:
    with Session(desktop.desk.engine) as session:
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.method == "set_reaction")).all()
        )


def entries(desktop: Desktop) -> list[LogbookEntry]:
    with Session(desktop.desk.engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all())


def reaction_calls(desktop: Desktop, message_id: int) -> list[Any]:
    """The setMessageReaction calls Telegram (the emulator) got for one message."""
    return [
        params["reaction"]
        for name, params in desktop.emu.calls
        if name == "setMessageReaction" and int(params["message_id"]) == message_id
    ]


async def health(desktop: Desktop) -> dict[str, Any]:
    port = desktop.app.bot_data["intake"].port
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/health") as response,
    ):
        answer: dict[str, Any] = await response.json()
        return answer


async def test_an_alert_a_reply_and_a_breach_notice_overtake_300_filed_messages(
    migrated_url: str,
) -> None:
    async with launch(migrated_url, telegram_limits=True) as desktop:
        # A unit request whose 30-minute reply window runs while the group files its work.
        await approved_request(desktop)
        await desktop.later(25)
        for number in range(FILED):
            desktop.say(
                OFFICER, f"#ketqua Đã kiểm tra container CSQU30543{number:03d}, không vi phạm"
            )
        # Every message read and filed, its ✍ queued ahead of what follows.
        for _ in range(1200):
            if len(reactions(desktop)) == FILED:
                break
            await asyncio.sleep(0.1)
        assert len(reactions(desktop)) == FILED

        late: dict[str, float] = {}
        mark = desktop.emu.mark()
        time = desktop.clock.now().isoformat()
        status, _ = await post(desktop, alert_body(camera="12", id="storm-1", time=time))
        assert status == 202
        late["camera alert"] = await seconds_until_shown(
            desktop, mark, lambda m: "CAM 12" in text_of(m)
        )

        mark = desktop.emu.mark()
        desktop.say(OFFICER, "/shift")
        late["/shift"] = await seconds_until_shown(
            desktop, mark, lambda m: "Ca trực ngày 25/11/2026" in text_of(m)
        )

        mark = desktop.emu.mark()
        desktop.clock.advance(dt.timedelta(minutes=6))
        desktop.desk.timers.fire_due(desktop.clock.now())
        late["breach notice"] = await seconds_until_shown(
            desktop, mark, lambda m: "chưa hồi báo" in text_of(m)
        )

        assert max(late.values()) <= ON_TIME_SECONDS, late
        assert desktop.emu.refused_429 == 0
        # The confirmations are not lost: some went meanwhile, the rest wait their turn.
        statuses = [row.status for row in reactions(desktop)]
        assert statuses.count(OutboxStatus.SENT) >= 1
        assert set(statuses) <= {OutboxStatus.SENT, OutboxStatus.PENDING}


async def test_a_pin_on_a_filed_message_still_waiting_for_its_mark_adds_no_second_one(
    desktop: Desktop,
) -> None:
    sender = desktop.app.bot_data["outbox_sender"]
    # The group is busy: nothing has gone out yet when the leader pins the same message.
    await sender.stop()
    filed = desktop.say(OFFICER, "#ketqua Đã niêm phong container CSQU3054383")
    await desktop.emu.wait_until_consumed()
    desktop.emu.inject_reaction(
        GROUP, filed["message_id"], LEADER, ["📌"], date=desktop.clock.now()
    )
    await desktop.emu.wait_until_consumed()
    sender.start()
    await desktop.settle()
    # Both made a logbook entry; the message gets its ✍ once.
    assert [e.notes for e in entries(desktop)] == ["", "📌 Nguyễn Văn An"]
    assert reaction_calls(desktop, filed["message_id"]) == [[{"type": "emoji", "emoji": "✍"}]]
    assert [row.status for row in reactions(desktop)] == [OutboxStatus.SENT]


async def test_a_mark_still_waiting_ten_minutes_after_its_message_is_dropped_and_counted(
    desktop: Desktop,
) -> None:
    sender = desktop.app.bot_data["outbox_sender"]
    await sender.stop()
    old = desktop.say(OFFICER, "#ketqua Xe 51C-123.45 đã qua máy soi")
    await desktop.emu.wait_until_consumed()
    desktop.clock.advance(dt.timedelta(minutes=6))
    fresh = desktop.say(OFFICER, "#ketqua Xe 51C-678.90 đã qua máy soi")
    await desktop.emu.wait_until_consumed()
    # The sender comes back 11 minutes after the first message, 5 after the second.
    desktop.clock.advance(dt.timedelta(minutes=5))
    sender.start()
    await desktop.settle()
    assert reaction_calls(desktop, old["message_id"]) == []
    assert reaction_calls(desktop, fresh["message_id"]) == [[{"type": "emoji", "emoji": "✍"}]]
    with Session(desktop.desk.engine) as session:
        dropped = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DROPPED)
        ).one()
    assert '"message_id": {}'.format(old["message_id"]) in dropped.payload
    assert "stale" in dropped.error
    figures = await health(desktop)
    assert (figures["outbox_pending"], figures["outbox_dropped"]) == (0, 1)


async def test_a_message_read_late_gets_no_mark_but_is_filed(desktop: Desktop) -> None:
    # A backlog read after the bot was down: the message is 20 minutes old when it arrives.
    sent_at = desktop.clock.now()
    desktop.clock.advance(dt.timedelta(minutes=20))
    late = desktop.say(OFFICER, "#ketqua Đã bàn giao hồ sơ vụ việc", date=sent_at)
    await desktop.settle()
    assert [entry.result for entry in entries(desktop)] == ["Đã bàn giao hồ sơ vụ việc"]
    assert reaction_calls(desktop, late["message_id"]) == []
    assert [row.status for row in reactions(desktop)] == [OutboxStatus.DROPPED]
    assert (await health(desktop))["outbox_dropped"] == 1


async def test_the_most_urgent_goes_first_and_the_rest_follow_after_a_restart(
    desktop: Desktop,
) -> None:
    await desktop.app.bot_data["outbox_sender"].stop()
    outbox = desktop.desk.outbox
    for number in range(3):
        outbox.send(GROUP, f"thường {number}")
    outbox.send(GROUP, "trả lời", priority=OutboxPriority.REPLY)
    outbox.send(GROUP, "khẩn", priority=OutboxPriority.URGENT)
    # The queue is all in the database: a fresh process sends it in the same order.
    await desktop.restart()
    await desktop.settle()
    assert [text_of(m) for m in desktop.emu.bot_messages(GROUP)] == [
        "khẩn",
        "trả lời",
        "thường 0",
        "thường 1",
        "thường 2",
    ]
    with Session(desktop.desk.engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
