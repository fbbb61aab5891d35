"""Deadline lateness with thousands of open unit requests, and the memory they take.

The real bot (PTB with its JobQueue as the alarm clock, the outbox sender, SQLite or
PostgreSQL) runs against the Bot API emulator over loopback. Before it starts, N approved
requests are created through the services, each with its 30-minute clock (two reminders and
the deadline). Their due times are then moved into the next --window seconds, as if the
requests had been delivered over the past half hour, so the run takes a minute instead of 30.
The bench waits until every deadline in the window has fired and reports how late each fired
(fired_at - due_at, both from the database) and the process's peak RSS.

With --burn N, N neighbour processes burn a CPU core each for the whole run (a loaded machine).

Usage: python bench/deadlines.py [--requests 5000] [--window 60] [--database-url URL] [--burn N]
Targets (issue 3): p99 lateness under 1 s; under 300 MB RSS. Issue 15: p99 under 100 ms on a
quiet machine, under 1 s beside a CPU-burning neighbour.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application, running
from bot.clock import SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, upgrade
from bot.db.models import Deadline, OutboxMessage, OutboxStatus, ProposalKind
from bot.desk import Desk
from bot.devtools.emulator import BotApiEmulator
from bot.escalation.incidents import IncidentInput
from bot.logbook.service import Author
from bot.logging_setup import configure_logging

GROUP = -1001234567890
LEADER, OFFICER = 1001, 1004
UNITS = 100


def settings_for(emu: BotApiEmulator, url: str) -> Settings:
    """A desk with a leader on duty today and a hundred units, each with its chat."""
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    return Settings(
        telegram={
            "token": emu.token,
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "duty_group_id": GROUP,
            # The emulator has no flood limits; the figure is about the timers.
            "rate_limits": {"overall_per_second": 10000, "group_per_minute": 100000},
        },
        database={"url": url},
        people=[{"id": LEADER, "name": "An"}, {"id": OFFICER, "name": "Dung"}],
        units=[
            {"key": f"u{n}", "name": f"Đơn vị {n}", "chat_id": -200000 - n} for n in range(UNITS)
        ],
        roster={
            "days": {
                str(today + dt.timedelta(days=d)): {"shift_leader": LEADER, "officers": [OFFICER]}
                for d in (-1, 0)
            }
        },
    )


def open_requests(desk: Desk, count: int) -> None:
    """Create approved requests through the services, as the desk would."""
    clock = desk.clock
    officer, leader = Author(OFFICER, "Dung"), Author(LEADER, "An")
    escalation = desk.escalation
    for n in range(count):
        incident = escalation.incidents.open(
            officer, IncidentInput(description=f"Xe số {n} vào bãi không qua cổng"), clock.now()
        ).value
        assert incident is not None and incident.id is not None
        proposal = escalation.approvals.propose(
            officer,
            incident.id,
            ProposalKind.COORDINATION,
            [f"u{n % UNITS}"],
            "Đề nghị kiểm tra",
            clock.now(),
        ).value
        assert proposal is not None and proposal.id is not None
        escalation.approvals.approve(leader, proposal.id, proposal.version, clock.now())


def spread_deadlines(desk: Desk, window: dt.timedelta) -> int:
    """Move every live deadline into the window ahead, keeping each request's order."""
    start = desk.clock.now() + dt.timedelta(seconds=3)
    rng = random.Random(7)
    with Session(desk.engine) as session:
        live = session.exec(
            select(Deadline).where(
                col(Deadline.fired_at).is_(None), col(Deadline.cancelled).is_(False)
            )
        ).all()
        for deadline in live:
            deadline.due_at = start + window * rng.random()
            session.add(deadline)
        session.commit()
        # What the services queued (cards, deliveries) went out during that half hour.
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.status) == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENT, sent_at=desk.clock.now())
        )
        # Approval reminders were cancelled by the approvals; only the request clocks remain.
        session.exec(
            update(Deadline)
            .where(col(Deadline.cancelled).is_(True))
            .values(due_at=start + window * 10)
        )
        session.commit()
    return len(live)


async def run(count: int, window_seconds: float, url: str) -> None:
    """Create the requests, start the bot, wait for the window, report."""
    upgrade(url)
    window = dt.timedelta(seconds=window_seconds)
    async with BotApiEmulator() as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(LEADER, "An")
        emu.add_user(OFFICER, "Dung")
        settings = settings_for(emu, url)
        for unit in settings.units:
            assert unit.chat_id is not None
            emu.add_chat(unit.chat_id, "supergroup", unit.name)
        engine = make_engine(url)
        desk = Desk.build(settings, engine, SystemClock())
        began = time.perf_counter()
        open_requests(desk, count)
        created = time.perf_counter() - began
        scheduled = spread_deadlines(desk, window)
        end = desk.clock.now() + window + dt.timedelta(seconds=3)
        began_at = desk.clock.now()
        app = build_application(settings, desk=desk)
        async with running(app):
            remaining = end + dt.timedelta(seconds=2) - desk.clock.now()
            await asyncio.sleep(max(0.0, remaining.total_seconds()))
        with Session(engine) as session:
            rows = session.exec(
                select(Deadline.due_at, Deadline.fired_at).where(col(Deadline.due_at) <= end)
            ).all()
            by_status = dict(
                session.exec(
                    select(OutboxMessage.status, func.count())
                    .where(col(OutboxMessage.created_at) >= began_at)
                    .group_by(OutboxMessage.status)
                ).all()
            )
        engine.dispose()
    lateness = sorted((fired - due).total_seconds() for due, fired in rows if fired is not None)
    unfired = sum(1 for _, fired in rows if fired is None)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    p50 = statistics.median(lateness)
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    print(
        f"open requests: {count} over {UNITS} units ({created:.0f} s to create through the "
        f"services); {scheduled} deadlines spread over {window_seconds:.0f} s"
    )
    print(f"fired: {len(lateness)}, not fired by the end of the window: {unfired}")
    print(
        f"lateness: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {lateness[-1] * 1000:.0f} ms  [target p99 < 100 ms quiet, < 1000 ms loaded]"
    )
    queued = sum(by_status.values())
    print(
        f"messages the deadlines queued: {queued}, sent by the end: "
        f"{by_status.get(OutboxStatus.SENT, 0)} (no flood limits here; Telegram itself would "
        "take about 30 a second)"
    )
    print(
        f"peak RSS: {peak_mib:.0f} MiB (bot, emulator and its stored messages)  [target < 300 MB]"
    )


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--burn", type=int, default=0, help="CPU-burning neighbour processes")
    args = parser.parse_args()
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burn)
    ]
    if burners:
        print(f"beside {len(burners)} CPU-burning neighbour process(es)")
    # As `duty-desk run` does; importing onvif-zeep-async has set the root logger to INFO.
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'deadlines.db'}"
        try:
            asyncio.run(run(args.requests, args.window, url))
        finally:
            for burner in burners:
                burner.kill()


if __name__ == "__main__":
    main()
