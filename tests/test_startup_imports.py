"""What a starting process imports: the libraries of one feature load with its first use.

The export writers (python-docx, openpyxl with numpy, reportlab) and matplotlib make a bot
start half a second slower and hold 66 MB more for nothing until someone exports or asks for
/stats; Alembic is for the commands that migrate, onvif-zeep-async for a camera with ONVIF
access, the holidays package for the first working day counted; aiohttp (the operator's port,
the intake) once the first getUpdates is on its way. Each check runs in a fresh interpreter:
this test process has imported everything already.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Never imported by building the bot, whatever its configuration.
LATER = (
    "openpyxl",
    "numpy",
    "reportlab",
    "docx",
    "matplotlib",
    "alembic",
    "holidays",
)
# Not imported while no camera has ONVIF access.
ONVIF = ("onvif", "onvif_parsers", "zeep")
# The operator's port, the camera intake and the webhook's server: started once the first
# getUpdates is on its way (bot/app.py, on_started), not on the way to it.
AFTER_POLLING_BEGAN = ("aiohttp",)
# The operator's database commands (backup, restore, retention), not the running bot's.
DATABASE_COMMANDS = ("bot.cli_db", "bot.db.backup", "bot.db.postgres_restore")

BUILD = """
import sys
from bot.app import build_application
from bot.cli_commands import run_command
from bot.config import load_settings

app = build_application(load_settings())
print(" ".join(sorted(sys.modules)))
"""

HELP = """
import sys
from bot.cli import build_parser

build_parser().format_help()
print(" ".join(sorted(sys.modules)))
"""


def imported(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter holds after running the code."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def packages(modules: set[str]) -> set[str]:
    """The top-level packages of these modules."""
    return {name.split(".")[0] for name in modules}


def test_building_the_bot_imports_no_export_chart_or_migration_library(
    migrated_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "duty-desk.yaml"
    desk = {
        "telegram": {"duty_group_id": -1001234567890},
        "database": {"url": migrated_url},
        "people": [{"id": 1001, "name": "Phạm Thị Dung", "title": "Công chức"}],
        # Cameras alerting through the intake only: no ONVIF access.
        "cameras": [{"number": "12", "name": "Cổng B", "place": "Cảng Cát Lái"}],
    }
    config.write_text(yaml.safe_dump(desk, allow_unicode=True), encoding="utf-8")
    env = {"DUTY_DESK_CONFIG": str(config), "DUTY_DESK_TELEGRAM__TOKEN": "123:abc"}

    modules = imported(BUILD, env)
    loaded = packages(modules)

    # The bot itself was built (the check is not vacuous).
    assert {"bot", "telegram", "sqlalchemy"} <= loaded
    assert {"bot.cli_commands", "bot.app"} <= modules
    assert loaded & {*LATER, *ONVIF, *AFTER_POLLING_BEGAN} == set()
    assert modules & set(DATABASE_COMMANDS) == set()
    # Only the dialect of the database it runs on.
    other = "postgresql" if migrated_url.startswith("sqlite") else "sqlite"
    assert f"sqlalchemy.dialects.{other}" not in modules


def test_the_help_imports_neither_settings_nor_database_nor_telegram() -> None:
    loaded = packages(imported(HELP))

    assert "bot" in loaded
    assert loaded & {"pydantic", "sqlalchemy", "sqlmodel", "telegram", "alembic", "babel"} == set()
