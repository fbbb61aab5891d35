"""Requests that arrive together, handled together in one go (a group commit).

In a storm the intake and the cameras hand in alerts faster than one transaction each can
keep up with; gathering what came in one turn lets them commit together, and the first one
waits no longer than the callbacks already due.

On PostgreSQL the handling runs in a worker thread: a transaction spends most of its time
waiting for the server, and in the loop that wait would hold up the sender and every other
desk's intake. Batches still go one at a time, in order; what arrives while one is under way
is the next batch, so the busier the intake, the fewer and larger its transactions. SQLite
stays in the loop: it has one writer, and a thread holding it would stall the loop's writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


# One thread stores every desk's batches. Python runs one thread at a time: a thread per
# desk would each wait for the others' turns, and hold up the loop (the sender, the answers)
# for theirs; one thread is busy only with what PostgreSQL does not do for it, and the batches
# that wait for it grow instead.
@cache
def _storing() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="intake-db")


async def _store_thread(handle: Callable[[list[T]], list[R]], items: list[T]) -> list[R]:
    return await asyncio.get_running_loop().run_in_executor(_storing(), handle, items)


class SameTurn(Generic[T, R]):
    """Hands `handle` every item submitted together; each submitter gets its own result.

    `handle` returns one result per item, in order; if it raises, every submitter of the
    batch gets the error. `after` runs in the loop once the submitters have their results.
    With `off_loop`, `handle` runs in a thread while holding `lock`, which whatever else
    changes the same state must hold too.
    """

    def __init__(
        self,
        handle: Callable[[list[T]], list[R]],
        after: Callable[[], None],
        *,
        off_loop: bool = False,
    ) -> None:
        self._handle = handle
        self._after = after
        self._off_loop = off_loop
        self._arriving: list[tuple[T, asyncio.Future[R]]] = []
        self._running: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()

    async def submit(self, item: T) -> R:
        """The result `handle` gives for this item, with the others of its batch."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[R] = loop.create_future()
        self._arriving.append((item, result))
        if self._off_loop:
            if self._running is None:
                self._running = asyncio.create_task(self._handle_off_loop())
        elif len(self._arriving) == 1:
            # After the callbacks already due: requests that came in together go together.
            loop.call_soon(self._handle_arrived)
        return await result

    async def finish(self) -> None:
        """Wait for the batch under way in its thread, if any (a stop, a test's settling)."""
        running = self._running
        if running is not None:
            await asyncio.gather(running, return_exceptions=True)

    def _handle_arrived(self) -> None:
        arrived, self._arriving = self._arriving, []
        try:
            results = self._handle([item for item, _ in arrived])
        except Exception as exc:
            _fail(arrived, exc)
            return
        self._deliver(arrived, results)

    async def _handle_off_loop(self) -> None:
        try:
            await asyncio.sleep(0)
            # No await between the last look and `finally`: an item submitted after the
            # look starts a new task, one submitted before it is in the next batch.
            while self._arriving:
                arrived, self._arriving = self._arriving, []
                async with self.lock:
                    try:
                        results = await _store_thread(self._handle, [item for item, _ in arrived])
                    except Exception as exc:
                        _fail(arrived, exc)
                        continue
                self._deliver(arrived, results)
        finally:
            self._running = None

    def _deliver(self, arrived: list[tuple[T, asyncio.Future[R]]], results: list[R]) -> None:
        for (_, waiting), result in zip(arrived, results, strict=True):
            if not waiting.done():
                waiting.set_result(result)
        self._after()


def _fail(arrived: list[tuple[T, asyncio.Future[R]]], exc: Exception) -> None:
    for _, waiting in arrived:
        if not waiting.done():
            waiting.set_exception(exc)
