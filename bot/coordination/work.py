"""What a process may be asked to do, and the coordinator that hands it out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.coordination.keys import Channel

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[None]]


class Role(StrEnum):
    """Work exactly one process of a deployment does at a time."""

    # Receives Telegram's updates (getUpdates); the handlers run where they arrive.
    POLLER = "poller"
    # Drains the outbox, pacing the bot as a whole within Telegram's limits.
    SENDER = "sender"
    # In webhook mode (every process receives): checks the bot's rights in the chats.
    STANDING = "standing"


@dataclass(frozen=True)
class Duty:
    """A role or a leased piece of work, and how this process starts and stops doing it."""

    name: str
    start: Action
    stop: Action


class Coordinator(Protocol):
    """Hands this process its roles and leases; the database coordinates the processes."""

    def role(self, role: Role, start: Action, stop: Action) -> None:
        """Do this while holding the role (exactly one process of the deployment does)."""

    def lease(self, name: str, start: Action, stop: Action) -> None:
        """Do this while holding its lease (the leases are spread over the processes)."""

    def listen(self, channel: Channel, callback: Callable[[], None]) -> None:
        """Call back when another process announces something on this channel."""

    def one_at_a_time(self, name: str) -> AbstractAsyncContextManager[None]:
        """Run a block while no other process of the deployment runs the same one."""

    async def start(self) -> None:
        """Begin: take what this process may take now, and keep looking."""

    async def stop(self) -> None:
        """Stop everything held and let it go to the other processes."""

    def held(self) -> frozenset[str]:
        """The roles and leases this process holds now (for /readyz and the logs)."""


class Duties:
    """The duties registered with a coordinator and which of them this process holds."""

    def __init__(self) -> None:
        self.roles: list[Duty] = []
        self.leases: list[Duty] = []
        self.listeners: dict[str, list[Callable[[], None]]] = {}
        self.held: dict[str, Duty] = {}

    def add_role(self, role: Role, start: Action, stop: Action) -> None:
        self.roles.append(Duty(role.value, start, stop))

    def add_lease(self, name: str, start: Action, stop: Action) -> None:
        self.leases.append(Duty(name, start, stop))

    def add_listener(self, channel: Channel, callback: Callable[[], None]) -> None:
        self.listeners.setdefault(channel.value, []).append(callback)

    def announce(self, channel: str) -> None:
        """Pass a notification to whoever listens on its channel."""
        for callback in self.listeners.get(channel, []):
            try:
                callback()
            except Exception:
                # One listener failing must not stop the notifications of the others.
                log.exception("Handling a %s notification failed", channel)

    async def take(self, duty: Duty) -> bool:
        """Start a duty this process now holds; False if it could not start."""
        try:
            await duty.start()
        except Exception:
            log.exception("Could not start %s; letting it go to another process", duty.name)
            return False
        self.held[duty.name] = duty
        # Roles are few and worth a line; a deployment's cameras are thousands.
        log.log(_level(duty.name), "This process now holds %s", duty.name)
        return True

    async def give_up(self, name: str) -> None:
        """Stop a duty this process no longer holds."""
        duty = self.held.pop(name, None)
        if duty is None:
            return
        try:
            await duty.stop()
        except Exception:
            log.exception("Stopping %s failed", name)
        log.log(_level(name), "This process no longer holds %s", name)

    async def give_up_all(self) -> None:
        """Stop every duty held, the last taken first."""
        for name in reversed(list(self.held)):
            await self.give_up(name)


def _level(name: str) -> int:
    return logging.INFO if name in Role.__members__.values() else logging.DEBUG
