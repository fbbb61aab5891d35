"""K desks of C cameras on 1, 2, 3 `duty-desk run` processes sharing one PostgreSQL database.

Issue 14's benchmark (items 1 and 2). For each N in --processes:
  * a fresh PostgreSQL database, migrated (bot.db.engine.upgrade, as `duty-desk db upgrade`);
  * the Bot API emulator in this process, serving every desk's duty group and unit chats with
    Telegram's limits: 429 past 20 new messages a minute in a chat, and past 30 calls to chats
    in any second overall (bench/deployment.py);
  * --desks desks of --cameras cameras each (numbers D01C001…, unique across desks): one desk is
    written as today's single-desk configuration, more as a `desks:` section; --onvif of the
    cameras (dealt round the desks) are simulated ONVIF cameras served here, the rest
    intake-only; default alert settings and rate limits (30 calls/s, 20 a minute per group);
  * N real `duty-desk run` subprocesses on that file, each on its own intake port
    (DUTY_DESK_INTAKE__PORT), the operator's port off; the bench waits for their intakes and
    for every ONVIF camera's event stream to be subscribed (by whichever process leased it);
  * the storm: --per-camera alerts for every camera, shuffled and spread evenly over --seconds:
    signed POSTs round-robin over the N intakes (from a client process of its own, as NVRs are
    other machines) and ONVIF events from the simulated cameras; then --settle seconds more;
  * the saturation figure: --burst-rounds x --burst signed POSTs as fast as 20 workers can,
    round-robin over the intakes (the median rate is reported).
Reported per N, one line per desk: alerts sent and accepted for its cameras, events stored for
them (camera_event), cameras visible in its duty group (a card or a digest line naming the
camera, read from the texts the emulator took) within 3 s of their first alert and by the end
of the round, the p95 of that delay, 429 answers to its chats, the most new messages (and
edits) to its group in any 60 s, its cameras shown in another desk's chats, and outbox rows
left pending. Then the summary: the most calls to chats in any 1 s overall, 429s, repeats not
folded, the storm's and the saturation's accepted POST/s; and at the end the throughput gained
per added process relative to N=1. Processes are stopped with SIGINT; databases are dropped.

Usage: python bench/processes.py [--desks 10] [--cameras 200 (per desk)] [--per-camera 10]
       [--seconds 60] [--settle 15] [--onvif 10] [--processes 1,2,3] [--burst 3000]
       [--burst-rounds 5] [--admin-url URL] [--keep-logs DIR [--profile]]
Smoke run (a couple of minutes): --desks 2 --cameras 10 --per-camera 2 --seconds 10 --burst 200
       --processes 1,2
Targets (issue 14): every camera visible in its group within 3 s; no 429; at most 20 new
messages a minute per group and 30 calls a second overall; every event stored.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Importing onvif-zeep-async runs logging.basicConfig(level=INFO); alembic then logs its plugins.
logging.getLogger("alembic").setLevel(logging.WARNING)

from bench.cameras import TOPICS, wait_subscribed  # noqa: E402
from bench.deployment import (  # noqa: E402
    ChatCall,
    DeskPlan,
    TelegramLikeEmulator,
    deployment_yaml,
    plan_desks,
    seed_chats,
)
from bench.desk_figures import (  # noqa: E402
    HEADER,
    TARGETS,
    DeskLine,
    Stored,
    busiest_second,
    desk_lines,
    format_line,
    read_stored,
    refusals,
)
from bench.fleet import CpuMark, Fleet  # noqa: E402
from bench.storm import Alarm, Posted, run_burst, run_storm, storm_plan  # noqa: E402
from bot.db.engine import upgrade  # noqa: E402

ADMIN_URL = "postgresql+psycopg://dutydesk:dutydesk@127.0.0.1:5432/postgres"
# The storm starts this long after it is planned, so the client process is posting on time.
LEAD_IN = 1.5


@dataclass
class Round:
    processes: int
    storm_rate: float
    burst_rate: float


async def emit_onvif(plans: list[DeskPlan], alarms: list[Alarm], start: float) -> dict[str, float]:
    """Raise each ONVIF alarm at start + its offset; clear the conditions when all are out."""
    cams = {number: cam for desk in plans for number, cam in desk.onvif.items()}
    first: dict[str, float] = {}
    raised: set[tuple[str, str]] = set()
    for alarm in alarms:
        delay = start + alarm.offset - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        topic, item = TOPICS[alarm.kind]
        first.setdefault(alarm.camera, time.monotonic())
        cams[alarm.camera].emit(topic, {item: "true"}, when=dt.datetime.now(dt.UTC))
        raised.add((alarm.camera, alarm.kind))
    await asyncio.sleep(1.0)
    for number, kind in sorted(raised):
        topic, item = TOPICS[kind]
        cams[number].emit(topic, {item: "false"})
    return first


@dataclass
class StormOutcome:
    """The storm as the client posted it, the emulator answered it and the database kept it."""

    alarms: list[Alarm]
    onvif: set[str]
    posted: Posted
    calls: list[ChatCall]
    stored: Stored
    lines: list[DeskLine]
    cpu: str


@dataclass
class BurstOutcome:
    rates: list[float]
    answers: Counter[str]
    cpu: str

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)


async def storm_phase(
    plans: list[DeskPlan],
    fleet: Fleet,
    emu: TelegramLikeEmulator,
    url: str,
    args: argparse.Namespace,
    client: ProcessPoolExecutor,
) -> StormOutcome:
    """Post and emit every alarm on time, wait --settle, and read what each desk got."""
    numbers = [number for desk in plans for number in desk.cameras]
    alarms = storm_plan(numbers, args.per_camera, args.seconds)
    onvif = {number for desk in plans for number in desk.onvif}
    start = time.monotonic() + LEAD_IN
    cpu = CpuMark.now(fleet)
    posting = asyncio.get_running_loop().run_in_executor(
        client,
        run_storm,
        fleet.urls,
        [alarm for alarm in alarms if alarm.camera not in onvif],
        start,
        url.rsplit("/", 1)[1],
    )
    onvif_first = await emit_onvif(plans, [a for a in alarms if a.camera in onvif], start)
    posted: Posted = await posting
    await asyncio.sleep(max(0.0, posted.ended + args.settle - time.monotonic()))
    end = time.monotonic()
    cpu_text = CpuMark.now(fleet).since(cpu)
    calls = [call for call in emu.chat_calls if call.moment <= end]
    stored = read_stored(url)
    sent = Counter(alarm.camera for alarm in alarms)
    accepted = posted.accepted + Counter({number: sent[number] for number in onvif})
    lines = desk_lines(plans, calls, posted.first_alert | onvif_first, sent, accepted, stored)
    return StormOutcome(alarms, onvif, posted, calls, stored, lines, cpu_text)


async def burst_phase(
    plans: list[DeskPlan],
    fleet: Fleet,
    args: argparse.Namespace,
    client: ProcessPoolExecutor,
    round_id: str,
) -> BurstOutcome:
    """--burst-rounds bursts of --burst POSTs for the intake-only cameras."""
    cameras = [number for desk in plans for number in desk.cameras if number not in desk.onvif]
    outcome = BurstOutcome([], Counter(), "")
    cpu = CpuMark.now(fleet)
    for number in range(args.burst_rounds):
        burst: Posted = await asyncio.get_running_loop().run_in_executor(
            client, run_burst, fleet.urls, args.burst, f"{round_id}-{number}", cameras
        )
        outcome.rates.append(burst.rate)
        outcome.answers.update(burst.answers)
    outcome.cpu = CpuMark.now(fleet).since(cpu)
    return outcome


def save_calls(path: Path, plans: list[DeskPlan], storm: StormOutcome) -> None:
    """Every call to a chat and each camera's first alert, to read a group's timeline later."""
    path.write_text(
        json.dumps(
            {
                "groups": {desk.key: desk.group for desk in plans},
                "first_alert": storm.posted.first_alert,
                "calls": [
                    [call.moment, call.chat, call.method, call.body, call.refused]
                    for call in storm.calls
                ],
            }
        ),
        encoding="utf-8",
    )


async def one_round(
    count: int, args: argparse.Namespace, folder: Path, client: ProcessPoolExecutor
) -> Round:
    """A fresh database, N processes, the storm, the burst; stop; drop the database."""
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    name = f"duty_desk_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    plans = plan_desks(args.desks, args.cameras, args.onvif)
    cams = [cam for desk in plans for cam in desk.onvif.values()]
    try:
        upgrade(url)
        await asyncio.gather(*(cam.start() for cam in cams))
        emu = TelegramLikeEmulator()
        async with emu:
            seed_chats(emu, plans)
            logs = folder / f"n{count}"
            logs.mkdir()
            config = logs / "duty-desk.yaml"
            config.write_text(
                yaml.safe_dump(deployment_yaml(emu, url, plans), allow_unicode=True),
                encoding="utf-8",
            )
            fleet = Fleet(config, logs, profile=args.profile)
            began = time.monotonic()
            try:
                await fleet.start(count)
                up = time.monotonic() - began
                subscribed = await wait_subscribed(cams, 120.0) if cams else 0.0
                storm = await storm_phase(plans, fleet, emu, url, args, client)
                if args.keep_logs:
                    save_calls(logs / "calls.json", plans, storm)
                bursts = await burst_phase(plans, fleet, args, client, name)
            finally:
                codes = await fleet.stop()
            print(HEADER)
            print(TARGETS)
            for line in storm.lines:
                print(format_line(line))
            print(
                f"  summary: processes up in {up:.1f} s, {len(cams)} ONVIF streams subscribed "
                f"{subscribed:.1f} s later; stopped with SIGINT: exit codes {codes}"
            )
            for figures in summary(plans, storm, bursts, emu, args):
                print(f"    {figures}")
            print(f"    log: {fleet.log_summary()}", flush=True)
        return Round(count, storm.posted.rate, bursts.rate)
    finally:
        await asyncio.gather(*(cam.stop() for cam in cams))
        drop(admin, name)
        admin.dispose()


def summary(
    plans: list[DeskPlan],
    storm: StormOutcome,
    bursts: BurstOutcome,
    emu: TelegramLikeEmulator,
    args: argparse.Namespace,
) -> list[str]:
    """The round's overall figures, each with its target in brackets."""
    total = len(storm.alarms)
    events = len(storm.onvif) * args.per_camera
    posted, stored, lines = storm.posted, storm.stored, storm.lines
    busiest = busiest_second([call for call in storm.calls if not call.refused])
    refused = sum(bursts.answers.values()) - bursts.answers["accepted"]
    return [
        f"storm: {total} alerts ({total - events} POSTs, {events} ONVIF events) over "
        f"{args.seconds:.0f} s, posted late by at most {posted.late:.2f} s; answers "
        f"{dict(posted.answers)}, {posted.answer_times()}; accepted {posted.rate:.0f} POST/s",
        f"events stored {sum(line.stored for line in lines)} of {total} [all] (from the "
        f"intake {stored.by_source['webhook']} of {total - events}, over ONVIF "
        f"{stored.by_source['onvif']} of {events}, stored twice {stored.twice} [0]); taken into "
        f"no alert {stored.orphans} [0]; "
        f"alerts opened {stored.alerts}, of which repeats not folded {stored.unfolded} [0]",
        f"cameras visible in their group <= 3 s: {sum(line.quick for line in lines)} of "
        f"{sum(line.cameras for line in lines)} [all]; calls to chats in any 1 s: {busiest} "
        f"[<= 30]; 429 answers over the round {emu.refused_429} [0] "
        f"{refusals(plans, emu.chat_calls)}",
        f"storm and settling: {storm.cpu}",
        f"saturation: {args.burst_rounds} x {args.burst} POSTs at concurrency 20 -> median "
        f"{bursts.rate:.0f} POST/s accepted ({', '.join(f'{r:.0f}' for r in bursts.rates)}); "
        f"not accepted {refused}; {bursts.cpu}",
    ]


def drop(admin: Any, name: str) -> None:
    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except Exception:
            if attempt == 19:
                raise
            time.sleep(0.25)


def warm(_: int) -> None:
    """Nothing: makes the client process start (and import) before the first storm."""


async def main_async(args: argparse.Namespace, folder: Path) -> None:
    rounds: list[Round] = []
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as client:
        await asyncio.get_running_loop().run_in_executor(client, warm, 0)
        for count in args.processes:
            print(f"N = {count} process(es):", flush=True)
            rounds.append(await one_round(count, args, folder, client))
    base = rounds[0]
    print(f"throughput per N (relative to N={base.processes}):")
    for result in rounds:
        added = result.processes - base.processes
        gain = result.burst_rate / base.burst_rate - 1
        per_added = f", {100 * gain / added:+.0f}% per added process" if added else ""
        print(
            f"  N={result.processes}: storm {result.storm_rate:6.1f} POST/s "
            f"(x{result.storm_rate / base.storm_rate:.2f}, paced by the storm); saturation "
            f"{result.burst_rate:6.0f} POST/s (x{result.burst_rate / base.burst_rate:.2f}"
            f"{per_added})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--desks", type=int, default=10)
    parser.add_argument("--cameras", type=int, default=200, help="cameras per desk")
    parser.add_argument("--per-camera", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=15.0, help="watch after the storm")
    parser.add_argument("--onvif", type=int, default=10, help="simulated ONVIF cameras in all")
    parser.add_argument("--processes", default="1,2,3", help="comma-separated N, e.g. 1,2,3")
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--burst-rounds", type=int, default=5, help="the median is reported")
    parser.add_argument("--admin-url", default=os.environ.get("DUTY_DESK_BENCH_PG", ADMIN_URL))
    parser.add_argument(
        "--keep-logs",
        default=None,
        help="keep the processes' logs and the storm's calls (calls.json) here",
    )
    parser.add_argument(
        "--profile", action="store_true", help="run the bots under cProfile (see --keep-logs)"
    )
    args = parser.parse_args()
    args.processes = [int(n) for n in args.processes.split(",")]
    # Alembic's upgrade logs every migration at INFO; the figures are what this prints.
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    print(
        f"duty-desk: {args.desks} desk(s) x {args.cameras} cameras ({args.onvif} of them "
        f"simulated ONVIF) on {args.processes} `duty-desk run` process(es) sharing one "
        f"PostgreSQL database; {args.per_camera} alerts per camera over {args.seconds:.0f} s "
        f"(+{args.settle:.0f} s watched), burst {args.burst_rounds} x {args.burst}; "
        f"{os.cpu_count()} CPU cores shared by the bots, PostgreSQL, the emulator, the cameras "
        "and the client"
    )
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(args.keep_logs or name)
        folder.mkdir(parents=True, exist_ok=True)
        asyncio.run(main_async(args, folder))
    print(f"total run time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
