"""Roles on PostgreSQL: exactly one process polls and one sends, and a dead holder's role moves."""

from __future__ import annotations

import asyncio
import time

from bot.coordination import Role
from tests.coordination.conftest import CAMERAS, FAST, Cluster, wait_for


async def test_each_role_is_held_by_exactly_one_of_three_processes(cluster: Cluster) -> None:
    for process in ("a", "b", "c"):
        await cluster.start(process)
    ledger = cluster.ledger
    await wait_for(lambda: all(ledger.holder(role) for role in Role))
    # A few beats more: nobody takes a role someone holds.
    await asyncio.sleep(5 * FAST.heartbeat_seconds)
    assert ledger.overlaps == []
    held = {role: ledger.holder(role) for role in Role}
    assert all(held.values())
    # Spread: the poller and the sender are not both on one process while others hold none.
    assert held[Role.POLLER] != held[Role.SENDER]
    # What each process says it holds is what it does.
    for process, coordinator in cluster.processes.items():
        assert coordinator.held() == ledger.held_by(process)


async def test_a_killed_holder_s_role_moves_to_another_process_within_two_beats(
    cluster: Cluster,
) -> None:
    for process in ("a", "b", "c"):
        await cluster.start(process, leases=[])
    ledger = cluster.ledger
    await wait_for(lambda: all(ledger.holder(role) for role in Role))
    for role in Role:
        victim = ledger.holder(role)
        assert victim is not None
        killed_at = await cluster.kill(victim)
        await wait_for(lambda r=role: ledger.holder(r) is not None)
        moved_after = time.monotonic() - killed_at
        # At most one beat to notice, one more when every survivor already holds a role.
        assert moved_after < 2 * FAST.heartbeat_seconds + 0.5, (role, moved_after)
        assert ledger.holder(role) != victim
        await cluster.start(victim, leases=[])
    assert ledger.overlaps == []


async def test_a_clean_stop_hands_the_roles_and_cameras_over(cluster: Cluster) -> None:
    first = await cluster.start("a")
    ledger = cluster.ledger
    await wait_for(lambda: len(ledger.held_by("a")) == len(Role) + len(CAMERAS))
    await cluster.start("b")
    await wait_for(lambda: len(ledger.held_by("b")) >= len(CAMERAS) // 2)
    await first.stop()
    await wait_for(lambda: len(ledger.held_by("b")) == len(Role) + len(CAMERAS))
    assert ledger.overlaps == []


async def test_one_block_at_a_time_across_processes(cluster: Cluster) -> None:
    a = await cluster.start("a", leases=[])
    b = await cluster.start("b", leases=[])
    inside: list[str] = []
    overlaps: list[str] = []

    async def block(name: str, coordinator: object) -> None:
        async with coordinator.one_at_a_time("start-up"):  # type: ignore[attr-defined]
            if inside:
                overlaps.append(name)
            inside.append(name)
            await asyncio.sleep(0.3)
            inside.remove(name)

    await asyncio.gather(block("a", a), block("b", b))
    assert overlaps == []


async def test_a_stuck_holder_is_fenced_off_and_its_roles_move(cluster: Cluster) -> None:
    a = await cluster.start("a", leases=[])
    await wait_for(lambda: len(cluster.ledger.held_by("a")) == len(Role))
    await cluster.start("b", leases=[])
    # a stops beating without dying (its loop blocked): its session, so its locks, live on.
    assert a._task is not None
    a._task.cancel()
    stuck_at = time.monotonic()
    await wait_for(lambda: all(cluster.ledger.holder(role) == "b" for role in Role))
    moved_after = time.monotonic() - stuck_at
    # Not before its row is stale twice over: a slow beat is not a stuck process.
    assert 2 * FAST.lease_seconds <= moved_after < 2 * FAST.lease_seconds + 1.0, moved_after
    # Unstuck, a finds its session ended, stops its roles and comes back without them.
    a._task = asyncio.create_task(a._run())
    await wait_for(lambda: not a.held())
    await asyncio.sleep(5 * FAST.heartbeat_seconds)
    assert not a.held() & {role.value for role in Role}
