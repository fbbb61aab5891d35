"""Blocking database calls made from the event loop: in a thread when the server is elsewhere.

On PostgreSQL most of a call is waiting for the server; a thread waits without holding up the
loop, and with it every other chat's send, the intake's answers and the redraws. On SQLite a
call costs microseconds and the database has one writer: a thread holding it would stall the
loop's own writes, so calls stay in the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine

P = ParamSpec("P")
R = TypeVar("R")


def waits_for_a_server(engine: Engine) -> bool:
    """Whether the database is a server the process talks to (PostgreSQL), not a file."""
    return engine.dialect.name == "postgresql"


class BlockingCalls:
    """Runs a blocking call: in a worker thread on PostgreSQL, in the loop on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.off_loop = waits_for_a_server(engine)

    async def __call__(self, call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        if self.off_loop:
            return await asyncio.to_thread(call, *args, **kwargs)
        return call(*args, **kwargs)
