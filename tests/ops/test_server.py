"""The operator's port taken by another program: said once, clearly, and the bot goes on."""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest

from bot.clock import ManualClock
from bot.config import OpsSettings
from bot.db.engine import make_engine
from bot.ops.metrics import Metrics
from bot.ops.readiness import Readiness
from bot.ops.server import OpsServer
from tests.ops.scrape import get

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


async def no_telegram() -> object:
    return None


def server(port: int) -> OpsServer:
    readiness = Readiness(
        make_engine("sqlite://"), ManualClock(NOW), no_telegram, list, dt.timedelta(minutes=1)
    )
    return OpsServer(OpsSettings(port=port), readiness, Metrics().registry)


async def test_a_port_in_use_is_named_and_nothing_else_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        ops = server(port)
        with caplog.at_level(logging.ERROR):
            assert await ops.start() is False
        await ops.stop()
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = record.getMessage()
    assert f"127.0.0.1:{port} cannot be opened (in use)" in message
    assert "DUTY_DESK_OPS__PORT" in message


async def test_a_free_port_serves_liveness() -> None:
    ops = server(0)
    assert await ops.start() is True
    try:
        assert ops.port is not None
        status, body, _ = await get(ops.port, "/healthz")
        assert status == 200 and body == '{"ok": true}'
    finally:
        await ops.stop()
