"""`duty-desk run` in webhook mode as an operator starts it: a process, a file, the environment."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

from bot.db.engine import upgrade
from bot.devtools.emulator import BotApiEmulator
from tests.e2e.commands import duty_desk, write_config
from tests.e2e.conftest import GROUP, OFFICER, desk_config, text_of
from tests.e2e.test_webhook import SECRET, free_port

ROOT = Path(__file__).resolve().parent.parent.parent


async def test_the_run_command_takes_the_group_by_webhook_and_keeps_the_secret_out_of_logs(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    port = free_port()
    async with BotApiEmulator() as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(OFFICER, "Dung")
        config = desk_config(emu, url)
        config["intake"]["enabled"] = False
        config["telegram"]["mode"] = "webhook"
        config["telegram"]["webhook"] = {
            "url": f"http://127.0.0.1:{port}/telegram",
            "secret_token_file": str(secret_file),
        }
        path = write_config(tmp_path, config, token_from_env=False)
        # The port from the environment, as a second process on the same host would get its own.
        env = {
            "DUTY_DESK_TELEGRAM__WEBHOOK__PORT": str(port),
            "DUTY_DESK_LOG_LEVEL": "DEBUG",
        }
        process = await duty_desk(
            "--config", str(path), "run", env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            answer = await emu.wait_for_message(GROUP, after=mark, timeout=30)
            assert "Ca trực ngày" in text_of(answer)
            assert emu.webhook.secret_token == SECRET
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        # Leaving, the process keeps the webhook: other processes behind the proxy still serve.
        assert emu.webhook.active
        assert not [method for method, _ in emu.calls if method == "getUpdates"]
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "duty-desk started as @duty_desk_bot" in log
    assert "Switched to webhook mode" in log
    assert SECRET not in log


def test_start_up_refuses_a_bad_webhook_configuration_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "duty-desk.yaml"
    path.write_text(
        "telegram:\n  token: '123456:TEST-TOKEN'\n  duty_group_id: -100123\n  mode: webhook\n"
        "  webhook:\n    url: https://desk.example.gov.vn/telegram\n"
        "    secret_token: 'mật khẩu sai'\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "run"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DUTY_DESK_LOCALE": "en"},
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "telegram.webhook: secret_token: Telegram accepts 1 to 256 characters" in done.stderr
    assert "mật khẩu" not in done.stderr
