"""What this process does for the deployment, as its coordinator hands it roles and leases.

The sender drains the outbox, the poller receives Telegram's updates, and each camera's event
stream is watched, each by one process at a time; alone on its database (SQLite, the tests,
the sandbox) a process does all of it. Another process's NOTIFY wakes this one's sender and
re-arms its alarm.
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial
from typing import cast

from telegram import Message

from bot.coordination import Coordinator, Role, SoleCoordinator
from bot.coordination.keys import Channel
from bot.db.models import OutboxMessage
from bot.deadlines.alarm import Alarm
from bot.desks import Desks
from bot.handlers import membership
from bot.handlers.common import App
from bot.handlers.conversation import incoming, record_ahead
from bot.polling import Poller
from bot.sender import OutboxSender
from bot.webhook import leave_webhook

COORDINATOR_KEY = "coordinator"
SENDER_KEY = "outbox_sender"
POLLER_KEY = "poller"
POLL_TIMEOUT_KEY = "poll_timeout"
# Set once the whole start-up is done (bot/app.py): the poller handles updates from then on.
READY_KEY = "ready_to_handle"
# How many turns of the event loop the rest of the start-up lets the first getUpdates take to
# go out (pool, lock and write each take one or two) before it takes the loop for a while.
SEND_TURNS = 30
# And at most how long it waits for the poller to ask at all (a webhook to leave first, with
# Telegram not answering, takes longer: the start-up goes on meanwhile).
POLL_WAIT_SECONDS = 2.0
# What the sender tells after each request to Telegram (the operator's counters), if anyone.
REQUEST_OBSERVER_KEY = "request_observer"


def use(app: App, coordinator: Coordinator) -> None:
    """Share the work with other processes through this coordinator (before start-up)."""
    app.bot_data[COORDINATOR_KEY] = coordinator


def coordinator_of(app: App) -> Coordinator:
    """The process's coordinator: the one given, else that of a process alone."""
    coordinator = app.bot_data.get(COORDINATOR_KEY)
    if coordinator is None:
        coordinator = app.bot_data[COORDINATOR_KEY] = SoleCoordinator()
    return cast(Coordinator, coordinator)


def held(app: App) -> frozenset[str]:
    """The roles and camera leases this process holds now ("poller", "sender", "camera:12")."""
    return coordinator_of(app).held()


def polling_refused(app: App) -> str | None:
    """Telegram's 409 answer if another program polls this bot's token, else None."""
    poller = app.bot_data.get(POLLER_KEY)
    return poller.conflict if isinstance(poller, Poller) else None


async def start(app: App, desks: Desks, alarm: Alarm) -> None:
    """Register what this process may do, then take what is free."""
    coordinator = coordinator_of(app)
    coordinator.role(Role.SENDER, partial(start_sender, app, desks), partial(stop_sender, app))
    if desks.settings.telegram.mode == "webhook":
        # Every process behind the proxy receives updates; one checks the bot's standing.
        coordinator.role(Role.STANDING, partial(start_standing, app), partial(stop_standing, app))
    else:
        coordinator.role(Role.POLLER, partial(start_poller, app), partial(stop_poller, app))
    for desk in desks:
        streamable = desk.cameras.streamable()
        # Events of cameras no process streams (intake only) are taken up here; those of a
        # streamed camera by whichever process takes its lease (numbers are deployment-wide).
        desk.cameras.take_up_events(except_cameras=streamable)
        for number in streamable:
            coordinator.lease(
                f"camera:{number}",
                partial(desk.cameras.watch, number),
                partial(desk.cameras.unwatch, number),
            )
    coordinator.listen(Channel.OUTBOX, desks.outbox.notify)
    coordinator.listen(Channel.DEADLINE, alarm.arm)
    await coordinator.start()


async def polling_began(app: App) -> None:
    """Wait until this process's first getUpdates is on its way, if it polls (bounded)."""
    poller = app.bot_data.get(POLLER_KEY)
    if not isinstance(poller, Poller):
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(POLL_WAIT_SECONDS):
            await poller.began.wait()
    for _ in range(SEND_TURNS):
        await asyncio.sleep(0)


async def stop(app: App) -> None:
    """Stop everything this process holds and hand it to the others."""
    await coordinator_of(app).stop()


async def start_sender(app: App, desks: Desks) -> None:
    """Drain every desk's outbox: this process is the one sender of the bot."""
    limits = desks.settings.telegram.rate_limits
    sender = OutboxSender(
        app.bot,
        desks.outbox,
        desks.clock,
        limits.max_attempts,
        on_sent=partial(record_own_message, desks),
        on_failed=partial(report_refusal, desks),
        private_per_second=limits.private_per_second,
        group_per_minute=limits.group_per_minute,
        overall_per_second=limits.overall_per_second,
        on_migrated=partial(follow_migration, desks),
        on_request=app.bot_data.get(REQUEST_OBSERVER_KEY),
    )
    sender.start()
    app.bot_data[SENDER_KEY] = sender


async def stop_sender(app: App) -> None:
    """Stop sending; whatever was not sent stays in the outbox for the next sender."""
    sender = app.bot_data.pop(SENDER_KEY, None)
    if isinstance(sender, OutboxSender):
        await sender.stop()


async def start_poller(app: App) -> None:
    """Receive Telegram's updates (this process is the one poller), and check the bot's rights."""
    ready = app.bot_data.get(READY_KEY)
    poller = Poller(
        app,
        int(app.bot_data.get(POLL_TIMEOUT_KEY, 1)),
        prepare=partial(leave_webhook, app.bot),
        ahead=partial(record_ahead, app),
        ready=ready if isinstance(ready, asyncio.Event) else None,
    )
    poller.start()
    app.bot_data[POLLER_KEY] = poller
    # Once per deployment, by the process that hears the chats.
    membership.start_check(app)


async def start_standing(app: App) -> None:
    """In webhook mode, check the bot's rights in the chats once per deployment."""
    membership.start_check(app)


async def stop_standing(app: App) -> None:
    """Leave the standing check to the process that takes the role next."""
    await membership.stop_check(app)


async def stop_poller(app: App) -> None:
    """Stop receiving updates; those not yet handled come again to the next poller."""
    await membership.stop_check(app)
    poller = app.bot_data.pop(POLLER_KEY, None)
    if isinstance(poller, Poller):
        await poller.stop()


def report_refusal(desks: Desks, row_id: int, error: str) -> None:
    """A refused delivery of a request is told to the shift leader and the group of its desk."""
    for desk in desks:
        desk.escalation.requests.undelivered(row_id, error, desk.clock.now())


def record_own_message(desks: Desks, row: OutboxMessage, message: Message) -> None:
    """Keep the bot's own duty-group messages in the conversation record of their desk too."""
    desk = desks.by_key(row.desk)
    if desk is not None and message.chat_id == desk.group_id:
        desk.logbook.record_message(incoming(message), filing=False)


def follow_migration(desks: Desks, old_chat_id: int, new_chat_id: int) -> None:
    """The sender met a group upgraded to a supergroup: its desk follows it."""
    desk = desks.for_chat(old_chat_id)
    if desk is not None:
        membership.follow_migration(desk, old_chat_id, new_chat_id)
