"""The processes bench's client: the intake storm and the saturation burst, in a process of its own.

It runs apart from the emulator and the simulated cameras (as the NVRs posting alerts are
other machines), so its own work never delays Telegram's answers or a camera's events. Times
are time.monotonic(), which on Linux is one clock for every process of the machine, so the
bench can compare when an alert was posted with when the emulator saw its camera in a group.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.cameras import signed

STORM_CONCURRENCY = 200
BURST_CONCURRENCY = 20


@dataclass
class Posted:
    """What the client sent and how it was answered."""

    answers: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)  # per camera
    first_alert: dict[str, float] = field(default_factory=dict)  # per camera, monotonic
    answered_in: list[float] = field(default_factory=list)  # seconds from POST to answer
    began: float = 0.0
    ended: float = 0.0
    late: float = 0.0

    @property
    def rate(self) -> float:
        return self.answers["accepted"] / max(1e-9, self.ended - self.began)

    def answer_times(self) -> str:
        """How long the intake took to answer: median, p95 and the slowest, in ms."""
        times = sorted(self.answered_in) or [math.nan]
        p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
        return (
            f"answered in {1000 * statistics.median(times):.0f} ms median, {1000 * p95:.0f} ms "
            f"p95, {1000 * times[-1]:.0f} ms at most"
        )


@dataclass(frozen=True)
class Alarm:
    """One alert of the storm: when (seconds after its start), which camera, what kind."""

    offset: float
    camera: str
    kind: str


def storm_plan(cameras: list[str], per_camera: int, seconds: float) -> list[Alarm]:
    """--per-camera alerts for each camera, shuffled, spread evenly over the storm."""
    rng = random.Random(2026)
    order = [number for number in cameras for _ in range(per_camera)]
    rng.shuffle(order)
    step = seconds / max(1, len(order))
    return [
        Alarm(n * step, number, "tampering" if rng.random() < 0.15 else "motion")
        for n, number in enumerate(order)
    ]


async def post_one(
    http: aiohttp.ClientSession, url: str, payload: dict[str, Any], posted: Posted
) -> None:
    body = json.dumps(payload).encode()
    began = time.monotonic()
    try:
        async with http.post(url, data=body, headers=signed(body)) as response:
            answer = await response.json()
            if response.status != 202:
                posted.answers[f"{response.status} {answer.get('error')}"] += 1
            elif answer.get("duplicate"):
                posted.answers["duplicate"] += 1
            else:
                posted.answers["accepted"] += 1
                posted.accepted[payload["camera"]] += 1
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        posted.answers[f"client error {error.__class__.__name__}"] += 1
    posted.answered_in.append(time.monotonic() - began)


async def _storm(urls: list[str], alarms: list[Alarm], start: float, round_id: str) -> Posted:
    posted = Posted(began=start)
    limit = asyncio.Semaphore(STORM_CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=STORM_CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def send(url: str, payload: dict[str, Any]) -> None:
            async with limit:
                await post_one(http, url, payload, posted)

        tasks = []
        for n, alarm in enumerate(alarms):
            delay = start + alarm.offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.monotonic()
            posted.late = max(posted.late, now - start - alarm.offset)
            posted.first_alert.setdefault(alarm.camera, now)
            payload = {
                "id": f"{round_id}-storm-{n}",
                "camera": alarm.camera,
                "type": alarm.kind,
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "description": "Phát hiện đối tượng trong vùng giám sát",
            }
            tasks.append(asyncio.create_task(send(urls[n % len(urls)], payload)))
        await asyncio.gather(*tasks)
    posted.ended = time.monotonic()
    return posted


def run_storm(urls: list[str], alarms: list[Alarm], start: float, round_id: str) -> Posted:
    """Post each alarm at start + its offset (monotonic), round-robin over the intake URLs."""
    return asyncio.run(_storm(urls, alarms, start, round_id))


async def _burst(urls: list[str], count: int, round_id: str, cameras: list[str]) -> Posted:
    rng = random.Random(7)
    posted = Posted()
    bodies = iter(range(count))
    connector = aiohttp.TCPConnector(limit=BURST_CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            for n in bodies:
                payload = {
                    "id": f"{round_id}-burst-{n}",
                    "camera": rng.choice(cameras),
                    "type": "motion",
                    "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                }
                await post_one(http, urls[n % len(urls)], payload, posted)

        posted.began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(BURST_CONCURRENCY)))
        posted.ended = time.monotonic()
    return posted


def run_burst(urls: list[str], count: int, round_id: str, cameras: list[str]) -> Posted:
    """Post `count` signed alerts as fast as 20 workers can, round-robin over the URLs."""
    return asyncio.run(_burst(urls, count, round_id, cameras))
