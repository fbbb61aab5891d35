"""`duty-desk run` as an operator starts it: a process, configured by a file and the environment."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.db.engine import upgrade
from bot.devtools.emulator import BotApiEmulator
from tests.e2e.commands import duty_desk, write_config
from tests.e2e.conftest import GROUP, OFFICER, desk_config, text_of

SECRET = "987654321:SECRET-token-that-must-not-be-logged"


async def test_the_run_command_serves_the_group_and_keeps_the_token_out_of_logs(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    async with BotApiEmulator(token=SECRET) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(OFFICER, "Dung")
        path = write_config(tmp_path, desk_config(emu, url))
        env = {"DUTY_DESK_TELEGRAM__TOKEN": SECRET, "DUTY_DESK_LOG_LEVEL": "DEBUG"}
        process = await duty_desk(
            "--config", str(path), "run", env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            answer = await emu.wait_for_message(GROUP, after=mark, timeout=30)
            assert "Ca trực ngày" in text_of(answer)
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "duty-desk started as @duty_desk_bot" in log
    assert "SECRET-token" not in log


async def test_a_second_run_on_the_same_sqlite_file_is_refused_while_the_first_serves(
    tmp_path: Path,
) -> None:
    database = tmp_path / "desk.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    async with BotApiEmulator(token=SECRET) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(OFFICER, "Dung")
        path = write_config(tmp_path, desk_config(emu, url))
        env = {"DUTY_DESK_TELEGRAM__TOKEN": SECRET}
        command = ["--config", str(path), "run"]
        first = await duty_desk(*command, env=env, stderr=asyncio.subprocess.DEVNULL)
        try:
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            await emu.wait_for_message(GROUP, after=mark, timeout=30)
            second = await duty_desk(*command, env=env, stderr=asyncio.subprocess.PIPE)
            _, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
            # The first one still serves the group.
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            assert "Ca trực ngày" in text_of(await emu.wait_for_message(GROUP, after=mark))
        finally:
            first.send_signal(signal.SIGINT)
            await asyncio.wait_for(first.wait(), timeout=30)
    assert second.returncode == 3
    assert (
        f"Đã có một duty-desk khác đang chạy trên cơ sở dữ liệu SQLite {database} "
        f"(đang giữ {database}.lock). SQLite chỉ phục vụ một tiến trình; muốn chạy nhiều tiến "
        "trình, hãy đặt database.url trỏ tới PostgreSQL."
    ) in stderr.decode()
    assert first.returncode == 0
