"""The signed intake under forged, absurd, slow and broken requests, over real HTTP sockets."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.camera import intake as intake_module
from bot.camera.intake import SIGNATURE_HEADER, TIMESTAMP_HEADER, Intake, sign
from bot.db.models import CameraEventRecord, IntakeSignature
from bot.desk import Desk
from tests.e2e.conftest import INTAKE_SECRET, Desktop, launch
from tests.e2e.test_alerts import alert_body, photos

# Bounds for answers that must come at once; generous for a loaded machine, far below "never".
PROMPTLY = 5.0


def signed_headers(stamp: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(INTAKE_SECRET, stamp, body),
    }


def now_stamp(desktop: Desktop) -> str:
    return str(int(desktop.clock.now().timestamp()))


async def send(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """One POST to an intake, through aiohttp's client."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{port}/api/v1/alerts", data=body, headers=headers) as answer,
    ):
        return answer.status, await answer.json()


def intake_port(desktop: Desktop) -> int:
    port = desktop.app.bot_data["intake"].port
    assert isinstance(port, int)
    return port


def events(desktop: Desktop) -> int:
    with Session(desktop.engine) as session:
        return session.exec(select(func.count()).select_from(CameraEventRecord)).one()


# --- replays ------------------------------------------------------------------------------


async def test_a_replay_after_a_restart_is_refused(desktop: Desktop) -> None:
    # A signed alert without an id: only its signature tells a replay from a new alert.
    body = alert_body(camera="14", kind="intrusion")
    headers = signed_headers(now_stamp(desktop), body)
    assert (await send(intake_port(desktop), body, headers))[0] == 202
    await desktop.settle()
    assert len(photos(desktop)) == 1

    await desktop.restart()
    desktop.clock.advance(dt.timedelta(seconds=200))
    status, answer = await send(intake_port(desktop), body, headers)
    await desktop.settle()
    assert (status, answer["error"]) == (409, "replayed")
    assert "already received" in answer["message"]
    assert len(photos(desktop)) == 1 and events(desktop) == 1

    # Past the window the same request is stale, and what was kept of it is pruned.
    desktop.clock.advance(dt.timedelta(seconds=200))
    assert (await send(intake_port(desktop), body, headers))[1]["error"] == "stale"
    fresh = alert_body(camera="15")
    assert (await send(intake_port(desktop), fresh, signed_headers(now_stamp(desktop), fresh)))[
        0
    ] == 202
    with Session(desktop.engine) as session:
        assert len(session.exec(select(IntakeSignature)).all()) == 1


@asynccontextmanager
async def second_intake(desktop: Desktop) -> AsyncIterator[int]:
    """Another bot process's intake on the same database (as PostgreSQL deployments run)."""
    desk = Desk.build(desktop.settings, desktop.engine, desktop.clock)
    intake = Intake(desktop.settings, desk.cameras.alerts, desktop.clock, dict)
    await intake.start()
    try:
        assert intake.port is not None
        yield intake.port
    finally:
        await desk.cameras.alerts.settle()
        await intake.stop()
        await desk.cameras.alerts.stop()


async def test_copies_of_a_request_arriving_together_are_accepted_once(desktop: Desktop) -> None:
    body = alert_body(camera="16", kind="tampering")
    headers = signed_headers(now_stamp(desktop), body)
    here = intake_port(desktop)
    async with second_intake(desktop) as there:
        answers = await asyncio.gather(
            send(here, body, headers), send(there, body, headers), send(here, body, headers)
        )
    await desktop.settle()
    assert sorted(status for status, _ in answers) == [202, 409, 409]
    assert events(desktop) == 1
    assert len(photos(desktop)) == 1


# --- headers ------------------------------------------------------------------------------


NOT_UNIX_SECONDS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e9", "{now}e0", "+{now}", "-{now}"]
NOT_UNIX_SECONDS += ["{now:_}", "{now}" + "0" * 30, "{now}.5.5", "0x1", "{now}.", " nan"]


async def test_a_timestamp_that_is_not_unix_seconds_is_refused(desktop: Desktop) -> None:
    body = alert_body()
    for template in NOT_UNIX_SECONDS:
        stamp = template.format(now=int(desktop.clock.now().timestamp()))
        # Correctly signed: only the timestamp is wrong.
        status, answer = await send(intake_port(desktop), body, signed_headers(stamp, body))
        assert status == 401 and answer["error"] in {"bad_timestamp", "stale"}, (stamp, answer)
    await desktop.settle()
    assert events(desktop) == 0 and photos(desktop) == []


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, Any] | None]:
    """The status and JSON body of the next HTTP response on a raw connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    length = int(fields.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    is_json = fields.get("content-type", "").startswith("application/json")
    return int(status_line.split()[1]), json.loads(body) if is_json else None


@asynccontextmanager
async def raw_post(
    port: int, headers: dict[str, str]
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """A socket that has sent a request's head (no body yet)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "POST /api/v1/alerts HTTP/1.1\r\nHost: intake\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    writer.write(head.encode())
    await writer.drain()
    try:
        yield reader, writer
    finally:
        writer.close()
        await asyncio.gather(writer.wait_closed(), return_exceptions=True)


async def test_headers_and_the_declared_length_are_checked_before_the_body(
    desktop: Desktop,
) -> None:
    port = intake_port(desktop)
    body = alert_body()
    # Unsigned: refused before the sender has sent a byte of its body.
    async with raw_post(port, {"Content-Length": str(len(body))}) as (reader, _):
        status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status == 401 and answer is not None and answer["error"] == "unsigned"
    # Stale, asking to continue: refused instead of "100 Continue".
    stale = str(int(desktop.clock.now().timestamp()) - 3600)
    headers = signed_headers(stale, body) | {
        "Content-Length": str(len(body)),
        "Expect": "100-continue",
    }
    async with raw_post(port, headers) as (reader, _):
        status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status == 401 and answer is not None and answer["error"] == "stale"
    # Declared over the limit: 413 without waiting for the 10 MB.
    headers = signed_headers(now_stamp(desktop), body) | {"Content-Length": str(10 << 20)}
    async with raw_post(port, headers) as (reader, _):
        status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status == 413 and answer is not None and answer["error"] == "too_large"
    assert "5242880" in answer["message"]


async def test_a_chunked_body_over_the_limit_is_refused_while_reading(desktop: Desktop) -> None:
    body = alert_body(description="x" * (6 << 20))
    headers = signed_headers(now_stamp(desktop), body) | {"Transfer-Encoding": "chunked"}
    async with raw_post(intake_port(desktop), headers) as (reader, writer):
        # 6 MB in chunks, and never the last chunk: only a limit kept while reading answers.
        chunk = 64 << 10
        try:
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status == 413 and answer is not None and answer["error"] == "too_large"
    await desktop.settle()
    assert events(desktop) == 0


async def test_broken_http_is_a_400_and_a_debug_line(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = intake_port(desktop)
    body = alert_body()
    # A body that says it is gzip and is not...
    junk = b"not gzip at all"
    headers = signed_headers(now_stamp(desktop), junk) | {
        "Content-Encoding": "gzip",
        "Content-Length": str(len(junk)),
    }
    async with raw_post(port, headers) as (reader, writer):
        writer.write(junk)
        status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status == 400 and answer is not None and "not well-formed" in answer["message"]
    # ...or a broken chunk right behind the headers, which aiohttp answers itself.
    headers = signed_headers(now_stamp(desktop), body) | {"Transfer-Encoding": "chunked"}
    async with raw_post(port, headers) as (reader, writer):
        writer.write(b"zz\r\n{}\r\n")
        status, _ = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status == 400
    # A line of headers too long for any sender.
    async with raw_post(port, {"X-Junk": "j" * 20_000}) as (reader, _):
        status, _ = await asyncio.wait_for(read_answer(reader), PROMPTLY)
    assert status in {400, 431}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert desktop.app.bot_data["intake"].counters["bad_http"] == 2
    assert (await send(port, body, signed_headers(now_stamp(desktop), body)))[0] == 202


# --- the body -----------------------------------------------------------------------------


ABSURD: list[tuple[bytes, int, str]] = [
    (b"[" * 200_000 + b"]" * 200_000, 400, "nested too deeply"),
    (b'{"camera": "12", "type": "motion", "id": ' + b"9" * 5000 + b"}", 400, "not valid JSON"),
    (b'{"camera": "12", "type": "motion", "id": NaN}', 400, "not valid JSON"),
    (b"\xff\xfe{}", 400, "UTF-8"),
    (b'["12", "motion"]', 422, "must be a JSON object"),
    (b"12", 422, "must be a JSON object"),
    (b"null", 422, "must be a JSON object"),
    (b'{"camera": 12, "type": "motion"}', 422, "'camera' must be a string"),
    (b'{"camera": "12", "type": ["motion"]}', 422, "'type' must be a string"),
    (b'{"camera": "12", "type": "' + b"m" * 40 + b'"}', 422, "'type' must be at most 32"),
    (b'{"camera": "12", "type": "motion", "time": 1764036000}', 422, "'time' must be a string"),
    (
        b'{"camera": "12", "type": "motion", "time": "9999-12-31T23:59:59-14:00"}',
        422,
        "'time' must be ISO 8601",
    ),
    (
        b'{"camera": "12", "type": "motion", "time": "0001-01-01T00:00:00+14:00"}',
        422,
        "'time' must be ISO 8601",
    ),
    (b'{"camera": "12", "type": "motion", "id": {"n": 1}}', 422, "'id' must be a string"),
    (b'{"camera": "12", "type": "motion", "id": "' + b"i" * 200 + b'"}', 422, "at most 128"),
    (b'{"camera": "12", "type": "motion", "description": [1]}', 422, "'description' must"),
    (
        b'{"camera": "12", "type": "motion", "references": {"a": {"b": [1]}}}',
        422,
        "'references' must be an object of texts",
    ),
    (b'{"camera": "12", "type": "motion", "image_base64": 5}', 422, "'image_base64' must"),
    (b'{"camera": "' + b"9" * 70_000 + b'", "type": "motion"}', 422, "'camera' must be at most"),
]


async def test_absurd_json_is_refused_with_what_is_expected(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = intake_port(desktop)
    for body, status, says in ABSURD:
        answer = await send(port, body, signed_headers(now_stamp(desktop), body))
        assert answer[0] == status and says in answer[1]["message"], (body[:60], answer)
    await desktop.settle()
    assert events(desktop) == 0 and photos(desktop) == []
    # A good alert right after is taken as usual, and nothing was logged as an error.
    good = alert_body()
    assert (await send(port, good, signed_headers(now_stamp(desktop), good)))[0] == 202
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# --- slow and vanishing senders -----------------------------------------------------------


async def test_a_sender_that_never_finishes_its_headers_is_cut_off(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_module, "IDLE_CONNECTION_SECONDS", 0.5, raising=False)
    async with launch(migrated_url) as desktop:
        reader, writer = await asyncio.open_connection("127.0.0.1", intake_port(desktop))
        try:
            writer.write(b"POST /api/v1/alerts HTTP/1.1\r\nHost: intake\r\nX-Duty-")
            await writer.drain()
            # Closed by the intake, without an answer: there was no request to answer.
            assert await asyncio.wait_for(reader.read(), PROMPTLY) == b""
        finally:
            writer.close()


@pytest.fixture
async def impatient(migrated_url: str) -> AsyncIterator[Desktop]:
    """A desk whose intake gives a sender half a second to deliver its body."""
    intake = {"enabled": True, "port": 0, "secret": INTAKE_SECRET, "read_timeout_seconds": 0.5}
    async with launch(migrated_url, intake=intake) as desktop:
        yield desktop


async def test_a_sender_that_stops_sending_is_cut_off(impatient: Desktop) -> None:
    body = alert_body()
    headers = signed_headers(now_stamp(impatient), body) | {"Content-Length": str(len(body))}
    async with raw_post(intake_port(impatient), headers) as (reader, writer):
        writer.write(body[:20])
        await writer.drain()
        status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
        assert status == 408 and answer is not None and answer["error"] == "read_timeout"
        # The connection is closed: the sender cannot hold it.
        assert await asyncio.wait_for(reader.read(), PROMPTLY) == b""


async def test_a_sender_dribbling_its_body_is_cut_off(impatient: Desktop) -> None:
    body = alert_body(description="x" * 200)
    headers = signed_headers(now_stamp(impatient), body) | {"Content-Length": str(len(body))}
    async with raw_post(intake_port(impatient), headers) as (reader, writer):

        async def dribble() -> None:
            # A byte every 50 ms: always sending, never done within the half second.
            for byte in body:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)

        dribbling = asyncio.create_task(dribble())
        try:
            status, answer = await asyncio.wait_for(read_answer(reader), PROMPTLY)
        finally:
            dribbling.cancel()
            await asyncio.gather(dribbling, return_exceptions=True)
    assert status == 408 and answer is not None and "0.5 s" in answer["message"]
    await impatient.settle()
    assert events(impatient) == 0


async def test_a_sender_hanging_up_mid_request_is_a_debug_line(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = alert_body()
    headers = signed_headers(now_stamp(desktop), body) | {"Content-Length": str(len(body))}
    async with raw_post(intake_port(desktop), headers) as (_, writer):
        writer.write(body[:20])
        await writer.drain()

    def said() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name.startswith(("aiohttp", "bot.camera.intake"))]

    for _ in range(200):
        if any(r.levelno >= logging.WARNING or "hung up" in r.getMessage() for r in said()):
            break
        await asyncio.sleep(0.01)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    (line,) = [r for r in said() if "hung up" in r.getMessage()]
    assert line.levelno == logging.DEBUG and line.exc_info is None
    assert desktop.app.bot_data["intake"].counters["hung_up"] == 1
    # The intake goes on answering.
    assert (await send(intake_port(desktop), body, signed_headers(now_stamp(desktop), body)))[
        0
    ] == 202
