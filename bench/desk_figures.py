"""The processes bench's figures: one line per desk and a summary, each beside its target.

Read from what the emulator answered (the texts of the calls it took, by chat) and from the
database (events stored, alerts opened, outbox rows left), never from the bot's own word.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from bench.cameras import listed_cameras
from bench.deployment import ChatCall, DeskPlan

VISIBLE_WITHIN = 3.0
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})


@dataclass(frozen=True)
class Stored:
    """What the database holds after the storm."""

    events: Counter[str]  # camera_event rows per camera
    by_source: Counter[str]  # camera_event rows per source (webhook, onvif, health)
    orphans: int  # events no alert took in (a fold that failed leaves them so until a restart)
    twice: int  # ONVIF events stored again (one camera, kind and moment)
    alerts: int
    unfolded: int
    pending: Counter[int]  # outbox rows still pending per chat


def read_stored(url: str) -> Stored:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            events = Counter(
                {
                    str(camera): int(count)
                    for camera, count in connection.execute(
                        text("SELECT camera, count(*) FROM camera_event GROUP BY camera")
                    )
                }
            )
            by_source = Counter(
                {
                    str(source): int(count)
                    for source, count in connection.execute(
                        text("SELECT source, count(*) FROM camera_event GROUP BY source")
                    )
                }
            )
            orphans = int(
                connection.scalar(text("SELECT count(*) FROM camera_event WHERE alert_id IS NULL"))
                or 0
            )
            # Two processes pulling one camera's events (a lease taken over while its holder
            # still pulls) would store an event twice.
            twice = int(
                connection.scalar(
                    text(
                        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n "
                        "FROM camera_event WHERE source = 'onvif' "
                        "GROUP BY camera, kind, occurred_at) AS pulled"
                    )
                )
                or 0
            )
            alerts = int(connection.scalar(text("SELECT count(*) FROM camera_alert")) or 0)
            # Within the storm (shorter than the fold window) a second alert for one camera and
            # kind is a repeat that was not folded: another process had opened the first. The
            # digest's page rows are no camera's (each desk has its own "*1").
            unfolded = int(
                connection.scalar(
                    text(
                        "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n "
                        "FROM camera_alert WHERE camera NOT LIKE '*%' "
                        "GROUP BY desk, camera, kind) AS opened"
                    )
                )
                or 0
            )
            pending = Counter(
                {
                    int(chat): int(count)
                    for chat, count in connection.execute(
                        text(
                            "SELECT chat_id, count(*) FROM outbox_message "
                            "WHERE status = 'pending' GROUP BY chat_id"
                        )
                    )
                }
            )
    finally:
        engine.dispose()
    return Stored(events, by_source, orphans, twice, alerts, unfolded, pending)


def busiest_second(calls: list[ChatCall]) -> str:
    """The most calls to chats in any sliding second, and which methods they were."""
    calls = sorted(calls, key=lambda call: call.moment)
    best, start, span = 0, 0, (0, 0)
    for end, call in enumerate(calls):
        while calls[start].moment <= call.moment - 1.0:
            start += 1
        if end - start + 1 > best:
            best, span = end - start + 1, (start, end + 1)
    methods = Counter(call.method for call in calls[span[0] : span[1]])
    return f"{best} ({', '.join(f'{m} {n}' for m, n in methods.most_common())})"


def max_in_window(times: list[float], window: float) -> int:
    """The most moments in any sliding window of `window` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


@dataclass(frozen=True)
class DeskLine:
    key: str
    cameras: int
    sent: int
    accepted: int
    stored: int
    quick: int
    seen: int
    p95: float
    refused: int
    per_minute: int
    edits_per_minute: int
    elsewhere: int
    pending: int


def desk_lines(
    plans: list[DeskPlan],
    calls: list[ChatCall],
    first_alert: dict[str, float],
    sent: Counter[str],
    accepted: Counter[str],
    stored: Stored,
) -> list[DeskLine]:
    """Per desk: what was sent and stored, when its cameras showed in its group, its limits."""
    desk_of_chat = {chat: desk.key for desk in plans for chat in desk.chats()}
    desk_of_camera = {number: desk.key for desk in plans for number in desk.cameras}
    group_of = {desk.key: desk.group for desk in plans}
    seen: dict[str, float] = {}
    elsewhere: Counter[str] = Counter()  # a desk's cameras shown in another desk's chats
    for call in calls:
        if call.refused:
            continue
        chat_desk = desk_of_chat.get(call.chat)
        for number in listed_cameras(call.body):
            owner = desk_of_camera.get(number)
            if owner is None:
                continue
            if owner != chat_desk:
                elsewhere[owner] += 1
            elif call.chat == group_of[owner]:
                seen.setdefault(number, call.moment)
    lines = []
    for desk in plans:
        delays = [
            seen[number] - first_alert[number] if number in seen else math.inf
            for number in desk.cameras
            if number in first_alert
        ]
        to_group = [c for c in calls if c.chat == desk.group and not c.refused]
        lines.append(
            DeskLine(
                key=desk.key,
                cameras=len(desk.cameras),
                sent=sum(sent[n] for n in desk.cameras),
                accepted=sum(accepted[n] for n in desk.cameras),
                stored=sum(stored.events[n] for n in desk.cameras),
                quick=sum(1 for delay in delays if delay <= VISIBLE_WITHIN),
                seen=sum(1 for delay in delays if delay < math.inf),
                p95=percentile(delays, 0.95),
                refused=sum(1 for c in calls if c.refused and c.chat in desk.chats()),
                per_minute=max_in_window([c.moment for c in to_group if c.method in SENDING], 60.0),
                edits_per_minute=max_in_window(
                    [c.moment for c in to_group if c.method not in SENDING], 60.0
                ),
                elsewhere=elsewhere[desk.key],
                pending=sum(stored.pending[chat] for chat in desk.chats()),
            )
        )
    return lines


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


# (title, target, width): one column of the per-desk table.
COLUMNS = (
    ("desk", "target", 6),
    ("cams", "", 5),
    ("alerts sent/accepted", "= sent", 21),
    ("events stored", "all", 14),
    ("visible <=3 s", "all (100%)", 18),
    ("by end", "all", 7),
    ("p95 s", "<= 3", 6),
    ("429", "0", 4),
    ("msgs/60s", "<= 20", 9),
    ("edits/60s", "", 10),
    ("elsewhere", "0", 10),
    ("pending", "0", 8),
)


def _row(cells: list[str]) -> str:
    return "  " + " ".join(
        cell.ljust(width) if n == 0 else cell.rjust(width)
        for n, (cell, (_t, _g, width)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


HEADER = _row([title for title, _target, _width in COLUMNS])
TARGETS = _row([target for _title, target, _width in COLUMNS])


def format_line(line: DeskLine) -> str:
    share = 100.0 * line.quick / max(1, line.cameras)
    return _row(
        [
            line.key,
            str(line.cameras),
            f"{line.sent}/{line.accepted}",
            f"{line.stored}/{line.sent}",
            f"{line.quick}/{line.cameras} {share:5.1f}%",
            str(line.seen),
            "never" if math.isinf(line.p95) else f"{line.p95:.1f}",
            str(line.refused),
            str(line.per_minute),
            str(line.edits_per_minute),
            str(line.elsewhere),
            str(line.pending),
        ]
    )


def refusals(plans: list[DeskPlan], calls: list[ChatCall]) -> dict[str, int]:
    """The 429 answers by the limit they met, the method and the kind of chat."""
    groups = {desk.group for desk in plans}
    return dict(
        Counter(
            f"{call.refused}: {call.method} to a {'group' if call.chat in groups else 'unit chat'}"
            for call in calls
            if call.refused
        )
    )
