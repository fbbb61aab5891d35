"""Build the Application, wire the handlers, start and stop the workers."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import cast

import httpx
from telegram.ext import AIORateLimiter, Application, ContextTypes
from telegram.request import HTTPXRequest

from bot import gc_pause, operating, process_roles
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.deadlines.alarm import Alarm
from bot.deadlines.timers import TimersOfDesks
from bot.desk import Desk
from bot.desks import Desks, RoutedAlerts, settled
from bot.handlers import (
    access,
    alerts,
    buttons,
    conversation,
    desk_choice,
    enrolment,
    epz,
    export,
    find,
    flows,
    gatelog,
    handover,
    help,
    incidents,
    interim,
    language,
    logbook,
    membership,
    pending,
    proposals,
    rotation,
    shift,
    stats,
    unit_requests,
)
from bot.handlers.common import DESKS_KEY, App, DeskContext
from bot.handlers.failures import on_error
from bot.handlers.help import register_menus
from bot.i18n import load_catalogs
from bot.operating import INTAKE_KEY
from bot.polling import PollingBot, UpdatesRequest
from bot.process_roles import SENDER_KEY
from bot.sender import IN_FLIGHT
from bot.webhook import receiving_webhooks

log = logging.getLogger(__name__)

ALARM_KEY = "deadline_alarm"
FREEZE_KEY = "gc_freeze"
# Wait at most this long for the cameras before freezing what start-up built.
FREEZE_AFTER_SECONDS = 60.0
# The full collection before the freeze (a tenth of a second) waits at least this long, so it
# falls after the first getUpdates, not on the way to it.
FREEZE_NOT_BEFORE_SECONDS = 2.0
# Objects allocated between two young-generation collections once start-up is frozen. The
# default 700 means a collection every few requests in a storm, each walking whatever the
# requests left alive; ten thousand leaves cycles a little longer in memory, not for good.
YOUNG_COLLECTION_AFTER = 10_000
GC_THRESHOLD_KEY = "gc_threshold"


class NoTokenError(Exception):
    """The bot cannot start without a bot token."""


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    desk: Desk | None = None,
    desks: Desks | None = None,
) -> App:
    """Build the bot: every desk's services, the handlers, and the outbox sender.

    Given one desk already built (tests, the sandbox), the deployment is that desk alone.
    """
    token = settings.telegram.token_value()
    if not token:
        raise NoTokenError
    load_catalogs()
    if desks is None and desk is not None:
        desks = Desks.of(desk)
    if desks is None:
        engine = make_engine(settings.database.url, settings.database.echo, desk=None)
        desks = Desks.build(settings, engine, clock or SystemClock())
    desk = desks.first
    limits = settings.telegram.rate_limits
    # Both connections to Telegram trust the same certificates: loaded once (30 ms, 1 MB).
    tls = httpx.create_ssl_context()
    bot = PollingBot(
        token,
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
        # The outbox sender keeps at most IN_FLIGHT requests under way; replies to button
        # presses and file downloads take the rest.
        request=HTTPXRequest(IN_FLIGHT * 2, httpx_kwargs={"verify": tls}),
        # Makes NUL and unpaired surrogates U+FFFD: no database stores them, and a message must
        # not be lost for one character.
        get_updates_request=UpdatesRequest(tls),
        rate_limiter=AIORateLimiter(
            overall_max_rate=limits.overall_per_second,
            overall_time_period=1,
            # Groups are paced by the outbox sender over a sliding minute, as Telegram
            # counts; this limiter's bucket would allow 20 at once plus 20 more.
            group_max_rate=0,
            # The outbox retries flood-controlled messages itself, after recording the delay.
            max_retries=0,
        ),
    )
    app: App = (
        Application.builder()
        # Skips, once, an update the library cannot read instead of fetching it forever.
        .bot(bot)
        # Each update's handlers see the desk it is for.
        .context_types(ContextTypes(context=DeskContext))
        .build()
    )
    app.bot_data["desk"] = desk
    app.bot_data[DESKS_KEY] = desks
    operating.observe(app, desks)
    group = next((d.group_id for d in desks if d.group_id is not None), None)
    access.register(app)
    buttons.register_guard(app)
    conversation.register(app, group)
    logbook.register(app, group)
    find.register(app)
    shift.register(app)
    enrolment.register(app)
    help.register(app)
    language.register(app)
    desk_choice.register(app)
    incidents.register(app)
    proposals.register(app)
    unit_requests.register(app)
    pending.register(app)
    alerts.register(app)
    epz.register(app)
    rotation.register(app)
    gatelog.register(app)
    export.register(app)
    interim.register(app)
    handover.register(app)
    stats.register(app)
    flows.register(app)
    membership.register(app)
    # After every feature: a press none of them took is still answered.
    buttons.register_catch_all(app)
    app.add_error_handler(on_error)
    return app


async def on_startup(app: App) -> None:
    """Arm the alarm, then take this process's roles (the sender first, the poller fetching).

    What updates are not needed for comes after polling has begun (on_started); updates are
    handled once that is done too.
    """
    desks = cast(Desks, app.bot_data[DESKS_KEY])
    first = desks.first
    app.bot_data[process_roles.READY_KEY] = asyncio.Event()
    assert app.job_queue is not None
    # Before the alarm starts: the month's plan (if due) and the next planning deadline; one
    # process at a time, so processes starting together do not plan the month twice.
    async with process_roles.coordinator_of(app).one_at_a_time("start-up"):
        for desk in desks:
            desk.rotation.start(desk.clock.now())
            desk.cycle.start(desk.clock.now())
            desk.retention.start(desk.clock.now())
    alarm = Alarm(app.job_queue, TimersOfDesks([desk.timers for desk in desks]), first.clock)
    for desk in desks:
        desk.context.on_change = alarm.arm
    app.bot_data[ALARM_KEY] = alarm
    alarm.start()
    start_health_rounds(app, desks)
    await process_roles.start(app, desks, alarm)
    if gc_pause.release():
        # `duty-desk run` held full collections through start-up (bot/cli.py): what it built
        # is set aside without a walk over it, so the first full one does not fall now.
        gc.freeze()
    app.bot_data[GC_THRESHOLD_KEY] = gc.get_threshold()
    app.bot_data[FREEZE_KEY] = asyncio.create_task(freeze_start_up(desks), name="gc-freeze")


async def on_started(app: App) -> None:
    """Once the first getUpdates is on its way: the operator's port, the camera intake and
    the command menus (their aiohttp and Telegram's round trip off the way to it); then the
    poller handles what it fetched meanwhile. In webhook mode, all before listening."""
    desks = cast(Desks, app.bot_data[DESKS_KEY])
    first = desks.first
    await process_roles.polling_began(app)
    await operating.start_ops(app, first)
    await start_intake(app, desks)
    await register_menus(app.bot, first.settings.locale, first.settings.tz)
    cast(asyncio.Event, app.bot_data[process_roles.READY_KEY]).set()
    operating.started(app)
    log.info("duty-desk started as @%s", app.bot.username)


async def freeze_start_up(desks: Desks) -> None:
    """Once the cameras are connected, keep the garbage collector off what start-up built.

    The ONVIF clients' WSDL models are hundreds of thousands of objects that live as long as
    the bot; without this, every full collection walks them all, in the middle of a storm.
    """
    await asyncio.gather(
        settled(desks, FREEZE_AFTER_SECONDS), asyncio.sleep(FREEZE_NOT_BEFORE_SECONDS)
    )
    # Start-up's own garbage, set aside with what it built (on_startup), is collected too.
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(YOUNG_COLLECTION_AFTER, young), older, oldest)


def start_health_rounds(app: App, desks: Desks) -> None:
    """Start each desk's camera health round; the coordinator hands out the streams."""
    assert app.job_queue is not None
    for desk in desks:
        if desk.settings.cameras:
            app.job_queue.run_repeating(
                partial(_health_round, desk),
                interval=desk.settings.alerts.health_every_seconds,
                first=min(30, desk.settings.alerts.health_every_seconds),
                name=f"camera-health:{desk.key}",
            )


async def start_intake(app: App, desks: Desks) -> None:
    """Listen for the cameras' alerts, if the intake is on."""
    if not desks.settings.intake.enabled:
        return
    # aiohttp (a tenth of a second) only now, the first getUpdates already on its way.
    from bot.camera.intake import Intake

    routed = RoutedAlerts(desks)
    intake = Intake(
        desks.settings,
        routed,
        desks.clock,
        partial(health, app, desks),
        notify=routed.on_notify,
        cameras=desks,
    )
    await intake.start()
    app.bot_data[INTAKE_KEY] = intake


async def _health_round(desk: Desk, _context: object) -> None:
    await desk.cameras.health_round()


def health(app: App, desks: Desks) -> dict[str, object]:
    """What /health reports: the bot, its backlog, the cameras of every desk."""
    states: dict[str, int] = {}
    events_failing: list[str] = []
    for desk in desks:
        for status in desk.cameras.statuses().values():
            states[status.state] = states.get(status.state, 0) + 1
            if status.events_fault:
                events_failing.append(status.camera)
    return {
        "ok": True,
        "bot": app.bot.username if app.bot_data.get(SENDER_KEY) else None,
        "outbox_pending": desks.outbox.pending_count(),
        # Confirmations that went stale unsent (a ✍ on a message long gone by), not lost.
        "outbox_dropped": desks.outbox.dropped_count(),
        "cameras": states,
        # Cameras that answer but whose events do not reach the desk.
        "camera_events_failing": sorted(events_failing),
    }


async def on_shutdown(app: App) -> None:
    """Stop the sender; whatever it did not send stays in the outbox."""
    freezing = app.bot_data.pop(FREEZE_KEY, None)
    if isinstance(freezing, asyncio.Task):
        freezing.cancel()
    # What was frozen may now be garbage: hand it back to the collector.
    gc.unfreeze()
    threshold = app.bot_data.pop(GC_THRESHOLD_KEY, None)
    if threshold is not None:
        gc.set_threshold(*threshold)
    intake = app.bot_data.pop(INTAKE_KEY, None)
    if intake is not None:
        await intake.stop()
    # The poller, the sender and the camera streams, handed over to the other processes.
    await process_roles.stop(app)
    await operating.stop_ops(app)
    for desk in cast(Desks, app.bot_data[DESKS_KEY]):
        await desk.cameras.stop()


def run(app: App, poll_timeout: int) -> None:
    """Run until SIGINT or SIGTERM, taking updates as telegram.mode says."""
    asyncio.run(serve(app, poll_timeout))


async def serve(app: App, poll_timeout: int) -> None:
    """Run the application until the process is asked to stop."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with running(app, poll_timeout):
        await stopping.wait()


@asynccontextmanager
async def running(app: App, poll_timeout: int = 1) -> AsyncIterator[App]:
    """Run the application inside an existing event loop (tests, benchmarks, sandbox)."""
    async with app:
        app.bot_data[process_roles.POLL_TIMEOUT_KEY] = poll_timeout
        await on_startup(app)
        await app.start()
        try:
            await on_started(app)
            async with receiving(app, poll_timeout):
                yield app
        finally:
            await on_shutdown(app)
            await app.stop()


@asynccontextmanager
async def receiving(app: App, poll_timeout: int) -> AsyncIterator[None]:
    """Take Telegram's updates: posted to this process's webhook, or by the poller role.

    In webhook mode every process behind the proxy receives; in polling mode one process of
    the deployment polls, as its coordinator hands it the poller role (process_roles).
    """
    telegram = cast(Desks, app.bot_data[DESKS_KEY]).settings.telegram
    if telegram.mode == "webhook":
        async with receiving_webhooks(app.bot, app.update_queue, telegram.webhook):
            yield
        return
    yield
