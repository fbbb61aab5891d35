"""`duty-desk run` under exactly the environment deploy/compose.yaml gives its processes.

No image is built here; the same command runs as a process, configured only by the compose
file's DUTY_DESK_* variables, its secrets as files, and the operator's YAML they point at:
the migrations first (the `migrate` service), then a bot process that answers the group.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.devtools.emulator import BotApiEmulator
from tests.deploy.files import SECRETS_DIR, compose
from tests.e2e.conftest import GROUP, OFFICER, desk_config, text_of

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "555666777:compose-token-that-must-not-be-logged"
INTAKE_SECRET = "compose-intake-secret-not-to-be-logged"


def _environment(service: str, secrets: Path, config: Path, database_url: str) -> dict[str, str]:
    """The service's environment from the compose file, placed on this machine.

    Secrets' /run/secrets/ becomes a folder here, the YAML's mount its file, and the server
    named in the URL this test's; every name and every other value is the compose file's.
    """
    given: dict[str, str] = {
        key: str(value) for key, value in compose()["services"][service]["environment"].items()
    }
    for key, value in given.items():
        if value.startswith(SECRETS_DIR):
            given[key] = str(secrets / value.removeprefix(SECRETS_DIR))
    assert given["DUTY_DESK_CONFIG"] == "/etc/duty-desk/duty-desk.yaml"
    given["DUTY_DESK_CONFIG"] = str(config)
    ours = make_url(database_url)
    theirs = make_url(given["DUTY_DESK_DATABASE__URL"])
    assert theirs.password is None
    given["DUTY_DESK_DATABASE__URL"] = theirs.set(
        username=ours.username, host=ours.host, port=ours.port, database=ours.database
    ).render_as_string(hide_password=False)
    # Nothing of this machine's own DUTY_DESK_ settings: only what compose sets.
    base = {k: v for k, v in os.environ.items() if not k.startswith("DUTY_DESK_")}
    return {**base, **given}


def _secrets(tmp_path: Path, database_url: str) -> Path:
    folder = tmp_path / "secrets"
    folder.mkdir()
    password = make_url(database_url).password or ""
    values = {"telegram_token": TOKEN, "db_password": password, "intake_secret": INTAKE_SECRET}
    for name in compose()["secrets"]:
        # As an operator writes them with echo: the newline is not part of the secret.
        (folder / name).write_text(values[name] + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_the_compose_environment_migrates_and_runs_the_desk(
    database_url: str, tmp_path: Path
) -> None:
    secrets = _secrets(tmp_path, database_url)
    async with BotApiEmulator(token=TOKEN) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(OFFICER, "Dung")
        config = desk_config(emu, "unused")
        # What the operator's YAML leaves to the environment and the secret files.
        config["telegram"].pop("token")
        config.pop("database")
        config["intake"].pop("secret")
        config["telegram"]["poll_timeout_seconds"] = 1
        path = tmp_path / "duty-desk.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *compose()["services"]["migrate"]["command"],
            cwd=ROOT,
            env=_environment("migrate", secrets, path, database_url),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(migrate.communicate(), timeout=120)
        assert migrate.returncode == 0, err.decode()

        # The image's command: `run` (the bot services set none of their own).
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=ROOT,
            env=_environment("bot-1", secrets, path, database_url),
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            answer = await emu.wait_for_message(GROUP, after=mark, timeout=60)
            assert "Ca trực ngày" in text_of(answer)
        finally:
            # What `docker compose stop` sends.
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    log = stderr.decode() + err.decode() + out.decode()
    assert process.returncode == 0, log
    assert "duty-desk started as @" in log
    password = make_url(database_url).password
    for secret in (TOKEN.split(":")[1], INTAKE_SECRET, f":{password}@"):
        assert secret not in log
