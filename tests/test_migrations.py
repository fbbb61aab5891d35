"""Migrations: the models and the history agree on SQLite and PostgreSQL; run refuses to start
on a database that is not migrated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, migration_state

ROOT = Path(__file__).resolve().parent.parent


def duty_desk(*args: str, url: str, token: str = "123:abc") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DUTY_DESK_DATABASE__URL": url,
        "DUTY_DESK_LOCALE": "en",
        "DUTY_DESK_TELEGRAM__TOKEN": token,
        "DUTY_DESK_CONFIG": str(ROOT / "config" / "duty-desk.example.yaml"),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


def test_upgrade_then_check_agree(database_url: str) -> None:
    engine = make_engine(database_url)
    assert not migration_state(engine).up_to_date

    refused = duty_desk("run", url=database_url)
    assert refused.returncode == 3
    assert "Run: duty-desk db upgrade" in refused.stderr

    upgraded = duty_desk("db", "upgrade", url=database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert migration_state(engine).up_to_date
    assert {"chat_message", "logbook_entry", "outbox_message", "duty_shift"} <= set(
        inspect(engine).get_table_names()
    )

    checked = duty_desk("db", "check", url=database_url)
    assert checked.returncode == 0, checked.stderr
    assert "The models and the migrations agree." in checked.stdout
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_run_without_a_token_says_what_it_needs(tmp_path: Path) -> None:
    done = duty_desk("run", url=f"sqlite:///{tmp_path / 'x.db'}", token="")
    assert done.returncode == 3
    assert "No Telegram bot token is configured" in done.stderr
    assert "DUTY_DESK_TELEGRAM__TOKEN" in done.stderr


def test_the_running_bot_reads_the_migration_state_as_alembic_does(database_url: str) -> None:
    # `duty-desk run` and the readiness check read the revisions without importing Alembic;
    # they must answer what Alembic answers, or a bot would start on a database it cannot use.
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from bot.db.engine import alembic_config, current_revision, head_revision, upgrade

    def alembics(engine: Engine) -> str | None:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    assert head_revision() == ScriptDirectory.from_config(alembic_config("")).get_current_head()
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None and alembics(engine) is None
        upgrade(database_url, "0019")
        assert current_revision(engine) == alembics(engine) == "0019"
        assert not migration_state(engine).up_to_date
        upgrade(database_url)
        assert current_revision(engine) == alembics(engine) == head_revision()
    finally:
        engine.dispose()
