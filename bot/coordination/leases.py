"""The camera leases' SQL: renew what a process holds, count the live processes, take, let go.

A lease is free when its holder's advisory lock is gone (the process died: PostgreSQL drops a
dead session's locks at once) or when it was not renewed in time (the process is stuck). Each
process also keeps a row of its own, `process:<key>`, renewed with its leases: a process is
live while it holds its lock and that row is fresh, so a stuck one stops counting in the
share and its cameras go to the others. Every time here is the database's `now()`, so the
processes' own clocks never disagree about it.
"""

from __future__ import annotations

from psycopg import AsyncConnection

from bot.coordination.keys import MEMBERS

# The holder of a lease `l` still holds its member lock on this database.
_HOLDER_ALIVE = f"""
    EXISTS (
        SELECT 1 FROM pg_locks p
        WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 2
          AND p.classid = {MEMBERS}::oid AND p.objid = l.holder_key::oid
          AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    )"""

_RENEW = """
    UPDATE coordination_lease AS l
    SET expires_at = now() + make_interval(secs => %(ttl)s)
    WHERE l.desk = %(desk)s AND l.holder_key = %(key)s
    RETURNING l.name"""

# A process's own row: written (or renewed) every heartbeat.
_BEAT = """
    INSERT INTO coordination_lease AS l (desk, name, holder_key, holder, taken_at, expires_at)
    VALUES (%(desk)s, %(name)s, %(key)s, %(holder)s, now(), now() + make_interval(secs => %(ttl)s))
    ON CONFLICT (desk, name) DO UPDATE SET expires_at = EXCLUDED.expires_at"""

# The rows of processes long gone, so the table does not grow with every restart.
_FORGET_GONE = f"""
    DELETE FROM coordination_lease AS l
    WHERE l.desk = %(desk)s AND l.name LIKE 'process:%%' AND l.expires_at < now()
      AND NOT {_HOLDER_ALIVE}"""

_LIVE_MEMBERS = f"""
    SELECT count(*) FROM coordination_lease AS l
    WHERE l.desk = %(desk)s AND l.name LIKE 'process:%%' AND l.expires_at >= now()
      AND {_HOLDER_ALIVE}"""

_FREE = f"""
    SELECT c.name FROM unnest(%(names)s::text[]) WITH ORDINALITY AS c(name, i)
    WHERE NOT EXISTS (
        SELECT 1 FROM coordination_lease l
        WHERE l.desk = %(desk)s AND l.name = c.name AND l.expires_at >= now() AND {_HOLDER_ALIVE}
    )
    ORDER BY c.i
    LIMIT %(wanted)s"""

# Taken only if still free when written: two processes taking the same lease at once, one wins.
_TAKE = f"""
    INSERT INTO coordination_lease AS l (desk, name, holder_key, holder, taken_at, expires_at)
    SELECT %(desk)s, c.name, %(key)s, %(holder)s, now(), now() + make_interval(secs => %(ttl)s)
    FROM unnest(%(names)s::text[]) AS c(name)
    ON CONFLICT (desk, name) DO UPDATE
    SET holder_key = EXCLUDED.holder_key, holder = EXCLUDED.holder,
        taken_at = EXCLUDED.taken_at, expires_at = EXCLUDED.expires_at
    WHERE l.expires_at < now() OR NOT {_HOLDER_ALIVE}
    RETURNING l.name"""

# Sessions of processes that stopped beating (stuck, not dead: their session lives on) for
# twice the lease time: ended, so their role locks drop and the roles move too.
_FENCE = f"""
    SELECT l.holder, pg_terminate_backend(p.pid)
    FROM coordination_lease AS l
    JOIN pg_locks AS p
      ON p.locktype = 'advisory' AND p.granted AND p.objsubid = 2
     AND p.classid = {MEMBERS}::oid AND p.objid = l.holder_key::oid
     AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    WHERE l.desk = %(desk)s AND l.name LIKE 'process:%%' AND l.holder_key <> %(key)s
      AND l.expires_at < now() - make_interval(secs => %(ttl)s)"""

_RELEASE = """
    DELETE FROM coordination_lease AS l
    WHERE l.desk = %(desk)s AND l.holder_key = %(key)s AND l.name = ANY(%(names)s::text[])"""


class Leases:
    """One process's view of the leases of one desk, on its coordination connection."""

    def __init__(self, desk: str, member_key: int, holder: str, ttl_seconds: float) -> None:
        self._desk = desk
        self._key = member_key
        self._holder = holder
        self._ttl = ttl_seconds
        self.own = f"process:{member_key}"

    async def renew(self, conn: AsyncConnection) -> set[str]:
        """Renew this process's row and every lease it holds; the leases still held."""
        await conn.execute(
            _BEAT,
            {
                "desk": self._desk,
                "name": self.own,
                "key": self._key,
                "holder": self._holder,
                "ttl": self._ttl,
            },
        )
        cursor = await conn.execute(
            _RENEW, {"ttl": self._ttl, "desk": self._desk, "key": self._key}
        )
        return {name for (name,) in await cursor.fetchall() if name != self.own}

    async def fence_stuck(self, conn: AsyncConnection) -> list[str]:
        """End the sessions of processes stuck for twice the lease time; which (host:pid)."""
        cursor = await conn.execute(
            _FENCE, {"desk": self._desk, "key": self._key, "ttl": self._ttl}
        )
        return [holder for holder, ended in await cursor.fetchall() if ended]

    async def live_processes(self, conn: AsyncConnection) -> int:
        """How many processes of the deployment are alive and beating (this one too)."""
        await conn.execute(_FORGET_GONE, {"desk": self._desk})
        cursor = await conn.execute(_LIVE_MEMBERS, {"desk": self._desk})
        row = await cursor.fetchone()
        return max(1, int(row[0])) if row else 1

    async def take(self, conn: AsyncConnection, candidates: list[str], wanted: int) -> list[str]:
        """Take up to `wanted` free leases among the candidates, in their order; those taken."""
        if wanted <= 0 or not candidates:
            return []
        cursor = await conn.execute(
            _FREE, {"names": candidates, "desk": self._desk, "wanted": wanted}
        )
        free = [name for (name,) in await cursor.fetchall()]
        if not free:
            return []
        cursor = await conn.execute(
            _TAKE,
            {
                "desk": self._desk,
                "key": self._key,
                "holder": self._holder,
                "ttl": self._ttl,
                "names": free,
            },
        )
        taken = {name for (name,) in await cursor.fetchall()}
        return [name for name in free if name in taken]

    async def release(self, conn: AsyncConnection, names: list[str]) -> None:
        """Let leases go so another process may take them at once."""
        if names:
            await conn.execute(_RELEASE, {"desk": self._desk, "key": self._key, "names": names})
