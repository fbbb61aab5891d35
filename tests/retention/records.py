"""A desk with a recorded shift, camera events and delivered messages of two ages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, insert, inspect, table
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.camera.alert_input import AlertInput
from bot.clock import ManualClock
from bot.db.models import AlertSource, CameraAlert, CameraEventRecord, OutboxMessage
from bot.desk import Desk
from tests.conftest import MORNING
from tests.documents.shift import record_shift
from tests.e2e.conftest import GROUP

# Past every default: raw events are kept 90 days, delivered messages 30.
LONG_AGO = MORNING - dt.timedelta(days=120)
LATELY = MORNING - dt.timedelta(days=2)
PRUNED_TABLES = ("camera_event", "outbox_message")


@dataclass
class Aged:
    """The ids of what was recorded long ago and lately."""

    old_events: list[int]
    recent_events: list[int]
    unfolded_old_event: int
    old_plain: list[int]
    recent_plain: list[int]
    old_cards: list[int]
    old_failed: int
    old_pending: int


async def _alerts_at(desk: Desk, when: dt.datetime, cameras: list[str]) -> list[int]:
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.set(when)
    events = []
    for camera in cameras:
        alert = AlertInput(camera, "motion", when, AlertSource.WEBHOOK, image=b"\x89PNG old")
        received = await desk.cameras.alerts.receive(alert)
        assert received.event_id is not None
        events.append(received.event_id)
    await desk.cameras.alerts.settle()
    return events


def _deliver_all(desk: Desk, when: dt.datetime) -> None:
    """The sender's record of every waiting message as delivered at a time."""
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.set(when)
    deliveries = desk.outbox.deliveries
    for row in deliveries.due(when + dt.timedelta(days=1), limit=1000):
        assert row.id is not None
        deliveries.mark_sent(row.id, 10_000 + row.id)


async def record_aged(desk: Desk) -> Aged:
    """Alerts, plain messages, a failed and a waiting one long ago; alerts and messages lately."""
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    old_events = await _alerts_at(desk, LONG_AGO, ["12", "15"])
    clock.set(LONG_AGO)
    old_plain = [desk.outbox.send(GROUP, f"Tin cũ {n}") for n in range(3)]
    _deliver_all(desk, LONG_AGO + dt.timedelta(seconds=5))
    old_failed = desk.outbox.send(GROUP, "Tin không gửi được")
    desk.outbox.deliveries.mark_failed(old_failed, "Forbidden: bot was kicked", 1)
    # Held back for weeks: still waiting, so kept whatever its age.
    old_pending = desk.outbox.send(
        GROUP, "Tin chờ gửi", not_before=MORNING + dt.timedelta(days=365)
    )
    with desk.engine.begin() as connection:
        unfolded = connection.execute(
            insert(CameraEventRecord).values(
                camera="13",
                kind="motion",
                source=AlertSource.WEBHOOK.value,
                occurred_at=LONG_AGO,
                received_at=LONG_AGO,
            )
        ).inserted_primary_key
    assert unfolded is not None
    recent_events = await _alerts_at(desk, LATELY, ["14"])
    clock.set(LATELY)
    recent_plain = [desk.outbox.send(GROUP, "Tin gần đây")]
    _deliver_all(desk, LATELY + dt.timedelta(seconds=5))
    record_shift(desk)
    clock.set(MORNING + dt.timedelta(hours=8))
    with Session(desk.engine) as session:
        cards = session.exec(
            select(CameraAlert.card_outbox_id).where(col(CameraAlert.received_at) == LONG_AGO)
        ).all()
    return Aged(
        old_events=old_events,
        recent_events=recent_events,
        unfolded_old_event=int(unfolded[0]),
        old_plain=old_plain,
        recent_plain=recent_plain,
        old_cards=[card for card in cards if card is not None],
        old_failed=old_failed,
        old_pending=old_pending,
    )


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every table."""
    with engine.connect() as connection:
        return {
            name: int(
                connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            )
            for name in inspect(engine).get_table_names()
        }


def event_ids(engine: Engine) -> set[int]:
    """The camera events stored."""
    with Session(engine) as session:
        return {i for i in session.exec(select(CameraEventRecord.id)).all() if i is not None}


def outbox_rows(engine: Engine) -> dict[int, OutboxMessage]:
    """The outbox's rows by id."""
    with Session(engine) as session:
        return {row.id: row for row in session.exec(select(OutboxMessage)).all() if row.id}
