"""Requests that arrive in the same turn of the event loop, handled together in one go.

In a storm the intake and the cameras hand in alerts faster than one transaction each can
keep up with; gathering what came in one turn lets them commit together, and the first one
waits no longer than the callbacks already due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class SameTurn(Generic[T, R]):
    """Hands `handle` every item submitted in one turn; each submitter gets its own result.

    `handle` returns one result per item, in order; if it raises, every submitter of the
    turn gets the error. `after` runs once the submitters have their results.
    """

    def __init__(self, handle: Callable[[list[T]], list[R]], after: Callable[[], None]) -> None:
        self._handle = handle
        self._after = after
        self._arriving: list[tuple[T, asyncio.Future[R]]] = []

    async def submit(self, item: T) -> R:
        """The result `handle` gives for this item, with the others of its turn."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[R] = loop.create_future()
        self._arriving.append((item, result))
        if len(self._arriving) == 1:
            # After the callbacks already due: requests that came in together go together.
            loop.call_soon(self._handle_arrived)
        return await result

    def _handle_arrived(self) -> None:
        arrived, self._arriving = self._arriving, []
        try:
            results = self._handle([item for item, _ in arrived])
        except Exception as exc:
            for _, waiting in arrived:
                if not waiting.done():
                    waiting.set_exception(exc)
            return
        for (_, waiting), result in zip(arrived, results, strict=True):
            if not waiting.done():
                waiting.set_result(result)
        self._after()
