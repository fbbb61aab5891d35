"""Camera alert storm: ONVIF cameras and webhooks against the real bot, under Telegram's limits.

One process, loopback only:
  * --cameras SimulatedCameras (ONVIF over SOAP), each configured as a camera with a number,
    a place, an area and a unit; three of the six units have a chat;
  * the Bot API emulator answering 429 like Telegram's group limit (20 messages a minute per
    chat, flood_limit_per_chat=(20, 60));
  * the real duty-desk bot: SystemClock, a fresh SQLite file (or --database-url), the DEFAULT
    rate limits (30 calls/s, 20 a minute per group) and alert settings (fold window 300 s,
    digest after 8 cards a minute, first health round 30 s after start), intake on a free port.

Once every camera's event stream is subscribed, --events ONVIF alarms (motion, some tampering;
a few chatty cameras take most of them, a third come in bursts of 3-8 on one camera; every
camera fires at least once) are emitted over --seconds, while four senders (NVR/VMS) post
--webhooks signed alerts for the same cameras (one in five with a frame attached, one in a
hundred retried with the same id, as a sender that timed out would). When the alarms are over
each camera reports the conditions cleared. The bench watches until --observe seconds after the
first alarm, then reports:
  * events stored (table camera_event) against those sent; duplicates and refusals apart;
  * how long an event took to be stored (emit or POST -> camera_event.received_at), and to be
    SHOWN in the duty group, approximated from the database: the event's alert
    (camera_event.alert_id) has a card (camera_alert.card_outbox_id) or is a digest member; the
    event counts as shown at the earliest delivery (outbox_message.sent_at with a
    telegram_message_id: edits the sender skipped as superseded do not count) of a group row for
    that card (the photo or an edit), or of a digest row (the message or an edit) whose text
    lists the event's camera, queued at or after the event's received_at. A card first posted
    with a placeholder counts once its snapshot was swapped in. An event not shown by the end of
    the window counts as infinitely late, so a percentile past the window is printed as "> window";
  * Telegram calls per chat as the emulator saw them: new messages (and, apart, edits) in any
    sliding 60 s, the maximum over chats and windows; and the 429 answers;
  * the cameras visible in the duty group (a card or a digest line "CAM <number>") in messages
    sent within the window; peak RSS of the process (bot, emulator, cameras).
Separately, intake throughput, in --intake-rounds rounds (the median reported): --intake-posts
signed POSTs at --intake-concurrency to the intake of a fresh bot (fresh database, --cameras
cameras subscribed, a fresh emulator) against a bare aiohttp server doing one sqlite3 INSERT
per request (a fresh table), with the same client in the same process. For this part
Telegram (the emulator) and the cameras run in a second process, as they are other machines in
production: their side of the bot's calls is not the bot's work. Folding makes most of those
alerts cheap (only the first per camera and kind becomes a card with a snapshot, or a digest
line past the digest threshold); the printout says how many folded.

Usage: python bench/cameras.py [--cameras 200] [--events 2000] [--webhooks 1000] [--seconds 60]
       [--observe 3 x seconds] [--intake-posts 3 x webhooks] [--intake-concurrency 20]
       [--intake-rounds 5] [--intake-only]
       [--database-url URL] [--log-file PATH] [--keep-dir DIR]
Quick run: --cameras 20 --events 200 --webhooks 100 --seconds 10 (under a minute).
Targets: every event stored; p95 emit/POST -> shown in the group < 2 s (snapshot included);
at most 20 messages a minute per group; no 429; peak RSS < 300 MB; every camera visible in the
group within 3 minutes; intake >= 50% of the bare rate.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import datetime as dt
import io
import json
import logging
import math
import multiprocessing
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from PIL import Image, ImageFilter
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import FREEZE_KEY, INTAKE_KEY, build_application, running
from bot.camera.intake import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from bot.clock import SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, upgrade
from bot.db.models import CameraAlert, CameraEventRecord, OutboxMessage, OutboxStatus
from bot.desk import Desk
from bot.devtools.emulator import ApiError, BotApiEmulator
from bot.devtools.emulator.params import Params
from bot.devtools.onvif_camera import MOTION_ALARM, TAMPER, SimulatedCamera
from bot.handlers.common import App

GROUP = -1001234567890
LEADER, OFFICER = 1001, 1004
PASSWORD = "cam-secret"
SECRET = "bench-intake-secret"
SENDERS = 4
TELEGRAM_GROUP_LIMIT = 20
# (key, name, chat) for the units that manage the cameras; three have a chat of their own.
UNITS = [
    ("hq-kv1", "Chi cục HQ CK cảng Sài Gòn KV1", -100701),
    ("hq-hp", "Chi cục HQ CK cảng Hiệp Phước", -100702),
    ("doi-ks", "Đội Kiểm soát Hải quan", -100703),
    ("hq-icd", "Chi cục HQ ICD Transimex", None),
    ("hq-tsn", "Chi cục HQ CK sân bay Tân Sơn Nhất", None),
    ("hq-mb", "Chi cục HQ CK Mộc Bài", None),
]
AREAS = ["Cát Lái", "Hiệp Phước", "Phước Long", "ICD Transimex", "Tân Sơn Nhất", "Mộc Bài"]
PLACES = [
    "Cảng Cát Lái",
    "Cảng Hiệp Phước",
    "ICD Phước Long",
    "ICD Transimex",
    "Sân bay Tân Sơn Nhất",
    "Cửa khẩu Mộc Bài",
]
SPOTS = [
    "Cổng A làn vào",
    "Cổng A làn ra",
    "Cổng B làn vào",
    "Cổng B làn ra",
    "Bãi container",
    "Kho CFS",
    "Khu soi chiếu",
    "Hàng rào phía bắc",
    "Bến sà lan",
    "Bãi xe chờ",
]
TOPICS = {"motion": (MOTION_ALARM, "State"), "tampering": (TAMPER, "IsTamper")}
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
EDITING = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup"}
)
CAM = re.compile(r"CAM ([A-Za-z0-9._-]+)")
# A digest too long for a line per camera is a wall by area: "<b>Cát Lái</b> (34): 101 🏃12 · …",
# an area too long for one message going on in lines that start "… ".
WALL_LINE = re.compile(r"^(?:<b>[^<]*</b> \(\d+\): |… )(.*)$", re.MULTILINE)


def listed_cameras(text: str) -> set[str]:
    """The camera numbers a card or digest message shows, in either digest layout."""
    numbers = set(CAM.findall(text))
    for entries in WALL_LINE.findall(text):
        for entry in entries.split(" · "):
            numbers.add(entry.split(" ", 1)[0])
    return numbers


class RecordingEmulator(BotApiEmulator):
    """The emulator with Telegram's group limit, noting when each call to a chat was made."""

    def __init__(self) -> None:
        super().__init__(flood_limit_per_chat=(TELEGRAM_GROUP_LIMIT, 60.0))
        # (monotonic time, chat, method, answered 429)
        self.chat_calls: list[tuple[float, int, str, bool]] = []
        self.refused = 0

    def _check_flood(self, method: str, params: Params) -> None:
        chat_id = params.values.get("chat_id")
        try:
            super()._check_flood(method, params)
        except ApiError as error:
            if error.code == 429:
                self.refused += 1
            if isinstance(chat_id, int):
                self.chat_calls.append((time.monotonic(), chat_id, method, error.code == 429))
            raise
        if isinstance(chat_id, int):
            self.chat_calls.append((time.monotonic(), chat_id, method, False))


class LogTally(logging.Handler):
    """Counts warnings and errors by logger and message, instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[tuple[str, str, str]] = Counter()
        self.example: dict[tuple[str, str, str], str] = {}
        self.tracebacks = 0

    def emit(self, record: logging.LogRecord) -> None:
        key = (record.levelname, record.name, str(record.msg))
        self.counts[key] += 1
        self.example.setdefault(key, record.getMessage().splitlines()[0][:140])
        if record.exc_info:
            self.tracebacks += 1

    def summary(self) -> list[str]:
        warnings = sum(n for (level, _, _), n in self.counts.items() if level == "WARNING")
        errors = sum(self.counts.values()) - warnings
        lines = [f"log: {warnings} warnings, {errors} errors ({self.tracebacks} with a traceback)"]
        for key, count in self.counts.most_common(6):
            lines.append(f"  {count:6d} x {key[0]} {key[1]}: {self.example[key]}")
        return lines


@dataclass(frozen=True)
class Alarm:
    """One planned alert: when (seconds after the start), which camera (index), what."""

    at: float
    camera: int
    kind: str


@dataclass
class Load:
    """What was sent, and when, to match against the database afterwards."""

    onvif: dict[tuple[str, str, dt.datetime], dt.datetime] = field(default_factory=dict)
    hooks: dict[str, dt.datetime] = field(default_factory=dict)
    emit_late: float = 0.0
    post_late: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    response: list[float] = field(default_factory=list)
    loop_lag: float = 0.0


def camera_config(
    cams: list[SimulatedCamera] | list[Endpoint], prefix: str
) -> list[dict[str, Any]]:
    """One configured camera per simulated one, spread over the areas and their units."""
    config = []
    for n, cam in enumerate(cams):
        area = n % len(AREAS)
        spot = SPOTS[(n // len(AREAS)) % len(SPOTS)]
        config.append(
            {
                "number": f"{prefix}{101 + n}",
                "name": spot,
                "place": f"{PLACES[area]}, {spot.lower()}",
                "area": AREAS[area],
                "unit": UNITS[area][0],
                "onvif": {
                    "host": cam.host,
                    "port": cam.port,
                    "username": "admin",
                    "password": PASSWORD,
                },
            }
        )
    return config


def settings_for(
    emu: BotApiEmulator | WorldAddress, url: str, cameras: list[dict[str, Any]]
) -> Settings:
    """The desk with everything at its defaults except where the bot and cameras are."""
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    return Settings(
        telegram={
            "token": emu.token,
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "duty_group_id": GROUP,
        },
        database={"url": url},
        people=[{"id": LEADER, "name": "An"}, {"id": OFFICER, "name": "Dung"}],
        units=[{"key": key, "name": name, "chat_id": chat} for key, name, chat in UNITS],
        cameras=cameras,
        intake={"enabled": True, "port": 0, "secret": SECRET},
        roster={
            "days": {
                str(today + dt.timedelta(days=d)): {"shift_leader": LEADER, "officers": [OFFICER]}
                for d in (-1, 0)
            }
        },
    )


@dataclass
class Running:
    """One running bot with its emulator."""

    emu: RecordingEmulator
    desk: Desk
    app: App
    intake_url: str


@asynccontextmanager
async def bot(url: str, cameras: list[dict[str, Any]]) -> AsyncIterator[Running]:
    """Start the emulator and the real bot on it; stop both cleanly."""
    upgrade(url)
    async with RecordingEmulator() as emu:
        seed_chats(emu)
        settings = settings_for(emu, url, cameras)
        engine = make_engine(url)
        try:
            desk = Desk.build(settings, engine, SystemClock())
            app = build_application(settings, desk=desk)
            async with running(app):
                port = app.bot_data[INTAKE_KEY].port
                yield Running(emu, desk, app, f"http://127.0.0.1:{port}/api/v1/alerts")
        finally:
            engine.dispose()


def seed_chats(emu: BotApiEmulator) -> None:
    """The duty group, the units' chats and the two people, as the bot's config names them."""
    emu.add_chat(GROUP, "supergroup", "Tổ trực ban HQ")
    for _key, name, chat in UNITS:
        if chat is not None:
            emu.add_chat(chat, "supergroup", name)
    emu.add_user(LEADER, "An", language_code="vi")
    emu.add_user(OFFICER, "Dung", language_code="vi")


@dataclass(frozen=True)
class Endpoint:
    """Where a camera of the other process listens."""

    host: str
    port: int


@dataclass(frozen=True)
class WorldAddress:
    """Where the other process's Telegram and cameras are."""

    token: str
    base_url: str
    base_file_url: str
    cameras: list[Endpoint]


def world(connection: Any, count: int) -> None:
    """Another process: Telegram (the emulator) and the cameras, as in production."""
    asyncio.run(_world(connection, count))


async def _world(connection: Any, count: int) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    cams = await start_cameras(count)
    refused = 0
    try:
        while True:
            # A fresh Telegram for each round: one round's sends must not count against the
            # next round's fresh bot, which cannot know of them.
            async with RecordingEmulator() as emu:
                seed_chats(emu)
                connection.send(
                    WorldAddress(
                        emu.token,
                        emu.base_url,
                        emu.base_file_url,
                        [Endpoint(cam.host, cam.port) for cam in cams],
                    )
                )
                loop = asyncio.get_running_loop()
                while (asked := await loop.run_in_executor(None, connection.recv)) == "subscribed?":
                    connection.send(sum(1 for cam in cams if cam.live_subscriptions() == 1))
                refused += emu.refused
            if asked == "done":
                connection.send(refused)
                return
    finally:
        await asyncio.gather(*(cam.stop() for cam in cams))


async def start_cameras(count: int) -> list[SimulatedCamera]:
    """Start the simulated cameras, each on its own free port."""
    cams = [
        SimulatedCamera(name=f"CAM {101 + n}", password=PASSWORD, serial=f"SIM-{n:04d}")
        for n in range(count)
    ]
    await asyncio.gather(*(cam.start() for cam in cams))
    return cams


async def wait_subscribed(cams: list[SimulatedCamera], timeout: float) -> float:  # noqa: ASYNC109
    """Wait until every camera has exactly one live event subscription; return the seconds."""
    began = time.perf_counter()
    while True:
        done = sum(1 for cam in cams if cam.live_subscriptions() == 1)
        elapsed = time.perf_counter() - began
        if done == len(cams):
            return elapsed
        if elapsed > timeout:
            raise SystemExit(
                f"only {done} of {len(cams)} camera event streams subscribed after {timeout:.0f} s"
            )
        await asyncio.sleep(0.25)


def plan(
    count: int, cameras: int, seconds: float, rng: random.Random, *, every_camera: bool
) -> list[Alarm]:
    """Alarms over the period: a few chatty cameras, bursts, mostly motion."""
    # Chatty cameras: a gate lane or a yard sees far more than a fence (Zipf-like weights).
    weights = [1 / (rank + 1) ** 0.9 for rank in range(cameras)]
    rng.shuffle(weights)
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    alarms: list[Alarm] = []

    def kind() -> str:
        return "tampering" if rng.random() < 0.15 else "motion"

    if every_camera:
        alarms += [Alarm(rng.uniform(0, seconds), c, kind()) for c in range(min(cameras, count))]
    while len(alarms) < count:
        camera = bisect.bisect_left(cumulative, rng.uniform(0, total))
        what = kind()
        start = rng.uniform(0, seconds)
        if rng.random() < 0.3:
            # A burst: someone walking along a fence, a truck manoeuvring at a gate.
            at = start
            for _ in range(min(rng.randint(3, 8), count - len(alarms))):
                alarms.append(Alarm(min(at, seconds * 0.999), camera, what))
                at += rng.uniform(0.15, 0.6)
        else:
            alarms.append(Alarm(start, camera, what))
    return sorted(alarms, key=lambda alarm: alarm.at)


def frame_base64() -> str:
    """A 1280x720 JPEG such as an NVR attaches (about 100 KB), base64 for the JSON body."""
    noise = Image.effect_noise((1280, 720), 40).filter(ImageFilter.GaussianBlur(1))
    image = Image.merge("RGB", (noise, noise.point(lambda v: v * 0.9), noise))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return base64.b64encode(out.getvalue()).decode()


def now_ms() -> dt.datetime:
    """The time to the millisecond, as cameras stamp their messages."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


async def emit_alarms(
    cams: list[SimulatedCamera], numbers: list[str], alarms: list[Alarm], t0: float, load: Load
) -> None:
    """Emit each alarm on its camera at its time, then clear every condition that was raised."""
    loop = asyncio.get_running_loop()
    raised: set[tuple[int, str]] = set()
    for alarm in alarms:
        delay = t0 + alarm.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        load.emit_late = max(load.emit_late, loop.time() - t0 - alarm.at)
        topic, item = TOPICS[alarm.kind]
        when = now_ms()
        key = (numbers[alarm.camera], alarm.kind, when)
        while key in load.onvif:  # two alarms of one camera in one millisecond
            when += dt.timedelta(milliseconds=1)
            key = (numbers[alarm.camera], alarm.kind, when)
        load.onvif[key] = when
        cams[alarm.camera].emit(topic, {item: "true"}, when=when)
        raised.add((alarm.camera, alarm.kind))
    await asyncio.sleep(1.0)
    for camera, kind in sorted(raised):
        topic, item = TOPICS[kind]
        cams[camera].emit(topic, {item: "false"})


def signed(body: bytes) -> dict[str, str]:
    """Headers of a signed intake request."""
    stamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(SECRET, stamp, body),
    }


async def post_webhooks(
    url: str, numbers: list[str], alarms: list[Alarm], t0: float, load: Load
) -> None:
    """A few senders (NVRs, a VMS), each posting its cameras' alerts in order, one at a time."""
    loop = asyncio.get_running_loop()
    image = frame_base64()

    async def post(http: aiohttp.ClientSession, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        began = time.perf_counter()
        try:
            async with http.post(url, data=body, headers=signed(body)) as response:
                answer = await response.json()
                load.response.append(time.perf_counter() - began)
                if response.status != 202:
                    load.statuses[f"{response.status} {answer.get('error')}"] += 1
                elif answer.get("duplicate"):
                    load.statuses["duplicate"] += 1
                else:
                    load.statuses["accepted"] += 1
        except (aiohttp.ClientError, TimeoutError) as error:
            load.statuses[f"client error {error.__class__.__name__}"] += 1

    async def sender(own: list[tuple[int, Alarm]]) -> None:
        retries: list[asyncio.Task[None]] = []
        async with aiohttp.ClientSession() as http:
            for n, alarm in own:
                delay = t0 + alarm.at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                load.post_late = max(load.post_late, loop.time() - t0 - alarm.at)
                external_id = f"nvr-{n}"
                started = dt.datetime.now(dt.UTC)
                payload: dict[str, Any] = {
                    "id": external_id,
                    "camera": numbers[alarm.camera],
                    "type": alarm.kind,
                    "time": started.isoformat(timespec="milliseconds"),
                    "description": "Phát hiện đối tượng trong vùng giám sát",
                }
                if n % 5 == 0:
                    payload["image_base64"] = image
                load.hooks[external_id] = started
                await post(http, payload)
                if n % 100 == 50:
                    # The sender timed out waiting and sends the same alert again a moment later
                    # (re-signed: the same second would be refused as a replay instead).
                    load.retries += 1
                    retries.append(asyncio.create_task(retry(http, payload)))
            await asyncio.gather(*retries)

    async def retry(http: aiohttp.ClientSession, payload: dict[str, Any]) -> None:
        await asyncio.sleep(1.1)
        await post(http, payload)

    mine: dict[int, list[tuple[int, Alarm]]] = defaultdict(list)
    for n, alarm in enumerate(alarms):
        mine[alarm.camera % SENDERS].append((n, alarm))
    await asyncio.gather(*(sender(own) for own in mine.values()))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(q * len(values)) - 1)]


def seconds(value: float, window: float) -> str:
    """A latency for the printout; infinity means not shown by the end of the window."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return f"> {window:.0f} s"
    return f"{value:.2f} s"


def max_per_minute(times: list[float]) -> int:
    """The most events in any sliding 60 s."""
    best, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 60.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def delivered(row: Any) -> bool:
    """The row reached Telegram (not skipped as superseded, not "message is not modified")."""
    return row.sent_at is not None and row.telegram_message_id is not None


@dataclass
class Shown:
    """One message's outbox rows (a card or the digest, then its edits) in the order queued."""

    created: list[dt.datetime]
    # For each row: the earliest delivery among it and the rows queued after it.
    first_delivery: list[dt.datetime | None]

    @classmethod
    def of(cls, rows: list[Any]) -> Shown:
        ordered = sorted(rows, key=lambda row: (row.created_at, row.id))
        first: list[dt.datetime | None] = []
        best: dt.datetime | None = None
        for row in reversed(ordered):
            if delivered(row):
                best = row.sent_at if best is None else min(best, row.sent_at)
            first.append(best)
        first.reverse()
        return cls([row.created_at for row in ordered], first)

    def shown_at(self, moment: dt.datetime) -> dt.datetime | None:
        """When a message queued at or after the moment (so reflecting it) was first delivered."""
        index = bisect.bisect_left(self.created, moment)
        return self.first_delivery[index] if index < len(self.created) else None


def report_storm(
    run: Running,
    load: Load,
    onvif_count: int,
    hook_count: int,
    started: dt.datetime,
    window: float,
    cameras: int,
) -> list[str]:
    """Read the database and the emulator's record; return the printout."""
    with Session(run.desk.engine) as session:
        events = session.exec(select(CameraEventRecord)).all()
        alerts = {a.id: a for a in session.exec(select(CameraAlert)).all()}
        rows = session.exec(
            select(
                OutboxMessage.id,
                OutboxMessage.chat_id,
                OutboxMessage.method,
                OutboxMessage.payload,
                OutboxMessage.status,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
                OutboxMessage.telegram_message_id,
            )
        ).all()
    by_id = {row.id: row for row in rows}
    group_rows = [row for row in rows if row.chat_id == GROUP]
    edits: dict[int, list[Any]] = defaultdict(list)
    for row in group_rows:
        ref = json.loads(row.payload).get("ref")
        if ref is not None:
            edits[ref].append(row)
    digest_cards = {
        a.card_outbox_id for a in alerts.values() if a.camera.startswith("*") and a.card_outbox_id
    }

    digest_rows = [by_id[c] for c in digest_cards] + [
        r for c in digest_cards for r in edits.get(c, [])
    ]
    # Each camera is shown by the digest rows that list it (every page is a message of its own).
    listing: dict[str, list[Any]] = defaultdict(list)
    for row in digest_rows:
        payload = json.loads(row.payload)
        for number in listed_cameras(str(payload.get("text") or "")):
            listing[number].append(row)
    digest_views = {number: Shown.of(rows_) for number, rows_ in listing.items()}
    no_digest = Shown([], [])
    card_views: dict[int, Shown] = {}
    # Cards first posted without their snapshot, and when the snapshot replaced the placeholder.
    swapped: dict[int, dt.datetime | None] = {}
    for ref, rows_ in edits.items():
        photos = [r for r in rows_ if r.method == "edit_photo"]
        if photos:
            swapped[ref] = min((r.sent_at for r in photos if delivered(r)), default=None)
    placeholder_first = 0

    # Match each stored event to what was sent.
    stored_onvif = stored_hooks = extra = 0
    store_delay: list[float] = []
    latency: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event.external_id is not None:
            origin = load.hooks.get(event.external_id)
            stored_hooks += origin is not None
        else:
            origin = load.onvif.get((event.camera, event.kind, event.occurred_at))
            stored_onvif += origin is not None
        if origin is None:
            extra += 1
            continue
        store_delay.append((event.received_at - origin).total_seconds())
        alert = alerts.get(event.alert_id)
        if alert is None:
            latency["unposted"].append(math.inf)
            continue
        in_digest = digest_views.get(event.camera, no_digest)
        if alert.digest:
            path, view = "digest", in_digest
        elif alert.card_outbox_id is None:
            latency["unposted"].append(math.inf)
            continue
        else:
            card = alert.card_outbox_id
            if card not in card_views:
                card_views[card] = Shown.of([by_id[card], *edits.get(card, [])])
            view = card_views[card]
            path = "card" if view.created[0] >= event.received_at else "fold"
        sent = view.shown_at(event.received_at)
        if path == "card" and alert.card_outbox_id in swapped:
            # Posted with a placeholder first: the snapshot is there once it was swapped in.
            placeholder_first += 1
            swap = swapped[alert.card_outbox_id]
            sent = None if sent is None or swap is None else max(sent, swap)
        if path == "fold":
            # A repeat on a carded camera is also shown by a digest edit that lists it.
            listed = in_digest.shown_at(event.received_at)
            if listed is not None and (sent is None or listed < sent):
                sent = listed
        latency[path].append(math.inf if sent is None else (sent - origin).total_seconds())

    every = sorted(v for values in latency.values() for v in values)
    store_delay.sort()
    refused = sum(n for status, n in load.statuses.items() if status[:1] == "4")
    failed = sum(n for status, n in load.statuses.items() if status.startswith("client"))
    sent_count = sum(1 for v in every if not math.isinf(v))

    # Telegram calls per chat, as the emulator saw them.
    sends: dict[int, list[float]] = defaultdict(list)
    calls: dict[int, list[float]] = defaultdict(list)
    for moment, chat, method, refused_call in run.emu.chat_calls:
        if refused_call:
            continue
        if method in SENDING:
            sends[chat].append(moment)
        if method in SENDING | EDITING:
            calls[chat].append(moment)
    group_sends = max_per_minute(sends.get(GROUP, []))
    unit_sends = max((max_per_minute(t) for c, t in sends.items() if c != GROUP), default=0)
    group_calls = max_per_minute(calls.get(GROUP, []))

    # What the group shows, and what is still waiting.
    deadline = started + dt.timedelta(seconds=window)
    on_cards: set[str] = set()
    in_digest: set[str] = set()
    queued_by_method: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    for row in group_rows:
        queued_by_method[row.method] += 1
        if row.status == OutboxStatus.PENDING:
            pending[row.method] += 1
        if not delivered(row) or row.sent_at > deadline:
            continue
        payload = json.loads(row.payload)
        text = str(payload.get("caption") or payload.get("text") or "")
        numbers = listed_cameras(text)
        if row.id in digest_cards or payload.get("ref") in digest_cards:
            in_digest |= numbers
        else:
            on_cards |= numbers
    unit_rows = [row for row in rows if row.chat_id != GROUP and row.chat_id < 0]
    unit_waits = sorted(
        (row.sent_at - row.created_at).total_seconds() for row in unit_rows if row.sent_at
    )
    cards = sum(1 for a in alerts.values() if not a.camera.startswith("*") and not a.digest)
    card_times = sorted(
        a.received_at.timestamp()
        for a in alerts.values()
        if not a.camera.startswith("*") and not a.digest and a.card_outbox_id is not None
    )
    response = sorted(load.response)
    members = sum(1 for a in alerts.values() if not a.camera.startswith("*") and a.digest)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    total = onvif_count + hook_count
    lines = [
        f"stored (camera_event): {stored_onvif + stored_hooks} of {total}  [target: all]; "
        f"ONVIF {stored_onvif}/{onvif_count}, webhook {stored_hooks}/{hook_count}; "
        f"not matching any alarm sent: {extra}",
        f"  webhook answers: {dict(load.statuses)}; deliberate retries {load.retries} "
        f"(expected as duplicates); refused {refused}; client errors {failed}",
        f"stored within (emit/POST -> received_at): p50 {seconds(percentile(store_delay, 0.5), 0)}"
        f", p95 {seconds(percentile(store_delay, 0.95), 0)}, max "
        f"{seconds(store_delay[-1] if store_delay else math.nan, 0)}; webhook answered within "
        f"p50 {seconds(percentile(response, 0.5), 0)}, p95 {seconds(percentile(response, 0.95), 0)}"
        f", max {seconds(response[-1] if response else math.nan, 0)}; event loop late by up to "
        f"{load.loop_lag:.2f} s",
        f"shown in the group (emit/POST -> card, caption edit or digest sent): "
        f"p50 {seconds(percentile(every, 0.5), window)}, "
        f"p95 {seconds(percentile(every, 0.95), window)}  [target p95 < 2 s, snapshot included]; "
        f"{sent_count} of {len(every)} events shown within {window:.0f} s",
    ]
    for path in ("card", "fold", "digest", "unposted"):
        values = sorted(latency.get(path, []))
        if values:
            done = sum(1 for v in values if not math.isinf(v))
            lines.append(
                f"  {path:8s} n={len(values):5d}  shown {done:5d}  p50 "
                f"{seconds(percentile(values, 0.5), window):>9s}  p95 "
                f"{seconds(percentile(values, 0.95), window):>9s}"
            )
    if placeholder_first:
        lines.append(
            f"  ({placeholder_first} cards posted with a placeholder, snapshot swapped in)"
        )
    lines += [
        f"alerts: {cards} with a card (at most {max_per_minute(card_times)} cards in any 60 s; "
        f"digest after {run.desk.settings.alerts.digest_after_per_minute}), {members} in a digest, "
        f"{len(digest_cards)} digest message(s); duty-group outbox rows queued "
        f"{dict(queued_by_method)}, still pending at the end {dict(pending)}"
        + (
            f" (~{sum(pending.values()) / TELEGRAM_GROUP_LIMIT:.0f} min more at 20/min)"
            if pending
            else ""
        ),
        f"Telegram new messages per chat in any 60 s: duty group {group_sends}, unit chats max "
        f"{unit_sends}  [target <= 20/min per group]; duty group incl. edits {group_calls}",
        f"429 answers from the emulator: {run.emu.refused}  [target 0]",
        f"unit chats: {len(unit_rows)} notices queued, {len(unit_waits)} sent; queued -> sent "
        f"p50 {seconds(percentile(unit_waits, 0.5), window)}, "
        f"max {seconds(unit_waits[-1] if unit_waits else math.nan, window)}",
        f"cameras visible in the duty group within {window:.0f} s: {len(on_cards | in_digest)} "
        f"of {cameras} ({len(on_cards)} on a card, {len(in_digest - on_cards)} only in a digest)"
        "  [target: all within 180 s]",
        f"peak RSS: {peak:.0f} MiB (bot, emulator, {cameras} simulated cameras, one process)"
        "  [target < 300 MB]",
    ]
    return lines


async def watch_loop(load: Load) -> None:
    """Note how late the event loop wakes a 50 ms sleep (what blocks it blocks everything)."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(0.05)
        load.loop_lag = max(load.loop_lag, loop.time() - before - 0.05)


async def storm(args: argparse.Namespace, url: str, cams: list[SimulatedCamera]) -> None:
    """Parts 1-3: the alert storm against the real bot."""
    rng = random.Random(2026)
    cameras = camera_config(cams, "")
    numbers = [camera["number"] for camera in cameras]
    onvif = plan(args.events, len(cams), args.seconds, rng, every_camera=True)
    hooks = plan(args.webhooks, len(cams), args.seconds, rng, every_camera=False)
    kinds = Counter(alarm.kind for alarm in onvif)
    busiest = Counter(alarm.camera for alarm in onvif + hooks).most_common(1)[0][1]
    load = Load()
    began = time.perf_counter()
    async with bot(url, cameras) as run:
        subscribed = await wait_subscribed(cams, timeout=max(120.0, len(cams)))
        print(
            f"cameras: {len(cams)} ONVIF, event streams subscribed {subscribed:.0f} s after the "
            f"bot started ({time.perf_counter() - began:.0f} s with start-up); {len(UNITS)} "
            f"units, 3 with chats; defaults: 30 calls/s, 20/min per group, fold 300 s, "
            "digest after 8 cards/min",
            flush=True,
        )
        loop = asyncio.get_running_loop()
        watch = asyncio.create_task(watch_loop(load))
        t0 = loop.time() + 0.5
        started = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.5)
        await asyncio.gather(
            emit_alarms(cams, numbers, onvif, t0, load),
            post_webhooks(run.intake_url, numbers, hooks, t0, load),
        )
        print(
            f"load: {len(onvif)} ONVIF alarms ({kinds['motion']} motion, {kinds['tampering']} "
            f"tampering) + {len(hooks)} webhooks (+{load.retries} retries, 1 in 5 with a frame) "
            f"over {args.seconds:.0f} s, busiest camera {busiest}; emitted late by at most "
            f"{load.emit_late * 1000:.0f} ms, POSTs started late by at most "
            f"{load.post_late:.2f} s",
            flush=True,
        )
        remaining = t0 + args.observe - loop.time()
        if remaining > 0:
            await asyncio.sleep(remaining)
        watch.cancel()
        lines = report_storm(run, load, len(onvif), len(hooks), started, args.observe, len(cams))
    for line in lines:
        print(line, flush=True)


async def hammer(
    url: str, bodies: list[bytes], concurrency: int
) -> tuple[float, Counter[str], set[int]]:
    """POST every body, signed, from `concurrency` workers; return the rate, answers, alerts."""
    answers: Counter[str] = Counter()
    alerts: set[int] = set()
    queue: Iterator[bytes] = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            for body in queue:
                async with http.post(url, data=body, headers=signed(body)) as response:
                    answer = await response.json()
                    if response.status != 202:
                        answers[f"{response.status} {answer.get('error')}"] += 1
                    else:
                        answers["duplicate" if answer.get("duplicate") else "new"] += 1
                        alerts.add(answer.get("event_id") or answer.get("alert_id"))

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return len(bodies) / elapsed, answers, alerts


@asynccontextmanager
async def bare_server(path: Path) -> AsyncIterator[str]:
    """The reference: aiohttp and one sqlite3 INSERT (and commit) per request."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE alert (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, camera TEXT, "
        "kind TEXT, occurred_at TEXT, received_at TEXT)"
    )

    async def post_alert(request: web.Request) -> web.Response:
        payload = json.loads(await request.read())
        cursor = connection.execute(
            "INSERT INTO alert (external_id, camera, kind, occurred_at, received_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                payload.get("id"),
                payload["camera"],
                payload["type"],
                payload.get("time"),
                dt.datetime.now(dt.UTC).isoformat(),
            ),
        )
        connection.commit()
        return web.json_response({"ok": True, "alert_id": cursor.lastrowid}, status=202)

    app = web.Application()
    app.router.add_post("/api/v1/alerts", post_alert)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = int(runner.addresses[0][1])
    try:
        yield f"http://127.0.0.1:{port}/api/v1/alerts"
    finally:
        await runner.cleanup()
        connection.close()


async def intake_throughput(args: argparse.Namespace, url: str, folder: Path) -> None:
    """Part 4: the bot's intake against a bare aiohttp + sqlite3 server, same client.

    Telegram (the emulator) and the cameras run in another process, as they are other machines
    in production: what they do to answer the bot is not the bot's work. The bare server runs
    while they are there too, idle.
    """
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    other = context.Process(target=world, args=(theirs, args.cameras), daemon=True)
    other.start()
    try:
        address: WorldAddress = await asyncio.to_thread(ours.recv)
        await measure_intake(args, url, folder, address, ours)
    finally:
        other.join(timeout=30)
        if other.is_alive():
            other.kill()


@dataclass
class IntakeRound:
    """One round of part 4: the reference, then a fresh bot, with the same bodies."""

    bare: float
    whole: float
    answers: Counter[str]
    subscribed: int
    alerts: int
    cards: int


async def measure_intake(
    args: argparse.Namespace, url: str, folder: Path, address: WorldAddress, link: Any
) -> None:
    """Rounds of: hammer the bare server, then a fresh bot, with the same signed bodies.

    Each round has a fresh database on both sides; the median of the rounds is reported, so
    one round disturbed by something else on the machine does not decide the figure.
    """
    cameras = camera_config(address.cameras, "T")
    rng = random.Random(7)
    bodies = [
        json.dumps(
            {
                "id": f"tp-{n}",
                "camera": rng.choice(cameras)["number"],
                "type": "tampering" if rng.random() < 0.15 else "motion",
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            }
        ).encode()
        for n in range(args.intake_posts)
    ]
    # A database given on the command line is not fresh after the first round.
    rounds = 1 if args.database_url else args.intake_rounds
    results = []
    for number in range(rounds):
        if number > 0:
            link.send("next")
            address = await asyncio.to_thread(link.recv)
        round_url = url if args.database_url else url.replace(".db", f"-{number}.db")
        results.append(await intake_round(args, round_url, folder, address, link, bodies, number))
    link.send("done")
    refused_429 = await asyncio.to_thread(link.recv)
    kind = url.split(":", 1)[0]
    print(
        f"intake throughput: {args.intake_posts} signed POSTs, concurrency "
        f"{args.intake_concurrency}, same aiohttp client, fresh bot and database each round; "
        f"Telegram and the {len(address.cameras)} cameras in another process"
    )
    for number, result in enumerate(results, start=1):
        refused = sum(result.answers.values()) - result.answers["duplicate"]
        refused -= result.answers["new"]
        print(
            f"  round {number}: bare aiohttp + one sqlite3 INSERT {result.bare:6.0f} POST/s, "
            f"duty-desk ({kind}) {result.whole:6.0f} POST/s = {result.whole / result.bare:.0%}; "
            f"{result.subscribed} cameras subscribed; {result.alerts} alerts ({result.cards} "
            f"with a card, the rest digest lines), the others folded; refused {refused}"
        )
    bare = statistics.median(result.bare for result in results)
    whole = statistics.median(result.whole for result in results)
    print(f"  bare aiohttp + one sqlite3 INSERT: {bare:8.0f} POST/s  [reference, median]")
    print(
        f"  duty-desk intake ({kind}):{' ' * max(0, 9 - len(kind))}{whole:8.0f} POST/s  = "
        f"{whole / bare:.0%} of bare  [median; target >= 50%]"
    )
    print(
        "  note: the intake stores each event folded into its alert, in one transaction a "
        f"batch; 429 answers from the emulator {refused_429}"
    )


async def intake_round(
    args: argparse.Namespace,
    url: str,
    folder: Path,
    address: WorldAddress,
    link: Any,
    bodies: list[bytes],
    number: int,
) -> IntakeRound:
    """The reference on a fresh table, then a fresh bot on a fresh database."""
    async with bare_server(folder / f"bare-{number}.db") as bare_url:
        bare, _bare_answers, _ = await hammer(bare_url, bodies, args.intake_concurrency)
    cameras = camera_config(address.cameras, "T")
    upgrade(url)
    settings = settings_for(address, url, cameras)
    engine = make_engine(url)
    try:
        desk = Desk.build(settings, engine, SystemClock())
        app = build_application(settings, desk=desk)
        async with running(app):
            intake_url = f"http://127.0.0.1:{app.bot_data[INTAKE_KEY].port}/api/v1/alerts"
            # The bot has finished starting once it has frozen what start-up built.
            await app.bot_data[FREEZE_KEY]
            link.send("subscribed?")
            subscribed = await asyncio.to_thread(link.recv)
            whole, answers, _events = await hammer(intake_url, bodies, args.intake_concurrency)
            await desk.cameras.alerts.settle()
            with Session(desk.engine) as session:
                alerts = session.exec(select(CameraAlert.id)).all()
                cards = session.exec(
                    select(CameraAlert.id).where(col(CameraAlert.digest).is_(False))
                ).all()
    finally:
        engine.dispose()
    return IntakeRound(bare, whole, answers, subscribed, len(alerts), len(cards))


async def main_async(args: argparse.Namespace, folder: Path) -> None:
    """Start the cameras, run both parts, stop the cameras."""
    url = args.database_url or f"sqlite:///{folder / 'cameras.db'}"
    if not args.intake_only:
        cams = await start_cameras(args.cameras)
        try:
            await storm(args, url, cams)
        finally:
            await asyncio.gather(*(cam.stop() for cam in cams))
    intake_url = args.database_url or f"sqlite:///{folder / 'intake.db'}"
    await intake_throughput(args, intake_url, folder)


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=200)
    parser.add_argument("--events", type=int, default=2000, help="ONVIF alarms")
    parser.add_argument("--webhooks", type=int, default=1000, help="signed webhook alerts")
    parser.add_argument("--seconds", type=float, default=60.0, help="period of the load")
    parser.add_argument(
        "--observe",
        type=float,
        default=None,
        help="watch this long from the first alarm (default: 3 x --seconds, i.e. 3 minutes)",
    )
    parser.add_argument("--intake-posts", type=int, default=None, help="default: 3 x --webhooks")
    parser.add_argument("--intake-concurrency", type=int, default=20)
    parser.add_argument(
        "--intake-rounds", type=int, default=5, help="rounds of part 4; the median is reported"
    )
    parser.add_argument(
        "--intake-only", action="store_true", help="skip the storm: measure the intake only"
    )
    parser.add_argument(
        "--database-url", default=None, help="database (default: fresh SQLite files)"
    )
    parser.add_argument("--log-file", default=None, help="write the bot's INFO log there")
    parser.add_argument(
        "--keep-dir", default=None, help="keep the SQLite files there for a post-mortem"
    )
    args = parser.parse_args()
    args.observe = args.observe or 3 * args.seconds
    args.intake_posts = args.intake_posts or 3 * args.webhooks
    tally = LogTally()
    root = logging.getLogger()
    # Importing onvif-zeep-async runs logging.basicConfig(level=INFO) (onvif/client.py); undo it.
    root.handlers[:] = [tally]
    root.setLevel(logging.WARNING)
    if args.log_file:
        handler = logging.FileHandler(args.log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(args.keep_dir or name)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in [*folder.glob("*.db"), *folder.glob("*.db-wal"), *folder.glob("*.db-shm")]:
            stale.unlink()
        asyncio.run(main_async(args, folder))
    for line in tally.summary():
        print(line)
    print(f"total run time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
