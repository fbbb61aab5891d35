"""A message or a deadline written by one process wakes the sender and the alarms of the others."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from bot.clock import ManualClock
from bot.coordination.keys import Channel
from bot.db.engine import make_engine
from bot.deadlines import schedule
from bot.escalation.deadline_kinds import EscalationDeadline
from bot.outbox import Outbox
from tests.conftest import MORNING
from tests.coordination.conftest import Cluster, wait_for


async def test_a_queued_message_and_a_new_deadline_are_heard_by_another_process(
    cluster: Cluster,
) -> None:
    heard: list[Channel] = []
    listening = await cluster.start("listening", leases=[])
    for channel in (Channel.OUTBOX, Channel.DEADLINE):
        listening.listen(channel, lambda c=channel: heard.append(c))
    # Another process (here: the test) queues a message, then schedules a deadline.
    engine = make_engine(cluster.url)
    Outbox(engine, ManualClock(MORNING)).send(-100123, "Báo cáo ca trực")
    await wait_for(lambda: Channel.OUTBOX in heard, within=2)
    assert Channel.DEADLINE not in heard
    with Session(engine) as session:
        schedule(
            session,
            EscalationDeadline.UNIT_REMINDER,
            "request:1",
            MORNING + dt.timedelta(minutes=30),
        )
        session.commit()
    await wait_for(lambda: Channel.DEADLINE in heard, within=2)
    engine.dispose()
