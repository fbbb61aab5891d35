"""The coordinator of a process that shares its PostgreSQL database with others.

One connection, kept for the life of the process, carries everything: the process's member
lock (it is alive while the lock is held), the role locks, LISTEN, and the heartbeats. Each
heartbeat renews the process's own row and its leases, ends the session of a process stuck
for twice the lease time (its locks would otherwise hold its roles for ever), takes a free
role or lease, and lets extra leases go when more processes have joined. If the connection
fails, PostgreSQL drops the locks with it: the process stops everything it held at once
(another may already have taken it) and reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import psycopg
from psycopg import AsyncConnection
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from bot.config import CoordinationSettings
from bot.coordination.keys import MEMBERS, ONE_AT_A_TIME, ROLES, Channel, key
from bot.coordination.leases import Leases
from bot.coordination.work import Action, Duties, Role

log = logging.getLogger(__name__)

# The start of the application name of every coordination connection.
APPLICATION = "duty-desk"

# Whether a role's lock is held by anyone, without taking it.
_ROLE_HELD = f"""
    SELECT EXISTS (
        SELECT 1 FROM pg_locks p
        WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 2
          AND p.classid = {ROLES}::oid AND p.objid = %s::oid
          AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    )"""


def conninfo(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL, for the coordination.

    TCP keepalives: a server that vanished (its machine, not its process) is noticed in about
    15 s instead of the kernel's two hours, and a vanished client likewise by the server. The
    application name carries the process id, so an operator (or a test) finds in
    pg_stat_activity and pg_locks which process holds which role.
    """
    base = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return make_conninfo(
        base,
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=3,
        application_name=f"{APPLICATION}:{os.getpid()}",
    )


class PostgresCoordinator:
    """Roles by advisory locks, cameras by leases, wake-ups by LISTEN/NOTIFY."""

    def __init__(self, url: str, settings: CoordinationSettings, desk: str = "") -> None:
        self._conninfo = conninfo(url)
        self._settings = settings
        self._duties = Duties()
        self._member_key = random.randrange(1, 2**31)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._leases = Leases(desk, self._member_key, self.name, settings.lease_seconds)
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        # Roles seen free at the last heartbeat: a process that already holds a role takes
        # another only when no process without one took it within a heartbeat, so the
        # roles spread over the processes but never stay unheld.
        self._seen_free: set[str] = set()

    def role(self, role: Role, start: Action, stop: Action) -> None:
        """Do this while holding the role's advisory lock."""
        self._duties.add_role(role, start, stop)

    def lease(self, name: str, start: Action, stop: Action) -> None:
        """Do this while holding the lease of that name."""
        self._duties.add_lease(name, start, stop)

    def listen(self, channel: Channel, callback: Callable[[], None]) -> None:
        """Call back on every NOTIFY on the channel (from this process too)."""
        self._duties.add_listener(channel, callback)

    def one_at_a_time(self, name: str) -> AbstractAsyncContextManager[None]:
        """Hold a lock for the block, on a connection of its own, waiting for another holder."""
        return self._exclusive(name)

    @contextlib.asynccontextmanager
    async def _exclusive(self, name: str) -> AsyncIterator[None]:
        async with await AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
            await conn.execute(
                "SELECT pg_advisory_lock(%s::int4, %s::int4)", (ONE_AT_A_TIME, key(name))
            )
            yield

    async def start(self) -> None:
        """Connect, take what is free now, and keep a heartbeat in the background."""
        await self._connect()
        await self._beat()
        self._task = asyncio.create_task(self._run(), name="coordination")

    async def stop(self) -> None:
        """Stop everything held, hand the leases back at once, and close the connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        held_leases = [d.name for d in self._duties.leases if d.name in self._duties.held]
        await self._duties.give_up_all()
        if self._conn is not None:
            try:
                async with asyncio.timeout(self._settings.heartbeat_seconds):
                    await self._leases.release(self._conn, [*held_leases, self._leases.own])
                    await self._conn.execute(f"NOTIFY {Channel.LEASES}")
            except (psycopg.Error, OSError, TimeoutError):
                log.info("Could not hand the camera leases back; they free themselves")
        await self._close()

    def held(self) -> frozenset[str]:
        """The roles and leases this process holds now."""
        return frozenset(self._duties.held)

    async def _connect(self) -> None:
        conn = await AsyncConnection.connect(self._conninfo, autocommit=True)
        # Never held by another: this process's key is its own. While it holds it, the
        # process is alive for the others (its leases are its own, it counts in the share).
        await conn.execute(
            "SELECT pg_advisory_lock(%s::int4, %s::int4)", (MEMBERS, self._member_key)
        )
        for channel in Channel:
            await conn.execute(f"LISTEN {channel}")
        self._conn = conn

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await conn.close()

    async def _run(self) -> None:
        beat = self._settings.heartbeat_seconds
        while True:
            try:
                if self._conn is None:
                    await self._connect()
                    log.info("Coordination connection is back")
                await self._wait(beat)
                async with asyncio.timeout(self._settings.lease_seconds / 2):
                    await self._beat()
            except (psycopg.Error, OSError, TimeoutError) as exc:
                await self._lose_everything(exc)
                await asyncio.sleep(beat)

    async def _wait(self, seconds: float) -> None:
        """Pass on notifications until the next heartbeat, or until leases were let go."""
        assert self._conn is not None
        async for note in self._conn.notifies(timeout=seconds):
            if note.channel == Channel.LEASES:
                # Another process let leases go: take them now, not a heartbeat later.
                return
            self._duties.announce(note.channel)

    async def _lose_everything(self, exc: BaseException) -> None:
        held = sorted(self._duties.held)
        # The locks went with the connection: another process may already do this work.
        log.warning(
            "Lost the coordination connection to the database (%s); stopping %s until it is back",
            exc,
            ", ".join(held) or "nothing",
        )
        await self._duties.give_up_all()
        self._seen_free.clear()
        await self._close()

    async def _beat(self) -> None:
        conn = self._conn
        assert conn is not None
        # This process's own row first: it proves it alive, and so its locks.
        mine = await self._leases.renew(conn)
        for stuck in await self._leases.fence_stuck(conn):
            log.warning(
                "Process %s stopped beating though its session lives: its session was ended, "
                "so its roles and cameras go to the live processes",
                stuck,
            )
        await self._take_roles(conn)
        if self._duties.leases:
            await self._balance_leases(conn, mine)

    async def _take_roles(self, conn: AsyncConnection) -> None:
        holds_a_role = any(d.name in self._duties.held for d in self._duties.roles)
        seen_free: set[str] = set()
        for duty in self._duties.roles:
            if duty.name in self._duties.held:
                continue
            role_key = key(duty.name)
            if holds_a_role and duty.name not in self._seen_free:
                cursor = await conn.execute(_ROLE_HELD, (role_key,))
                row = await cursor.fetchone()
                if row is not None and not row[0]:
                    seen_free.add(duty.name)
                continue
            cursor = await conn.execute(
                "SELECT pg_try_advisory_lock(%s::int4, %s::int4)", (ROLES, role_key)
            )
            row = await cursor.fetchone()
            if row is None or not row[0]:
                continue
            if await self._duties.take(duty):
                holds_a_role = True
            else:
                await conn.execute(
                    "SELECT pg_advisory_unlock(%s::int4, %s::int4)", (ROLES, role_key)
                )
        self._seen_free = seen_free

    async def _balance_leases(self, conn: AsyncConnection, mine: set[str]) -> None:
        """Hold a fair share: the leases divided by the live processes."""
        names = [d.name for d in self._duties.leases]
        for name in [n for n in self._duties.held if n in names and n not in mine]:
            log.warning("Lease %s was taken over by another process; stopping it here", name)
            await self._duties.give_up(name)
        share = math.ceil(len(names) / max(1, await self._leases.live_processes(conn)))
        held = [n for n in names if n in self._duties.held]
        if len(held) > share:
            extra = held[share:]
            for name in extra:
                await self._duties.give_up(name)
            await self._leases.release(conn, extra)
            await conn.execute(f"NOTIFY {Channel.LEASES}")
            return
        candidates = [n for n in names if n not in self._duties.held]
        # In a random order: processes starting together do not all reach for the same ones.
        random.shuffle(candidates)
        by_name = {d.name: d for d in self._duties.leases}
        for name in await self._leases.take(conn, candidates, share - len(held)):
            if not await self._duties.take(by_name[name]):
                await self._leases.release(conn, [name])
