"""Coordinators on one PostgreSQL database, as several processes of one deployment hold them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import CoordinationSettings
from bot.coordination import Role
from bot.coordination.postgres import PostgresCoordinator
from bot.db.engine import make_engine

# Fast, so a test waits for beats of a fifth of a second, not of two seconds.
FAST = CoordinationSettings(heartbeat_seconds=0.2, lease_seconds=1.0)
CAMERAS = [f"camera:{n}" for n in range(10, 16)]


@pytest.fixture
def postgres_url(migrated_url: str) -> str:
    """The migrated database, PostgreSQL only: SQLite runs one process and shares nothing."""
    if make_url(migrated_url).get_backend_name() != "postgresql":
        pytest.skip("several processes share work only on PostgreSQL (SQLite: test_sqlite_lock)")
    return migrated_url


class Ledger:
    """Who does what right now, across every process: a duty must never be done twice."""

    def __init__(self) -> None:
        self.doing: dict[str, str] = {}
        self.overlaps: list[str] = []

    def duties(self, process: str, coordinator: PostgresCoordinator, leases: list[str]) -> None:
        for role in Role:
            coordinator.role(role, self._start(process, role.value), self._stop(process, role))
        for name in leases:
            coordinator.lease(name, self._start(process, name), self._stop(process, name))

    def holder(self, name: str) -> str | None:
        return self.doing.get(name)

    def held_by(self, process: str) -> set[str]:
        return {name for name, holder in self.doing.items() if holder == process}

    def _start(self, process: str, name: str) -> Callable[[], asyncio.Future[None]]:
        async def start() -> None:
            if name in self.doing:
                self.overlaps.append(f"{name}: {self.doing[name]} and {process}")
            self.doing[name] = process

        return start  # type: ignore[return-value]

    def _stop(self, process: str, name: str) -> Callable[[], asyncio.Future[None]]:
        async def stop() -> None:
            if self.doing.get(name) == process:
                del self.doing[name]

        return stop  # type: ignore[return-value]


class Cluster:
    """Processes (coordinators) started and killed at will on one database."""

    def __init__(self, url: str, stack: AsyncExitStack) -> None:
        self.url = url
        self.ledger = Ledger()
        self.processes: dict[str, PostgresCoordinator] = {}
        self._stack = stack

    async def start(self, process: str, leases: list[str] = CAMERAS) -> PostgresCoordinator:
        coordinator = PostgresCoordinator(self.url, FAST)
        self.ledger.duties(process, coordinator, leases)
        await coordinator.start()
        self.processes[process] = coordinator
        self._stack.push_async_callback(coordinator.stop)
        return coordinator

    async def kill(self, process: str) -> float:
        """End a process as kill -9 does: the server drops its session; when, by monotonic."""
        coordinator = self.processes.pop(process)
        # A dead process does nothing any more, though its coordinator has not noticed yet.
        for name in self.ledger.held_by(process):
            del self.ledger.doing[name]
        engine = make_engine(self.url)
        with engine.connect() as connection:
            killed = connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name LIKE 'duty-desk:%' AND pid IN "
                    "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key)"
                ),
                {"key": coordinator._member_key},
            )
        engine.dispose()
        assert killed == 1
        at = time.monotonic()
        await coordinator.stop()
        return at


@pytest.fixture
async def cluster(postgres_url: str) -> AsyncIterator[Cluster]:
    async with AsyncExitStack() as stack:
        yield Cluster(postgres_url, stack)


async def wait_for(predicate: Callable[[], bool], within: float = 10.0) -> float:
    """Wait until the predicate holds; how long it took, in seconds."""
    began = time.monotonic()
    while not predicate():
        if time.monotonic() - began > within:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
    return time.monotonic() - began
