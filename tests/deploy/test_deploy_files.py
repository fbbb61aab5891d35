"""The Dockerfile, the compose file and the systemd units agree with the code.

No image is built here (no base image can be pulled on CI's machines); what can be checked
without one is: the entrypoint is the package's console script, every command they run is
one the command line accepts, every DUTY_DESK_ name they set is a real setting, and every
secret arrives as a file read by a *_file setting, never as a value.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import build_parser
from tests.deploy.files import (
    COMMAND_ENV,
    COMPOSE,
    ROOT,
    SECRETS_DIR,
    UNITS,
    Dockerfile,
    Unit,
    bot_services,
    compose,
    setting,
)

SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]


def _accepted(argv: list[str]) -> str:
    """The command the command line reads from these words (argparse exits if none)."""
    args = build_parser().parse_args(argv)
    return " ".join(filter(None, [args.command, getattr(args, "action", None)]))


def test_names_are_resolved_as_pydantic_settings_reads_them() -> None:
    # Guards the tests below against passing on a resolver that accepts anything.
    assert setting("DUTY_DESK_TELEGRAM__TOKEN_FILE") == "telegram.token_file"
    assert setting("DUTY_DESK_DATABASE__PASSWORD_FILE") == "database.password_file"
    assert setting("DUTY_DESK_TELEGRAM__TOKENFILE") is None
    assert setting("DUTY_DESK_DATABASE__URL__HOST") is None
    assert setting("DUTY_DESK_LOCALE") == "locale"


# --- the image -------------------------------------------------------------------------------


def test_the_image_runs_the_console_script_as_a_user_on_python_3_11() -> None:
    image = Dockerfile.read()
    assert image.all("FROM") == ["python:3.11-slim"]
    entrypoint = json.loads(image.all("ENTRYPOINT")[0])
    assert entrypoint == ["duty-desk"]
    assert SCRIPTS["duty-desk"] == "bot.cli:main"
    assert _accepted(json.loads(image.all("CMD")[0])) == "run"
    assert "pip install ." in image.all("RUN")[0]
    users = image.all("USER")
    assert users and users[-1] not in ("root", "0")
    # The package is installed as root, then everything runs as the user.
    assert image.index("USER") > image.index("RUN")
    assert image.all("HEALTHCHECK")


def test_the_image_copies_every_source_the_package_build_reads() -> None:
    # COPY's last word is the destination; the words before it are sources.
    copied = {source for rest in Dockerfile.read().all("COPY") for source in shlex.split(rest)[:-1]}
    for source in copied:
        assert (ROOT / source).exists(), source
    # setup.py ships the migrations and the catalogs inside the package.
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "bot", "alembic", "locales"} <= copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not set(ignored) & copied


# --- compose ---------------------------------------------------------------------------------


def test_compose_runs_the_migrations_once_then_two_bot_processes_on_postgresql() -> None:
    spec = compose()
    services = spec["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    migrate = services["migrate"]
    assert _accepted(migrate["command"]) == "db upgrade"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    bots = bot_services(spec)
    assert len(bots) >= 2
    for service in bots.values():
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        url = make_url(service["environment"]["DUTY_DESK_DATABASE__URL"])
        assert url.get_backend_name() == "postgresql" and url.host == "postgres"
        assert url.password is None  # it comes from the secret file


@pytest.mark.parametrize("name", ["migrate", "bot-1", "bot-2"])
def test_compose_sets_only_real_settings_and_secrets_only_as_files(name: str) -> None:
    spec = compose()
    service = spec["services"][name]
    environment: dict[str, str] = service["environment"]
    mounted = set(service["secrets"])
    for key, value in environment.items():
        assert key in COMMAND_ENV or setting(key) is not None, f"{key} is no setting"
        assert not any(word in key for word in ("TOKEN", "SECRET", "PASSWORD")) or key.endswith(
            "_FILE"
        ), f"{key} carries a secret as a value"
        if str(value).startswith(SECRETS_DIR):
            assert key.endswith("_FILE") and str(setting(key)).endswith("_file"), key
            secret = str(value).removeprefix(SECRETS_DIR)
            assert secret in mounted, f"{key} reads {secret}, which {name} does not mount"
            source = Path(spec["secrets"][secret]["file"])
            assert not source.is_absolute() and source.parts[0] == "secrets"
    # Each secret mounted is read by a setting: none is left for nothing.
    read = {str(v).removeprefix(SECRETS_DIR) for v in environment.values()}
    assert mounted <= read


def test_postgres_and_the_bots_share_one_password_file() -> None:
    spec = compose()
    server = spec["services"]["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"]
    for service in bot_services(spec).values():
        assert service["environment"]["DUTY_DESK_DATABASE__PASSWORD_FILE"] == server


def test_the_compose_file_keeps_its_secrets_out_of_git() -> None:
    ignore = (COMPOSE.parent / "secrets" / ".gitignore").read_text(encoding="utf-8").split()
    assert ignore[0] == "*"
    assert "deploy/secrets" in (ROOT / ".dockerignore").read_text(encoding="utf-8")


# --- systemd ---------------------------------------------------------------------------------

INSTANCE = UNITS / "duty-desk@.service"
MIGRATE = UNITS / "duty-desk-migrate.service"


@pytest.mark.parametrize(
    ("path", "command"), [(INSTANCE, "run"), (MIGRATE, "db upgrade")], ids=["run", "migrate"]
)
def test_units_run_real_commands_with_real_settings_and_secrets_as_credentials(
    path: Path, command: str
) -> None:
    unit = Unit.read(path)
    executable, *argv = shlex.split(unit.service("ExecStart")[0])
    assert Path(executable).name == "duty-desk"
    assert _accepted(argv) == command
    environment = unit.environment()
    credentials = unit.credentials()
    for key, value in environment.items():
        if key.startswith("DUTY_DESK_"):
            assert key in COMMAND_ENV or setting(key) is not None, f"{key} is no setting"
        if value.startswith("%d/"):
            assert str(setting(key)).endswith("_file"), key
            assert value.removeprefix("%d/") in credentials, key
    assert set(credentials) == {v.removeprefix("%d/") for v in environment.values() if "%d/" in v}
    assert unit.service("EnvironmentFile")
    for env_file in (UNITS / "duty-desk.env.example").read_text(encoding="utf-8").splitlines():
        if env_file and not env_file.startswith("#"):
            key = env_file.split("=", 1)[0]
            assert key in COMMAND_ENV or setting(key) is not None, key


def test_the_instances_wait_for_the_migrations_and_are_hardened() -> None:
    unit = Unit.read(INSTANCE)
    assert "duty-desk-migrate.service" in unit.sections["Unit"]["Requires"][0]
    assert "duty-desk-migrate.service" in unit.sections["Unit"]["After"][0]
    service = unit.sections["Service"]
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == [value], key
    # A configuration error or an old schema would only fail again: no restart loop.
    assert service["RestartPreventExitStatus"] == ["2 3"]
    migrate = Unit.read(MIGRATE).sections["Service"]
    assert migrate["Type"] == ["oneshot"] and migrate["RemainAfterExit"] == ["yes"]


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)
def test_systemd_reads_the_units_without_a_complaint(tmp_path: Path) -> None:
    # ExecStart must exist for systemd to accept a unit: point it at this checkout's command.
    command = str(Path(sys.executable).parent / "duty-desk")
    assert Path(command).is_file()
    for path in (INSTANCE, MIGRATE):
        text = path.read_text(encoding="utf-8")
        text = text.replace("/opt/duty-desk/bin/duty-desk", command)
        name = "duty-desk@1.service" if path == INSTANCE else path.name
        (tmp_path / name).write_text(text, encoding="utf-8")
    checked = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            "--man=no",
            str(tmp_path / "duty-desk-migrate.service"),
            str(tmp_path / "duty-desk@1.service"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == "", checked.stderr
