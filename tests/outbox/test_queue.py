"""The outbox without Telegram: what a decision queues commits or rolls back with it, the most
urgent goes first, a stale ✍ is dropped, edits and reactions fold into the newest (a real
database, an injected clock)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select, update

from bot.clock import ManualClock
from bot.db.engine import make_engine
from bot.db.models import Incident, OutboxMessage, OutboxPriority, OutboxStatus
from bot.outbox import Outbox
from bot.sender.order import send_order
from tests.conftest import MORNING, SHIFT_DAY

GROUP = -1001234567890
OFFICER = 102


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MORNING)


@pytest.fixture
def outbox(engine: Engine, clock: ManualClock) -> Outbox:
    return Outbox(engine, clock)


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def texts(found: list[OutboxMessage]) -> list[str]:
    return [json.loads(row.payload).get("text", row.method) for row in found]


def incident(words: str) -> Incident:
    return Incident(
        year=2026,
        number=1,
        shift_date=SHIFT_DAY,
        arisen_at=MORNING,
        received_at=MORNING,
        description=words,
    )


def test_a_message_queued_in_a_decision_goes_only_if_the_decision_commits(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    with Session(engine) as session:
        session.add(incident("Xe quay đầu trước cổng 3"))
        outbox.send(GROUP, "Vụ việc 2026/0001 đã được ghi nhận", session=session)
        # The decision fails after queuing its message (a constraint, a crash): nothing of it,
        # the message included, may reach the group.
        session.rollback()
    assert outbox.deliveries.due(clock.now()) == []
    assert outbox.pending_count() == 0

    with Session(engine) as session:
        session.add(incident("Xe quay đầu trước cổng 3"))
        outbox.send(GROUP, "Vụ việc 2026/0001 đã được ghi nhận", session=session)
        # Not before the caller commits: the sender must never send what may yet roll back.
        assert outbox.pending_count() == 0
        session.commit()
    assert texts(outbox.deliveries.due(clock.now())) == ["Vụ việc 2026/0001 đã được ghi nhận"]


def test_the_most_urgent_goes_first_whatever_was_queued_first(
    outbox: Outbox, clock: ManualClock
) -> None:
    outbox.react(GROUP, 10, "✍", message_date=clock.now())
    outbox.send(GROUP, "Sổ nhật ký trang 1/3")
    outbox.send(GROUP, "Trả lời /help", priority=OutboxPriority.REPLY)
    outbox.send(GROUP, "Camera 21 mất tín hiệu", priority=OutboxPriority.URGENT)
    outbox.send(GROUP, "Quá hạn hồi báo 30 phút", priority=OutboxPriority.URGENT)

    due = outbox.deliveries.due(clock.now(), chat_id=GROUP)
    expected = [
        "Camera 21 mất tín hiệu",
        "Quá hạn hồi báo 30 phút",
        "Trả lời /help",
        "Sổ nhật ký trang 1/3",
        "set_reaction",
    ]
    assert texts(due) == expected
    # The sender's own choice among the due rows agrees.
    assert texts(sorted(due, key=send_order)) == expected


def test_the_storm_digest_goes_before_the_cards_of_its_storm(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    digest = outbox.send(GROUP, "🚨 Cảnh báo từ 9 camera", priority=OutboxPriority.URGENT)
    outbox.deliveries.mark_sent(digest, 501)
    # Eight cameras' cards were queued as the storm began; the digest's next edit names them
    # and 190 more, so it goes before them, though an edit and queued after.
    for camera in range(1, 9):
        outbox.send(GROUP, f"Camera {camera}: chuyển động", priority=OutboxPriority.URGENT)
    outbox.edit_sent(
        GROUP, digest, "🚨 Cảnh báo từ 198 camera", first=True, priority=OutboxPriority.URGENT
    )
    outbox.send(GROUP, "Trả lời /help", priority=OutboxPriority.REPLY)

    due = outbox.deliveries.due(clock.now(), chat_id=GROUP)
    ordered = texts(sorted(due, key=send_order))
    assert ordered[0] == "🚨 Cảnh báo từ 198 camera"
    assert ordered[1:9] == [f"Camera {camera}: chuyển động" for camera in range(1, 9)]
    assert ordered[9] == "Trả lời /help"


def test_a_message_held_for_later_is_not_due_before_its_time(
    outbox: Outbox, clock: ManualClock
) -> None:
    outbox.send(GROUP, "Nhắc bàn giao ca", not_before=clock.now() + dt.timedelta(minutes=15))

    assert outbox.deliveries.due(clock.now()) == []
    clock.advance(dt.timedelta(minutes=15))
    assert texts(outbox.deliveries.due(clock.now())) == ["Nhắc bàn giao ca"]


def test_a_reaction_still_unsent_after_ten_minutes_is_dropped_not_sent(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    outbox.react(GROUP, 10, "✍", message_date=clock.now())

    clock.advance(dt.timedelta(minutes=9, seconds=59))
    assert outbox.deliveries.drop_expired(clock.now(), GROUP) == 0
    assert len(outbox.deliveries.due(clock.now())) == 1

    clock.advance(dt.timedelta(seconds=1))
    assert outbox.deliveries.drop_expired(clock.now(), GROUP) == 1
    assert outbox.deliveries.due(clock.now()) == []
    (row,) = rows(engine)
    # Kept and counted, never lost silently.
    assert row.status == OutboxStatus.DROPPED
    assert outbox.dropped_count() == 1


def test_a_reaction_on_a_message_already_stale_is_kept_as_dropped(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    # A backlog read after a restart: the message was written 11 minutes ago.
    outbox.react(GROUP, 10, "✍", message_date=clock.now() - dt.timedelta(minutes=11))

    assert outbox.deliveries.due(clock.now()) == []
    assert [row.status for row in rows(engine)] == [OutboxStatus.DROPPED]
    assert not outbox.wakeup.is_set()


def test_edits_of_one_message_fold_into_the_newest(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    card = outbox.send(GROUP, "Đề xuất 7: chờ duyệt")
    first = outbox.edit_sent(GROUP, card, "Đề xuất 7: đã duyệt (1 đơn vị)")
    clock.advance(dt.timedelta(seconds=5))
    second = outbox.edit_sent(
        GROUP, card, "Đề xuất 7: đã duyệt (2 đơn vị)", priority=OutboxPriority.URGENT
    )
    other = outbox.edit_sent(GROUP, card + 100, "Đề xuất 8: chờ duyệt")

    assert second == first and other != first
    edits = [row for row in rows(engine) if row.method == "edit_message_text"]
    assert texts(edits) == ["Đề xuất 7: đã duyệt (2 đơn vị)", "Đề xuất 8: chờ duyệt"]
    # The folded edit keeps its place and takes the more urgent priority.
    assert edits[0].id == first and edits[0].priority == OutboxPriority.URGENT


def test_an_edit_folded_in_while_the_first_was_sent_still_goes(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    edit = outbox.edit(GROUP, 55, "Camera 21: 3 lần")
    (being_sent,) = outbox.deliveries.due(clock.now())
    outbox.edit(GROUP, 55, "Camera 21: 4 lần")

    outbox.deliveries.mark_sent(edit, 55, sent_payload=being_sent.payload)

    # Telegram shows "3 lần"; the newer count must still go.
    assert texts(outbox.deliveries.due(clock.now())) == ["Camera 21: 4 lần"]
    outbox.deliveries.mark_sent(edit, 55, sent_payload=rows(engine)[0].payload)
    assert outbox.deliveries.due(clock.now()) == []


def test_an_edit_folded_in_as_another_process_marks_the_row_sent_still_goes(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several processes share a database only on PostgreSQL")
    edit = outbox.edit(GROUP, 55, "Camera 21: 3 lần")
    (being_sent,) = outbox.deliveries.due(clock.now())
    # The sender (another process, or the sender's thread) records "3 lần" as sent; its
    # transaction is still open as the board folds the newer count in.
    with engine.connect() as sender:
        sender.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == edit, col(OutboxMessage.payload) == being_sent.payload)
            .values(status=OutboxStatus.SENT)
        )
        folding = threading.Thread(target=outbox.edit, args=(GROUP, 55, "Camera 21: 4 lần"))
        folding.start()
        folding.join(timeout=0.5)
        sender.commit()
    folding.join()
    # Telegram shows "3 lần"; the newer count is a row of its own, still to go.
    assert texts(outbox.deliveries.due(clock.now())) == ["Camera 21: 4 lần"]


def test_a_newer_reaction_replaces_one_still_waiting(outbox: Outbox, engine: Engine) -> None:
    first = outbox.react(GROUP, 10, "👀", message_date=MORNING)
    second = outbox.react(GROUP, 10, "✍", message_date=MORNING)
    outbox.react(GROUP, 11, "✍", message_date=MORNING)

    assert second == first
    payloads = [json.loads(row.payload) for row in rows(engine)]
    assert payloads == [
        {"message_id": 10, "emoji": "✍"},
        {"message_id": 11, "emoji": "✍"},
    ]


def test_a_held_message_takes_new_words_only_until_it_is_due(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    held = outbox.send(
        GROUP, "Tổng hợp: 3 cảnh báo", not_before=clock.now() + dt.timedelta(minutes=1)
    )
    with Session(engine) as session:
        assert outbox.rewrite_waiting(held, "Tổng hợp: 5 cảnh báo", session)
        session.commit()
    clock.advance(dt.timedelta(minutes=1))
    with Session(engine) as session:
        # Due now, so possibly in the sender's hands: the caller must queue anew instead.
        assert not outbox.rewrite_waiting(held, "Tổng hợp: 6 cảnh báo", session)
        session.commit()
    assert texts(outbox.deliveries.due(clock.now())) == ["Tổng hợp: 5 cảnh báo"]


def test_a_batch_of_marks_replaces_a_waiting_one_and_keeps_a_stale_one_as_dropped(
    outbox: Outbox, engine: Engine, clock: ManualClock
) -> None:
    waiting = outbox.react(GROUP, 10, "👀", message_date=clock.now())
    ids = outbox.react_all(
        [
            (GROUP, 10, clock.now()),
            (GROUP, 11, clock.now()),
            (GROUP, 12, clock.now() - dt.timedelta(minutes=11)),
        ],
        "✍",
    )
    # The reaction still waiting on message 10 became the ✍: one call, not two.
    assert ids[0] == waiting and len(set(ids)) == 3
    by_id = {row.id: row for row in rows(engine)}
    assert len(by_id) == 3
    assert json.loads(by_id[ids[0]].payload) == {"message_id": 10, "emoji": "✍"}
    assert by_id[ids[1]].status == OutboxStatus.PENDING
    assert by_id[ids[2]].status == OutboxStatus.DROPPED
