"""What the database knows, read at each scrape: the outbox, the deadlines, the cameras.

Gauges computed from the rows themselves rather than counters kept alongside them: after a
restart, with another process sending, or after an operator's repair, they still say what is
true. Each query is one GROUP BY over an indexed column set, cheap enough for every scrape.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from bot.db.models import (
    CameraState,
    CameraStatus,
    CameraSubscription,
    Deadline,
    OutboxMessage,
    OutboxPriority,
    OutboxStatus,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeskView:
    """Where one desk's rows are and how they are told apart from another desk's."""

    # The `desk` label's value.
    label: str
    engine: Engine
    # The desk's clock: ages and overdue deadlines are measured by it.
    now: Callable[[], dt.datetime]
    # The desk's cameras (their numbers): whose status rows are its own.
    cameras: tuple[str, ...]


def priority_name(priority: int) -> str:
    """The outbox priority as a label value (urgent, reply, normal, housekeeping)."""
    try:
        return OutboxPriority(priority).name.lower()
    except ValueError:
        return str(priority)


class _Families:
    """The gauge families of one scrape, filled desk by desk."""

    def __init__(self) -> None:
        self.outbox_pending = GaugeMetricFamily(
            "duty_desk_outbox_pending",
            "Messages waiting in the outbox, by priority",
            labels=["desk", "priority"],
        )
        self.outbox_oldest = GaugeMetricFamily(
            "duty_desk_outbox_oldest_age_seconds",
            "Age of the oldest message waiting in the outbox, by priority (0: none waits)",
            labels=["desk", "priority"],
        )
        self.deadlines_pending = GaugeMetricFamily(
            "duty_desk_deadlines_pending",
            "Deadlines scheduled and not yet fired, by kind",
            labels=["desk", "kind"],
        )
        self.deadlines_overdue = GaugeMetricFamily(
            "duty_desk_deadlines_overdue",
            "Deadlines already due and not yet fired (above 0 for long: the alarm is stuck)",
            labels=["desk"],
        )
        self.cameras = GaugeMetricFamily(
            "duty_desk_cameras",
            "The desk's cameras by the last health round's state (unknown: not yet checked)",
            labels=["desk", "state"],
        )
        self.events_failing = GaugeMetricFamily(
            "duty_desk_camera_events_failing",
            "Cameras that answer but whose events do not reach the desk",
            labels=["desk"],
        )
        self.subscriptions = GaugeMetricFamily(
            "duty_desk_camera_subscriptions",
            "Event subscriptions the cameras keep for the desk, by kind (pullpoint, notify)",
            labels=["desk", "kind"],
        )
        self.database_up = GaugeMetricFamily(
            "duty_desk_metrics_database_up",
            "1 if this scrape could read the database, else 0 (the gauges above are then absent)",
            labels=["desk"],
        )

    def all(self) -> list[Metric]:
        return [
            self.outbox_pending,
            self.outbox_oldest,
            self.deadlines_pending,
            self.deadlines_overdue,
            self.cameras,
            self.events_failing,
            self.subscriptions,
            self.database_up,
        ]


class DatabaseCollector(Collector):
    """A custom collector: one pass over each desk's rows per scrape."""

    def __init__(self) -> None:
        self._desks: list[DeskView] = []

    def watch(self, desk: DeskView) -> None:
        """Report a desk's rows from the next scrape on."""
        self._desks.append(desk)

    def describe(self) -> list[Metric]:
        # Names only, so the registry checks them for clashes without reading the database.
        return _Families().all()

    def collect(self) -> Iterator[Metric]:
        families = _Families()
        for desk in self._desks:
            try:
                with Session(desk.engine) as session:
                    _read(session, desk, families)
            except SQLAlchemyError as exc:
                log.warning("Metrics could not read the database of desk %s: %s", desk.label, exc)
                families.database_up.add_metric([desk.label], 0)
            else:
                families.database_up.add_metric([desk.label], 1)
        yield from families.all()


def _read(session: Session, desk: DeskView, families: _Families) -> None:
    now = desk.now()
    label = desk.label
    pending = {
        priority: (count, oldest)
        for priority, count, oldest in session.exec(
            select(
                OutboxMessage.priority,
                func.count(),
                func.min(OutboxMessage.created_at),
            )
            .where(OutboxMessage.status == OutboxStatus.PENDING)
            .group_by(col(OutboxMessage.priority))
        ).all()
    }
    for priority in sorted({int(p) for p in OutboxPriority} | set(pending)):
        count, oldest = pending.get(priority, (0, None))
        name = priority_name(priority)
        families.outbox_pending.add_metric([label, name], count)
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        families.outbox_oldest.add_metric([label, name], age)
    live = (col(Deadline.fired_at).is_(None), col(Deadline.cancelled).is_(False))
    for kind, count in session.exec(
        select(Deadline.kind, func.count()).where(*live).group_by(Deadline.kind)
    ).all():
        families.deadlines_pending.add_metric([label, kind], count)
    overdue = session.exec(
        select(func.count()).select_from(Deadline).where(*live, col(Deadline.due_at) <= now)
    ).one()
    families.deadlines_overdue.add_metric([label], overdue)
    _read_cameras(session, desk, families)


def _read_cameras(session: Session, desk: DeskView, families: _Families) -> None:
    mine = set(desk.cameras)
    states = {state.value: 0 for state in CameraState}
    failing = 0
    seen: set[str] = set()
    for camera, state, fault in session.exec(
        select(CameraStatus.camera, CameraStatus.state, CameraStatus.events_fault)
    ).all():
        if camera not in mine:
            continue
        seen.add(camera)
        states[str(state)] = states.get(str(state), 0) + 1
        failing += bool(fault)
    states[CameraState.UNKNOWN.value] += len(mine - seen)
    for state, count in states.items():
        families.cameras.add_metric([desk.label, state], count)
    families.events_failing.add_metric([desk.label], failing)
    kinds = {"pullpoint": 0, "notify": 0}
    for kind, count in session.exec(
        # Subscriptions are the deployment's (camera numbers are unique in it): a desk's are
        # those of its cameras.
        select(CameraSubscription.kind, func.count())
        .where(col(CameraSubscription.camera).in_(mine))
        .group_by(CameraSubscription.kind)
    ).all():
        kinds[kind] = count
    for kind, count in kinds.items():
        families.subscriptions.add_metric([desk.label, kind], count)
