"""Blocking database calls made from the event loop: in a thread when the server is elsewhere.

On PostgreSQL most of a call is waiting for the server; a thread waits without holding up the
loop, and with it every other chat's send, the intake's answers and the redraws. On SQLite a
call costs microseconds and the database has one writer: a thread holding it would stall the
loop's own writes, so calls stay in the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine

P = ParamSpec("P")
R = TypeVar("R")


def waits_for_a_server(engine: Engine) -> bool:
    """Whether the database is a server the process talks to (PostgreSQL), not a file."""
    return engine.dialect.name == "postgresql"


class BlockingCalls:
    """Runs a blocking call: in a worker thread on PostgreSQL, in the loop on SQLite.

    With `threads`, the calls have threads of their own: in a storm the intake's batches fill
    the loop's shared executor, and the sender's next message must not wait behind them.
    """

    def __init__(self, engine: Engine, *, threads: int = 0, name: str = "db") -> None:
        self.off_loop = waits_for_a_server(engine)
        self._threads = threads
        self._name = name
        self._executor: ThreadPoolExecutor | None = None

    async def __call__(self, call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        if not self.off_loop:
            return call(*args, **kwargs)
        if not self._threads:
            return await asyncio.to_thread(call, *args, **kwargs)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix=self._name)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(call, *args, **kwargs))
