"""Nothing lost: flood control is waited out, order is kept, and a restart resends."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.db.models import OutboxMessage, OutboxStatus
from bot.sender import OutboxSender
from tests.e2e.conftest import GROUP, OFFICER, Desktop, text_of


def sender_on_a_fake_clock(
    desktop: Desktop, now: list[float] | None = None
) -> tuple[OutboxSender, list[float]]:
    """A sender whose waits are only noted (and move its monotonic clock `now`), 20 a minute."""
    waits: list[float] = []
    now = now if now is not None else [100.0]

    async def fake_sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    sender = OutboxSender(
        desktop.app.bot,
        desktop.desk.outbox,
        desktop.clock,
        3,
        monotonic=lambda: now[0],
        sleep=fake_sleep,
        group_per_minute=20,
    )
    return sender, waits


async def test_a_429_is_waited_out_and_the_order_kept(desktop: Desktop) -> None:
    desktop.emu.fail_next("sendMessage", times=1, retry_after=30)
    desktop.desk.outbox.send(GROUP, "thứ nhất")
    desktop.desk.outbox.send(GROUP, "thứ hai")
    await desktop.settle()
    assert desktop.emu.bot_messages(GROUP) == []
    with Session(desktop.desk.engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        assert [r.status for r in rows] == [OutboxStatus.PENDING, OutboxStatus.PENDING]
        assert rows[0].attempts == 1 and "429" in rows[0].error
        assert rows[0].not_before >= desktop.clock.now() + dt.timedelta(seconds=29)

    desktop.clock.advance(dt.timedelta(seconds=31))
    await desktop.settle()
    assert [text_of(m) for m in desktop.emu.bot_messages(GROUP)] == ["thứ nhất", "thứ hai"]
    with Session(desktop.desk.engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {OutboxStatus.SENT}
        assert all(r.telegram_message_id for r in rows)


async def test_a_refused_message_does_not_block_the_next(desktop: Desktop) -> None:
    desktop.desk.outbox.send(GROUP, "<b>thẻ không đóng")
    desktop.desk.outbox.send(GROUP, "vẫn gửi được")
    await desktop.settle()
    assert [text_of(m) for m in desktop.emu.bot_messages(GROUP)] == ["vẫn gửi được"]
    with Session(desktop.desk.engine) as session:
        failed = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        ).one()
        assert "can't parse entities" in failed.error.lower()


async def test_replies_survive_a_crash_before_sending(desktop: Desktop) -> None:
    sender = desktop.app.bot_data["outbox_sender"]
    await sender.stop()
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/shift")
    await desktop.emu.wait_until_consumed()
    assert desktop.emu.bot_messages(GROUP)[mark:] == []
    # A new sender (as after a restart) finds the reply in the database and sends it.
    sender.start()
    answer = await desktop.answer(GROUP, mark)
    assert "Ca trực ngày 25/11/2026" in text_of(answer)


async def test_private_chats_get_at_most_one_message_a_second(desktop: Desktop) -> None:
    sender, waits = sender_on_a_fake_clock(desktop)
    await desktop.app.bot_data["outbox_sender"].stop()
    for text in ("một", "hai", "ba"):
        desktop.desk.outbox.send(OFFICER, text)
    desktop.desk.outbox.send(GROUP, "nhóm")
    await sender.drain()
    assert [text_of(m) for m in desktop.emu.bot_messages(OFFICER)] == ["một", "hai", "ba"]
    assert waits == [1.0, 1.0]


async def test_a_private_answer_right_after_page_turns_goes_at_once(desktop: Desktop) -> None:
    now = [100.0]
    sender, waits = sender_on_a_fake_clock(desktop, now)
    await desktop.app.bot_data["outbox_sender"].stop()
    page = desktop.desk.outbox.send(OFFICER, "trang 1")
    await sender.drain()
    # The officer reads for two seconds, then turns three pages a third of a second apart.
    now[0] += 2.0
    for number in (2, 3, 4):
        desktop.desk.outbox.edit_sent(OFFICER, page, f"trang {number}")
        await sender.drain()
        now[0] += 0.3
    # Then types /shift: its answer is a new message and goes at once, edits not counted.
    desktop.desk.outbox.send(OFFICER, "ca trực")
    await sender.drain()

    shown = desktop.emu.bot_messages(OFFICER)
    assert [(text_of(m), m["_edits"]) for m in shown] == [("trang 4", 3), ("ca trực", 0)]
    assert waits == []


async def test_a_group_gets_a_burst_of_20_then_waits_for_the_sliding_minute(
    desktop: Desktop,
) -> None:
    sender, waits = sender_on_a_fake_clock(desktop)
    await desktop.app.bot_data["outbox_sender"].stop()
    for number in range(22):
        desktop.desk.outbox.send(GROUP, f"tin {number}")
    await sender.drain()
    assert [text_of(m) for m in desktop.emu.bot_messages(GROUP)] == [
        f"tin {number}" for number in range(22)
    ]
    # Twenty go at once; the 21st waits until they are a minute old, then the 22nd goes too.
    assert waits == [61.0]


async def test_a_restarted_sender_counts_the_group_sends_made_before_it(
    desktop: Desktop,
) -> None:
    # Fifteen messages reach the group, then the bot restarts within the minute: Telegram
    # still counts those fifteen, so the new process may send only five more at once.
    for number in range(15):
        desktop.desk.outbox.send(GROUP, f"trước {number}")
    await desktop.settle()
    assert len(desktop.emu.bot_messages(GROUP)) == 15
    await desktop.app.bot_data["outbox_sender"].stop()
    desktop.clock.advance(dt.timedelta(seconds=20))

    restarted, waits = sender_on_a_fake_clock(desktop)
    restarted.recall_recent_sends()
    for number in range(7):
        desktop.desk.outbox.send(GROUP, f"sau {number}")
    await restarted.drain()
    assert [text_of(m) for m in desktop.emu.bot_messages(GROUP)][15:] == [
        f"sau {number}" for number in range(7)
    ]
    # Five go at once; the sixth waits until the first of the fifteen is a minute old.
    assert waits == [41.0]


async def test_marks_on_filed_messages_spend_no_message_of_the_groups_minute(
    desktop: Desktop,
) -> None:
    sender, waits = sender_on_a_fake_clock(desktop)
    await desktop.app.bot_data["outbox_sender"].stop()
    filed = [desktop.say(OFFICER, f"#ketqua Đã kiểm tra lô hàng {number}") for number in range(3)]
    await desktop.emu.wait_until_consumed()
    for number in range(20):
        desktop.desk.outbox.send(GROUP, f"tin {number}")
    await sender.drain()
    # The twenty messages go at once, though the marks were queued before them; the marks
    # follow, spread over the minute as edits are, and no message waited for the next minute.
    assert [text_of(m) for m in desktop.emu.bot_messages(GROUP)] == [
        f"tin {number}" for number in range(20)
    ]
    assert all(desktop.emu.reactions[(GROUP, m["message_id"])] for m in filed)
    assert waits == [round(61 / 60, 3)] * 2


async def test_a_backlog_to_many_chats_waits_for_the_bots_second_past_thirty_calls(
    desktop: Desktop,
) -> None:
    sender, waits = sender_on_a_fake_clock(desktop)
    await desktop.app.bot_data["outbox_sender"].stop()
    groups = [-100900000 - number for number in range(40)]
    for chat in groups:
        desktop.emu.add_chat(chat, "supergroup", f"Nhóm {chat}")
        desktop.desk.outbox.send(chat, "cảnh báo")
    await sender.drain()
    assert all(len(desktop.emu.bot_messages(chat)) == 1 for chat in groups)
    # Forty chats, each with its own budget open: thirty go, the rest wait for the second
    # (PTB's bucket alone would have let all forty go at once).
    assert waits and set(waits) == {1.05}
