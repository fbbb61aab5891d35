"""The operator's view of one running bot: what the desk counts, and the port that shows it.

Wiring only: the counters and checks live in `bot/ops/`; here they are handed the desk's
services, its sender and the roles this process holds.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from bot import process_roles
from bot.camera.alert_input import AlertInput, Received
from bot.config import Settings
from bot.db.models import OutboxMessage
from bot.deadlines.alarm import Alarm
from bot.desk import Desk
from bot.desks import Desks
from bot.handlers import observed
from bot.handlers.common import App
from bot.ops.collector import DatabaseCollector, DeskView
from bot.ops.metrics import AlertOutcome, DeskMetrics, Metrics, RequestResult
from bot.ops.readiness import Readiness

METRICS_KEY = "metrics"
# Where the running camera intake is kept (bot/app.py).
INTAKE_KEY = "intake"
DESK_METRICS_KEY = "desk_metrics"
READINESS_KEY = "readiness"
OPS_KEY = "ops_server"


def observe(app: App, desks: Desks) -> None:
    """Count what each desk does, and prepare the readiness checks (at build time).

    Each desk's figures carry its key as the `desk` label; the sender's requests, which
    serve every desk, are counted under the desk whose message each was.
    """
    metrics = Metrics()
    collector = DatabaseCollector()
    labelled: dict[str, DeskMetrics] = {}
    for desk in desks:
        mine = labelled[desk.key] = metrics.desk(desk.key)
        desk.cameras.alerts.on_received = partial(_alert_received, mine)
        desk.cameras.alerts.on_folded = mine.alert_folded
        desk.timers.on_fired = mine.deadline_fired
        collector.watch(
            DeskView(
                mine.label,
                desk.engine,
                desk.clock.now,
                tuple(camera.number for camera in desk.settings.cameras),
            )
        )
    observed.register(app, partial(_desk_metrics, labelled, desks.first.key))
    metrics.registry.register(collector)
    app.bot_data[METRICS_KEY] = metrics
    app.bot_data[DESK_METRICS_KEY] = labelled
    app.bot_data[READINESS_KEY] = Readiness(
        desks.engine,
        desks.clock,
        app.bot.get_me,
        partial(held_roles, app, desks.settings),
        dt.timedelta(seconds=desks.settings.ops.telegram_fresh_seconds),
        refused=partial(process_roles.polling_refused, app),
    )
    app.bot_data[process_roles.REQUEST_OBSERVER_KEY] = request_observer(app)


def _desk_metrics(labelled: dict[str, DeskMetrics], default: str, key: str) -> DeskMetrics:
    return labelled.get(key) or labelled[default]


def _alert_received(metrics: DeskMetrics, alert: AlertInput, received: Received) -> None:
    outcome = (
        AlertOutcome.REPLAYED
        if received.replayed
        else AlertOutcome.DUPLICATE
        if received.duplicate
        else AlertOutcome.STORED
    )
    metrics.alert_received(alert.source.value, outcome)


def request_observer(app: App) -> partial[None]:
    """What the sender calls after each request: counted, and Telegram's answer noted."""
    return partial(_requested, app.bot_data[DESK_METRICS_KEY], app.bot_data[READINESS_KEY])


def _requested(
    labelled: dict[str, DeskMetrics],
    readiness: Readiness,
    row: OutboxMessage,
    result: RequestResult,
) -> None:
    metrics = labelled.get(row.desk or "") or next(iter(labelled.values()))
    metrics.telegram_request(row.method, result)
    if result != RequestResult.ERROR:
        # Any answer, a refusal or a 429 included, shows Telegram is reachable.
        readiness.telegram_answered()


def held_roles(app: App, settings: Settings) -> list[str]:
    """The roles this process holds: those its coordinator handed it, and its own workers.

    The poller, the sender, the standing check and the cameras' leases move between the
    processes (process_roles); the alarm, the intake and a webhook run in every process.
    """
    held = set(process_roles.held(app))
    if settings.telegram.mode == "webhook":
        held.add("webhook")
    if any(isinstance(worker, Alarm) for worker in app.bot_data.values()):
        held.add("alarm")
    if app.bot_data.get(INTAKE_KEY) is not None:
        held.add("intake")
    return sorted(held)


async def start_ops(app: App, desk: Desk) -> None:
    """Open the operator's port (as soon as polling has begun: bot/app.py, on_started)."""
    readiness: Readiness = app.bot_data[READINESS_KEY]
    # Initialising the application asked Telegram who the bot is: it answered.
    readiness.telegram_answered()
    if not desk.settings.ops.enabled:
        return
    # aiohttp (a tenth of a second) only now, the first getUpdates already on its way.
    from bot.ops.server import OpsServer

    metrics: Metrics = app.bot_data[METRICS_KEY]
    server = OpsServer(desk.settings.ops, readiness, metrics.registry)
    if await server.start():
        app.bot_data[OPS_KEY] = server


def started(app: App) -> None:
    """Every worker of the start-up runs: ready once the other checks pass."""
    readiness: Readiness = app.bot_data[READINESS_KEY]
    readiness.started = True


async def stop_ops(app: App) -> None:
    """Close the operator's port."""
    server = app.bot_data.pop(OPS_KEY, None)
    if server is not None:
        await server.stop()
