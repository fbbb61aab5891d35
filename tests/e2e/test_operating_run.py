"""`duty-desk run` as an operator watches it: JSON log lines, readiness and metrics over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from pathlib import Path
from typing import Any

from bot.db.engine import upgrade
from bot.devtools.emulator import BotApiEmulator
from tests.e2e.commands import duty_desk, write_config
from tests.e2e.conftest import GROUP, INTAKE_SECRET, OFFICER, desk_config, text_of
from tests.ops.scrape import get_json, scrape, value

SECRET = "987654321:SECRET-token-that-must-not-be-logged"
LISTENING = re.compile(r"Health and metrics on http://127\.0\.0\.1:(\d+)/")


async def read_until(
    stream: asyncio.StreamReader, pattern: re.Pattern[str], lines: list[str]
) -> re.Match[str]:
    """Read log lines (keeping them) until one matches."""
    while True:
        raw = await asyncio.wait_for(stream.readline(), timeout=30)
        assert raw, "the process ended before logging " + pattern.pattern
        line = raw.decode().rstrip("\n")
        lines.append(line)
        found = pattern.search(line)
        if found:
            return found


async def test_the_run_command_logs_json_lines_and_answers_on_its_operator_port(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    lines: list[str] = []
    async with BotApiEmulator(token=SECRET) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(OFFICER, "Dung")
        path = write_config(tmp_path, desk_config(emu, url))
        env = {
            "DUTY_DESK_TELEGRAM__TOKEN": SECRET,
            "DUTY_DESK_LOG_LEVEL": "DEBUG",
            "DUTY_DESK_LOG_FORMAT": "json",
            "DUTY_DESK_OPS__PORT": "0",
        }
        process = await duty_desk(
            "--config", str(path), "run", env=env, stderr=asyncio.subprocess.PIPE
        )
        assert process.stderr is not None
        try:
            port = int((await read_until(process.stderr, LISTENING, lines)).group(1))
            await read_until(process.stderr, re.compile("duty-desk started as"), lines)
            status, ready = await get_json(port, "/readyz")
            assert status == 200, ready
            assert {"poller", "sender", "alarm", "intake"} <= set(ready["roles"])
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            answer = await emu.wait_for_message(GROUP, after=mark, timeout=30)
            assert "Ca trực ngày" in text_of(answer)
            samples = await scrape(port)
            desk = "main"
            assert value(samples, "duty_desk_updates_total", desk=desk, kind="message") == 1
        finally:
            process.send_signal(signal.SIGINT)
            rest, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    lines += (rest or b"").decode().splitlines()
    records: list[dict[str, Any]] = [json.loads(line) for line in lines if line]
    assert len(records) == len([line for line in lines if line]) > 5
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    assert any(r["message"] == "duty-desk started as @duty_desk_bot" for r in records)
    everything = "\n".join(lines)
    assert "SECRET-token" not in everything and INTAKE_SECRET not in everything
