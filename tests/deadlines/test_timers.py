"""Firing deadlines: a burst shares transactions, yet one broken deadline spoils nothing else."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import deadlines
from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.models import Deadline, OutboxMessage
from bot.deadlines.timers import BATCH
from bot.desk import Desk
from bot.epz.deadline_kinds import OutageDeadline

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
CHAT = 1001
BROKEN = 7


def desk_on(url: str) -> Desk:
    settings = Settings(
        telegram={"token": "1:test", "duty_group_id": -100},
        database={"url": url},
        people=[{"id": CHAT, "name": "An"}],
    )
    return Desk.build(settings, make_engine(url), ManualClock(NOW))


def queued_texts(engine: Engine) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return [json.loads(row.payload)["text"] for row in rows]


def test_a_failing_deadline_leaves_the_rest_of_its_burst_firing_once(migrated_url: str) -> None:
    desk = desk_on(migrated_url)
    timers = desk.timers

    def remind(session: Session, subject: int, _seq: int, _now: dt.datetime) -> None:
        desk.outbox.send(CHAT, f"reminder {subject}", session=session)
        if subject == BROKEN:
            raise RuntimeError("a handler bug")

    timers.register(OutageDeadline.EPZ_REMINDER, remind)
    subjects = range(1, BATCH * 2 + 3)
    with Session(desk.engine) as session:
        for n in subjects:
            due = NOW - dt.timedelta(seconds=len(subjects) - n)
            deadlines.schedule(session, OutageDeadline.EPZ_REMINDER, f"outage:{n}", due)
        deadlines.schedule(
            session, OutageDeadline.EPZ_REMINDER, "outage:999", NOW + dt.timedelta(minutes=1)
        )
        session.commit()

    fired = timers.fire_due(NOW)

    expected = [f"reminder {n}" for n in subjects if n != BROKEN]
    assert fired == len(expected)
    # In due order, each once; the broken one's message went back with its transaction.
    assert queued_texts(desk.engine) == expected
    with Session(desk.engine) as session:
        broken = session.exec(select(Deadline).where(Deadline.subject == f"outage:{BROKEN}")).one()
        later = session.exec(select(Deadline).where(Deadline.subject == "outage:999")).one()
    # Claimed all the same: a bug must not ring every few seconds for ever.
    assert broken.fired_at is not None
    assert later.fired_at is None
    assert timers.fire_due(NOW) == 0
    assert len(queued_texts(desk.engine)) == len(expected)
    desk.engine.dispose()
