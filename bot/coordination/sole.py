"""The coordinator of a process alone on its database: it holds every role and every lease."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from bot.coordination.keys import Channel
from bot.coordination.work import Action, Duties, Role


class SoleCoordinator:
    """SQLite's coordinator (and the tests' and the sandbox's): everything is this process's."""

    def __init__(self, keep: object = None) -> None:
        self._duties = Duties()
        # What must live as long as the process runs alone (SQLite's lock file).
        self._keep = keep

    def role(self, role: Role, start: Action, stop: Action) -> None:
        """Do this from start to stop: no other process shares the database."""
        self._duties.add_role(role, start, stop)

    def lease(self, name: str, start: Action, stop: Action) -> None:
        """Do this from start to stop: no other process shares the database."""
        self._duties.add_lease(name, start, stop)

    def listen(self, channel: Channel, callback: Callable[[], None]) -> None:
        """Nothing to hear: this process's own wake-ups are direct."""

    def one_at_a_time(self, name: str) -> AbstractAsyncContextManager[None]:
        """Nothing to wait for: no other process shares the database."""
        return _alone()

    async def start(self) -> None:
        """Take every role, then every lease, in the order they were registered."""
        for duty in [*self._duties.roles, *self._duties.leases]:
            await self._duties.take(duty)

    async def stop(self) -> None:
        """Stop everything, the last taken first."""
        await self._duties.give_up_all()

    def held(self) -> frozenset[str]:
        """Every role and lease that started."""
        return frozenset(self._duties.held)


@contextlib.asynccontextmanager
async def _alone() -> AsyncIterator[None]:
    yield
