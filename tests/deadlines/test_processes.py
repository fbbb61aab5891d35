"""Two processes ringing at once on PostgreSQL: each deadline fires once, and neither waits."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bot import deadlines
from bot.clock import ManualClock
from bot.db.desk_scope import DEFAULT_DESK, desk_engine
from bot.deadlines.timers import Timers
from bot.epz.deadline_kinds import OutageDeadline
from bot.outbox import Outbox
from tests.deadlines.test_timers import NOW, queued_texts

SUBJECTS = range(1, 11)


def test_a_process_ringing_while_another_fires_a_burst_skips_it_and_nothing_fires_twice(
    migrated_url: str,
) -> None:
    if make_url(migrated_url).get_backend_name() != "postgresql":
        pytest.skip("one process fires on SQLite; two ring at once only on PostgreSQL")
    # Were the second process to wait for the first's row locks, it would fail here, not hang.
    engines = [
        desk_engine(
            create_engine(migrated_url, connect_args={"options": "-c lock_timeout=2000"}),
            DEFAULT_DESK,
        )
        for _ in range(2)
    ]
    first, second = (Timers(engine, lambda: None) for engine in engines)
    outboxes = [Outbox(engine, ManualClock(NOW)) for engine in engines]
    fired_by_second: list[int] = []

    def remind(outbox: Outbox, process: str, session: Session, subject: int) -> None:
        outbox.send(1001, f"reminder {subject}", session=session)
        if process == "first" and subject == SUBJECTS[0]:
            # The second process rings while the first holds its batch, uncommitted.
            fired_by_second.append(second.fire_due(NOW))

    for timers, outbox, process in ((first, outboxes[0], "first"), (second, outboxes[1], "second")):
        timers.register(
            OutageDeadline.EPZ_REMINDER,
            lambda session, subject, _seq, _now, o=outbox, p=process: remind(
                o, p, session, subject
            ),
        )
    with Session(engines[0]) as session:
        for n in SUBJECTS:
            deadlines.schedule(session, OutageDeadline.EPZ_REMINDER, f"outage:{n}", NOW)
        session.commit()

    assert first.fire_due(NOW) == len(SUBJECTS)
    # The first process's burst was under way: the second took none of it and did not wait.
    assert fired_by_second == [0]
    assert sorted(queued_texts(engines[0])) == sorted(f"reminder {n}" for n in SUBJECTS)
    assert second.fire_due(NOW) == 0
    for engine in engines:
        engine.dispose()
