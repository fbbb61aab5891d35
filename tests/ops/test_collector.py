"""The gauges read from the database at each scrape, and one registry per application."""

from __future__ import annotations

import datetime as dt
import itertools

from prometheus_client import generate_latest
from sqlmodel import Session

from bot.camera.folding import FoldOutcome
from bot.clock import ManualClock
from bot.db.engine import make_engine
from bot.db.models import (
    CameraState,
    CameraStatus,
    CameraSubscription,
    Deadline,
    OutboxMessage,
    OutboxPriority,
    OutboxStatus,
)
from bot.ops.collector import DatabaseCollector, DeskView
from bot.ops.metrics import Metrics, RequestResult
from tests.ops.scrape import parse, total, value

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
DESK = "-1001234567890"
MINUTE = dt.timedelta(minutes=1)


def outbox_row(status: OutboxStatus, priority: OutboxPriority, age: dt.timedelta) -> OutboxMessage:
    return OutboxMessage(
        created_at=NOW - age,
        chat_id=-100,
        method="send_message",
        payload="{}",
        status=status,
        priority=priority,
        not_before=NOW - age,
    )


SUBJECTS = itertools.count(1)


def deadline(kind: str, due_in: dt.timedelta, **state: object) -> Deadline:
    return Deadline(kind=kind, subject=f"request:{next(SUBJECTS)}", due_at=NOW + due_in, **state)


def subscription(desk: str, camera: str, kind: str) -> CameraSubscription:
    return CameraSubscription(
        desk=desk,
        camera=camera,
        kind=kind,
        address=f"http://cam{camera}/sub",
        terminates_at=NOW + MINUTE,
        made_at=NOW,
        renewed_at=NOW,
        process="host:1",
        run="r",
    )


def status(camera: str, state: CameraState, fault: str = "") -> CameraStatus:
    return CameraStatus(camera=camera, state=state, since=NOW, checked_at=NOW, events_fault=fault)


def test_the_gauges_say_what_the_rows_say(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    with Session(engine) as session:
        session.add_all(
            [
                outbox_row(OutboxStatus.PENDING, OutboxPriority.URGENT, 3 * MINUTE),
                outbox_row(OutboxStatus.PENDING, OutboxPriority.URGENT, MINUTE),
                outbox_row(OutboxStatus.PENDING, OutboxPriority.HOUSEKEEPING, 10 * MINUTE),
                # Sent, failed and dropped rows wait for nothing.
                outbox_row(OutboxStatus.SENT, OutboxPriority.REPLY, 60 * MINUTE),
                outbox_row(OutboxStatus.FAILED, OutboxPriority.REPLY, 60 * MINUTE),
                outbox_row(OutboxStatus.DROPPED, OutboxPriority.HOUSEKEEPING, 60 * MINUTE),
                deadline("reply_deadline", 30 * MINUTE),
                deadline("unit_reminder", 15 * MINUTE),
                deadline("unit_reminder", -2 * MINUTE),
                deadline("unit_reminder", -5 * MINUTE, fired_at=NOW - 4 * MINUTE),
                deadline("approval_reminder", MINUTE, cancelled=True),
                status("12", CameraState.UP),
                status("13", CameraState.DOWN),
                status("14", CameraState.UP, fault="no_events"),
                # Another desk's camera is not this desk's to count.
                status("99", CameraState.DOWN),
                subscription("", "12", "pullpoint"),
                subscription("", "14", "notify"),
                # Subscriptions are the deployment's: a desk's are those of its cameras.
                subscription("", "99", "pullpoint"),
            ]
        )
        session.commit()
    metrics = Metrics()
    collector = DatabaseCollector()
    collector.watch(DeskView(DESK, engine, ManualClock(NOW).now, ("12", "13", "14", "15")))
    metrics.registry.register(collector)
    samples = parse(generate_latest(metrics.registry).decode())
    engine.dispose()

    assert value(samples, "duty_desk_outbox_pending", desk=DESK, priority="urgent") == 2
    assert value(samples, "duty_desk_outbox_pending", desk=DESK, priority="reply") == 0
    assert value(samples, "duty_desk_outbox_pending", desk=DESK, priority="housekeeping") == 1
    age = "duty_desk_outbox_oldest_age_seconds"
    assert value(samples, age, desk=DESK, priority="urgent") == 180
    assert value(samples, age, desk=DESK, priority="housekeeping") == 600
    assert value(samples, age, desk=DESK, priority="normal") == 0
    assert value(samples, "duty_desk_deadlines_pending", desk=DESK, kind="unit_reminder") == 2
    assert value(samples, "duty_desk_deadlines_pending", desk=DESK, kind="reply_deadline") == 1
    assert total(samples, "duty_desk_deadlines_pending") == 3
    assert value(samples, "duty_desk_deadlines_overdue", desk=DESK) == 1
    assert value(samples, "duty_desk_cameras", desk=DESK, state="up") == 2
    assert value(samples, "duty_desk_cameras", desk=DESK, state="down") == 1
    # Camera 15 has never been checked.
    assert value(samples, "duty_desk_cameras", desk=DESK, state="unknown") == 1
    assert value(samples, "duty_desk_camera_events_failing", desk=DESK) == 1
    assert value(samples, "duty_desk_camera_subscriptions", desk=DESK, kind="pullpoint") == 1
    assert value(samples, "duty_desk_camera_subscriptions", desk=DESK, kind="notify") == 1
    assert value(samples, "duty_desk_metrics_database_up", desk=DESK) == 1
    # And what any Python exporter shows: the process's memory and the garbage collector.
    assert value(samples, "process_resident_memory_bytes") > 0
    assert total(samples, "python_gc_collections_total") > 0


def test_each_application_counts_in_its_own_registry() -> None:
    # Two bots in one process (tests, the sandbox): neither sees the other's counts, and
    # registering the same names twice is no clash.
    first, second = Metrics(), Metrics()
    first.desk(DESK).telegram_request("send_message", RequestResult.RATE_LIMITED)
    first.desk(DESK).deadline_fired("reply_deadline", dt.timedelta(seconds=3))
    one = parse(generate_latest(first.registry).decode())
    other = parse(generate_latest(second.registry).decode())
    name = "duty_desk_telegram_requests_total"
    assert value(one, name, desk=DESK, method="send_message", result="rate_limited") == 1
    assert total(other, name) == 0
    assert (
        value(one, "duty_desk_deadline_lateness_seconds_sum", desk=DESK, kind="reply_deadline") == 3
    )
    # Where events may go is known from the start, so each series exists at zero.
    labels = {outcome.value for outcome in FoldOutcome}
    bound = second.desk("other")
    assert bound.label == "other"
    folds = parse(generate_latest(second.registry).decode())
    assert {
        dict(ls)["outcome"]
        for (n, ls) in folds
        if n == "duty_desk_alert_folds_total" and dict(ls)["desk"] == "other"
    } == labels


def test_a_lateness_below_zero_counts_as_on_time() -> None:
    # A deadline fired early by a clock moved back must not pull the histogram below zero.
    metrics = Metrics()
    metrics.desk(DESK).deadline_fired("unit_reminder", -dt.timedelta(seconds=5))
    samples = parse(generate_latest(metrics.registry).decode())
    assert (
        value(samples, "duty_desk_deadline_lateness_seconds_sum", desk=DESK, kind="unit_reminder")
        == 0
    )
