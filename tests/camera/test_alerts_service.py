"""The alerts service on a real database with the clock moved by hand, no Telegram.

What the duty group and the units would see: a repeat counted on its card, a storm in one
digest, a fault in the logbook and at its unit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, col, select

from bot.camera.alert_input import AlertInput
from bot.camera.alerts import Alerts
from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.models import AlertSource, CameraAlert, LogbookEntry, OutboxMessage
from bot.desk import Desk

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
GROUP = -100
UNIT_CHAT = -200


@pytest.fixture
async def desk(migrated_url: str) -> AsyncIterator[Desk]:
    settings = Settings(
        telegram={"token": "1:test", "duty_group_id": GROUP},
        database={"url": migrated_url},
        people=[{"id": 1, "name": "An"}],
        units=[{"key": "tech", "name": "Đội kỹ thuật", "chat_id": UNIT_CHAT}],
        cameras=[
            {"number": str(n), "name": f"Cổng {n}", "place": "Cát Lái", "unit": "tech"}
            for n in range(1, 7)
        ],
        alerts={"fold_window_seconds": 300, "digest_after_per_minute": 3},
    )
    built = Desk.build(settings, make_engine(migrated_url), ManualClock(NOW))
    yield built
    await built.cameras.alerts.stop()
    built.engine.dispose()


def _alerts(desk: Desk) -> Alerts:
    return desk.cameras.alerts


async def _receive(desk: Desk, camera: str, kind: str = "motion") -> None:
    alert = AlertInput(camera, kind, desk.clock.now(), AlertSource.WEBHOOK, image=None)
    received = await _alerts(desk).receive(alert)
    assert received.event_id is not None
    await _alerts(desk).settle()


def _stored(desk: Desk) -> list[CameraAlert]:
    with Session(desk.engine) as session:
        return list(session.exec(select(CameraAlert).order_by(col(CameraAlert.id))).all())


def _sent(desk: Desk, chat: int) -> list[OutboxMessage]:
    with Session(desk.engine) as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


def _move(desk: Desk, **delta: float) -> None:
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.advance(dt.timedelta(**delta))


async def test_a_repeat_within_the_window_counts_on_its_card_and_a_later_one_opens_anew(
    desk: Desk,
) -> None:
    await _receive(desk, "1")
    _move(desk, minutes=4)
    await _receive(desk, "1")
    # One card, counting two.
    (alert,) = _stored(desk)
    assert (alert.count, alert.digest) == (2, False)
    assert [row.method for row in _sent(desk, GROUP)].count("send_photo") == 1

    _move(desk, minutes=5, seconds=1)
    await _receive(desk, "1")
    first, second = _stored(desk)
    assert (first.count, second.count) == (2, 1)
    assert [row.method for row in _sent(desk, GROUP)].count("send_photo") == 2


async def test_past_the_storm_threshold_new_cameras_join_one_digest(desk: Desk) -> None:
    for camera in ["1", "2", "3", "4", "5"]:
        await _receive(desk, camera)
        _move(desk, seconds=5)
    carded = [a.camera for a in _stored(desk) if not a.digest]
    lines = [a.camera for a in _stored(desk) if a.digest and not a.camera.startswith("*")]
    assert carded == ["1", "2", "3"]
    assert lines == ["4", "5"]
    sent = _sent(desk, GROUP)
    assert [row.method for row in sent].count("send_photo") == 3
    # One digest message, kept current by edits: it lists every camera alerting.
    assert [row.method for row in sent].count("send_message") == 1
    drawn = [
        json.loads(row.payload)["text"]
        for row in sent
        if row.method in {"send_message", "edit_message_text"}
    ]
    assert all(f"CAM {camera}" in drawn[-1] for camera in ["1", "2", "3", "4", "5"])

    # A minute later the storm is over: a new camera gets its card again.
    _move(desk, minutes=1, seconds=1)
    await _receive(desk, "6")
    assert not _stored(desk)[-1].digest


async def test_a_fault_is_logged_and_its_unit_told_but_motion_is_not(desk: Desk) -> None:
    await _receive(desk, "1", "motion")
    assert _sent(desk, UNIT_CHAT) == []
    await _receive(desk, "2", "tampering")
    (notice,) = _sent(desk, UNIT_CHAT)
    assert "Camera 2 (Cát Lái)" in json.loads(notice.payload)["text"]
    with Session(desk.engine) as session:
        logged = session.exec(select(LogbookEntry)).all()
    assert len(logged) == 1


async def test_a_repeat_folds_into_the_card_another_process_opened_once_relearnt(
    desk: Desk,
) -> None:
    # A second process on the same database, which has folded alerts of its own already.
    other = Desk.build(desk.settings, make_engine(desk.settings.database.url), desk.clock)
    try:
        await _receive(other, "2")
        await _receive(desk, "1")
        # Camera 1's stream moves to the other process (its watcher died): it relearns.
        _alerts(other).relearn()
        _move(desk, minutes=1)
        await _receive(other, "1")
        first_camera = [alert for alert in _stored(desk) if alert.camera == "1"]
        assert [alert.count for alert in first_camera] == [2]
    finally:
        await other.cameras.alerts.stop()
        other.engine.dispose()


def _second_process(desk: Desk) -> Desk:
    if desk.engine.dialect.name != "postgresql":
        pytest.skip("several processes share a database only on PostgreSQL")
    return Desk.build(desk.settings, make_engine(desk.settings.database.url), desk.clock)


async def test_one_cameras_repeats_reaching_two_processes_fold_into_one_card(desk: Desk) -> None:
    # An NVR posts round-robin over two processes behind one address: neither was told.
    other = _second_process(desk)
    try:
        await asyncio.gather(_receive(desk, "1"), _receive(other, "1"))
        for process in [desk, other, other, desk, other]:
            _move(desk, seconds=10)
            await _receive(process, "1")
        (alert,) = _stored(desk)
        # Every repeat counted, each process adding its own to what the other wrote.
        assert (alert.count, alert.digest) == (7, False)
        assert [row.method for row in _sent(desk, GROUP)].count("send_photo") == 1
    finally:
        await other.cameras.alerts.stop()
        other.engine.dispose()


async def test_the_storm_threshold_counts_the_cards_every_process_opened(desk: Desk) -> None:
    other = _second_process(desk)
    try:
        await _receive(desk, "1")
        await _receive(other, "2")
        await _receive(desk, "3")
        # Three cards in the minute, two of them by this process's neighbour: a storm.
        await _receive(other, "4")
        await _receive(desk, "5")
        carded = [a.camera for a in _stored(desk) if not a.digest]
        lines = [a.camera for a in _stored(desk) if a.digest and not a.camera.startswith("*")]
        assert carded == ["1", "2", "3"]
        assert lines == ["4", "5"]
        assert [row.method for row in _sent(desk, GROUP)].count("send_photo") == 3
    finally:
        await other.cameras.alerts.stop()
        other.engine.dispose()
