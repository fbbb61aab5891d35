"""The prune runs each day at retention.run_at as a deadline: once, whichever process fires it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.db.models import Deadline
from bot.desk import Desk
from bot.logbook import chain
from bot.logbook.chain import verify
from bot.retention.deadline_kinds import RetentionDeadline
from tests.documents.shift import build_desk
from tests.retention.records import Aged, event_ids, outbox_rows, record_aged

chain.install()

HCM = dt.timezone(dt.timedelta(hours=7))
# 04:30 the next morning in Ho Chi Minh City: the default run_at after the recorded shift.
NEXT_RUN = dt.datetime(2026, 11, 26, 4, 30, tzinfo=HCM)


@pytest.fixture
async def desk(migrated_url: str) -> AsyncIterator[Desk]:
    built = build_desk(migrated_url)
    yield built
    await built.cameras.alerts.stop()
    built.engine.dispose()


def _prunes(desk: Desk) -> list[Deadline]:
    with Session(desk.engine) as session:
        return list(
            session.exec(
                select(Deadline)
                .where(Deadline.kind == RetentionDeadline.PRUNE.value)
                .order_by(col(Deadline.due_at))
            ).all()
        )


def _at(desk: Desk, when: dt.datetime) -> None:
    assert isinstance(desk.clock, ManualClock)
    desk.clock.set(when)


async def test_two_processes_arm_one_prune_and_it_runs_once_at_its_hour(
    desk: Desk, migrated_url: str
) -> None:
    aged: Aged = await record_aged(desk)
    second = build_desk(migrated_url)
    _at(second, desk.clock.now())
    desk.retention.start(desk.clock.now())
    second.retention.start(second.clock.now())
    armed = _prunes(desk)
    assert [d.due_at for d in armed] == [NEXT_RUN]

    for process in (desk, second):
        _at(process, NEXT_RUN - dt.timedelta(minutes=1))
        process.timers.fire_due(process.clock.now())
    assert set(aged.old_events) <= event_ids(desk.engine)

    for process in (desk, second):
        _at(process, NEXT_RUN + dt.timedelta(minutes=1))
        process.timers.fire_due(process.clock.now())
    assert not set(aged.old_events) & event_ids(desk.engine)
    assert not set(aged.old_plain) & outbox_rows(desk.engine).keys()
    assert set(aged.recent_events) <= event_ids(desk.engine)
    prunes = _prunes(desk)
    # Today's fired once; tomorrow's armed once, by whichever process fired today's.
    assert [(d.due_at, d.fired_at is not None) for d in prunes] == [
        (NEXT_RUN, True),
        (NEXT_RUN + dt.timedelta(days=1), False),
    ]
    assert verify(desk.engine).intact
    await second.cameras.alerts.stop()
    second.engine.dispose()


async def test_a_prune_missed_while_the_bot_was_down_runs_at_start(desk: Desk) -> None:
    aged = await record_aged(desk)
    desk.retention.start(desk.clock.now())
    # Down for two days: at start-up the missed prune is due and fires once.
    _at(desk, NEXT_RUN + dt.timedelta(days=2, hours=3))
    desk.retention.start(desk.clock.now())
    desk.timers.fire_due(desk.clock.now())
    assert not set(aged.old_events) & event_ids(desk.engine)
    live = [d for d in _prunes(desk) if d.fired_at is None]
    assert [d.due_at for d in live] == [NEXT_RUN + dt.timedelta(days=3)]


async def test_with_retention_off_nothing_is_armed_and_nothing_goes(migrated_url: str) -> None:
    desk = build_desk(migrated_url, retention={"enabled": False})
    try:
        aged = await record_aged(desk)
        desk.retention.start(desk.clock.now())
        assert _prunes(desk) == []
        _at(desk, NEXT_RUN + dt.timedelta(days=1))
        desk.timers.fire_due(desk.clock.now())
        assert set(aged.old_events) <= event_ids(desk.engine)
    finally:
        await desk.cameras.alerts.stop()
        desk.engine.dispose()
