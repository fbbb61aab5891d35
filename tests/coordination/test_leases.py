"""Camera leases on PostgreSQL: spread over the live processes, taken over when one dies."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from bot.coordination import Role
from bot.db.engine import make_engine
from tests.coordination.conftest import CAMERAS, FAST, Cluster, wait_for


def cameras_of(cluster: Cluster, process: str) -> set[str]:
    return {name for name in cluster.ledger.held_by(process) if name in CAMERAS}


def watched(cluster: Cluster) -> set[str]:
    return {name for name in cluster.ledger.doing if name in CAMERAS}


async def test_three_processes_watch_two_cameras_each_and_never_one_twice(
    cluster: Cluster,
) -> None:
    for process in ("a", "b", "c"):
        await cluster.start(process)
    await wait_for(lambda: all(len(cameras_of(cluster, p)) == 2 for p in ("a", "b", "c")))
    await asyncio.sleep(5 * FAST.heartbeat_seconds)
    assert watched(cluster) == set(CAMERAS)
    assert cluster.ledger.overlaps == []
    # The table says the same, for the operator: each camera, one holder, its host:pid.
    engine = make_engine(cluster.url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT name, holder FROM coordination_lease WHERE name LIKE 'camera:%'")
        ).all()
    engine.dispose()
    assert sorted(name for name, _ in rows) == sorted(CAMERAS)


async def test_a_killed_process_s_cameras_are_watched_again_within_a_beat_or_two(
    cluster: Cluster,
) -> None:
    for process in ("a", "b", "c"):
        await cluster.start(process)
    await wait_for(lambda: all(len(cameras_of(cluster, p)) == 2 for p in ("a", "b", "c")))
    killed_at = await cluster.kill("b")
    await wait_for(lambda: watched(cluster) == set(CAMERAS))
    taken_over_after = time.monotonic() - killed_at
    # Free the moment its session ends: no waiting for the lease to expire.
    assert taken_over_after < FAST.lease_seconds, taken_over_after
    assert len(cameras_of(cluster, "a")) == len(cameras_of(cluster, "c")) == 3
    assert cluster.ledger.overlaps == []


async def test_a_process_that_joins_takes_its_share_from_the_others(cluster: Cluster) -> None:
    await cluster.start("a")
    await wait_for(lambda: cameras_of(cluster, "a") == set(CAMERAS))
    await cluster.start("b")
    await wait_for(lambda: len(cameras_of(cluster, "b")) == 3)
    await asyncio.sleep(5 * FAST.heartbeat_seconds)
    assert len(cameras_of(cluster, "a")) == 3
    assert watched(cluster) == set(CAMERAS)
    assert cluster.ledger.overlaps == []


async def test_a_process_that_loses_its_connection_stops_at_once_and_comes_back_for_its_share(
    cluster: Cluster,
) -> None:
    a = await cluster.start("a")
    await cluster.start("b")
    await wait_for(lambda: len(cameras_of(cluster, "a")) == len(cameras_of(cluster, "b")) == 3)
    # The database drops a's session (a restart, a network cut): its locks are gone, so b
    # may take everything, and a must not go on watching what it no longer holds.
    engine = make_engine(cluster.url)
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND objid = :key"
            ),
            {"key": a._member_key},
        )
    engine.dispose()
    await wait_for(lambda: not cluster.ledger.held_by("a"), within=2)
    # Back on a new connection, it takes its share again from b.
    await wait_for(lambda: len(cameras_of(cluster, "a")) == 3)
    assert watched(cluster) == set(CAMERAS)


async def test_a_stuck_process_s_cameras_go_to_another_once_its_leases_expire(
    cluster: Cluster,
) -> None:
    a = await cluster.start("a")
    b = await cluster.start("b")
    await wait_for(lambda: len(cameras_of(cluster, "a")) == 3)
    stuck = cameras_of(cluster, "a")
    # a stops beating without dying (its loop blocked): its session and its locks stay.
    assert a._task is not None
    a._task.cancel()
    stuck_at = time.monotonic()
    await wait_for(lambda: set(CAMERAS) <= b.held())
    assert time.monotonic() - stuck_at >= FAST.lease_seconds - FAST.heartbeat_seconds
    # Unstuck, a finds those leases gone, stops their streams, then takes a share again.
    a._task = asyncio.create_task(a._run())
    await wait_for(lambda: len(a.held() & set(CAMERAS)) == 3 and not a.held() & b.held())
    # Done twice only while a was stuck, and only what a held.
    assert {overlap.rsplit(":", 1)[0] for overlap in cluster.ledger.overlaps} <= stuck | {
        role.value for role in Role
    }
