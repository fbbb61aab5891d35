"""`duty-desk db backup/restore/prune`: a copy taken while the bot writes, restored only into an
empty database and verified; PostgreSQL pointed at its own tools; retention said in numbers."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bot.cli import main
from bot.clock import SystemClock
from bot.db.engine import make_engine, upgrade
from bot.db.models import Incident, LogbookEntry
from bot.db.postgres_restore import libpq_target
from bot.logbook import chain
from bot.logbook.chain import verify
from tests.conftest import MORNING, POSTGRES_URL_ENV, _drop, _postgres_admin_url
from tests.documents.shift import OFFICER_AUTHOR, build_desk, record_shift
from tests.e2e.conftest import desk_config
from tests.retention.records import record_aged

chain.install()

EMU = SimpleNamespace(token="1:t", base_url="http://127.0.0.1:1/bot", base_file_url="http://x/f")


def _config(tmp_path: Path, url: str, name: str = "duty-desk.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(desk_config(EMU, url), allow_unicode=True), encoding="utf-8")
    return path


def _db(args: list[str], config: Path) -> int:
    return main(["--log-level", "WARNING", "--config", str(config), "db", *args])


@pytest.fixture
def recorded(tmp_path: Path) -> str:
    """An SQLite desk with a shift recorded: logbook entries, incidents, an outage."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    desk = build_desk(url)
    record_shift(desk)
    desk.engine.dispose()
    return url


def _entries(url: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(LogbookEntry)).one()
    finally:
        engine.dispose()


def test_a_backup_restores_into_a_new_database_and_the_logbook_verifies(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backups" / "desk-2026-11-25.db"
    backup.parent.mkdir()
    assert _db(["backup", str(backup)], _config(tmp_path, recorded)) == 0
    assert f"Đã sao lưu vào {backup}" in capsys.readouterr().out

    target = f"sqlite:///{tmp_path / 'restored.db'}"
    assert _db(["restore", str(backup)], _config(tmp_path, target, "restored.yaml")) == 0
    out = capsys.readouterr().out
    count = _entries(recorded)
    assert f"số mục nhật ký: {count}" in out
    assert f"Sổ nhật ký nguyên vẹn: đã kiểm {count} mục" in out
    engine = make_engine(target)
    with Session(engine) as session:
        labels = sorted(i.label for i in session.exec(select(Incident)).all())
    assert labels == ["2026/0001", "2026/0002"]
    assert verify(engine).head == verify(make_engine(recorded)).head
    engine.dispose()


def test_a_backup_taken_while_the_bot_writes_is_consistent(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = build_desk(recorded)
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            desk.logbook.write(
                OFFICER_AUTHOR, f"Kiểm tra lần {n}", MORNING, source=None, source_key=None
            )

    writer = threading.Thread(target=keep_writing, daemon=True)
    writer.start()
    try:
        # Until the writer is well under way (it stops the test if it fails instead).
        while _entries(recorded) < 40:
            assert writer.is_alive()
            time.sleep(0.01)
        backup = tmp_path / "live.db"
        assert _db(["backup", str(backup)], _config(tmp_path, recorded)) == 0
    finally:
        stop.set()
        writer.join()
        desk.engine.dispose()
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    assert _db(["restore", str(backup)], _config(tmp_path, target, "restored.yaml")) == 0
    copied = _entries(target)
    # Entries written during and after the copy are not in it; all those in it are whole.
    assert 40 <= copied < _entries(recorded)
    assert f"Sổ nhật ký nguyên vẹn: đã kiểm {copied} mục" in capsys.readouterr().out


def test_a_restore_refuses_a_database_that_holds_records_and_leaves_it_as_it_was(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "desk.backup"
    assert _db(["backup", str(backup)], _config(tmp_path, recorded)) == 0
    capsys.readouterr()
    before = _entries(recorded)

    assert _db(["restore", str(backup)], _config(tmp_path, recorded)) == 1

    err = capsys.readouterr().err
    assert f"Cơ sở dữ liệu {tmp_path / 'desk.db'} đã có dữ liệu" in err
    assert f"logbook_entry ({before})" in err and "incident (2)" in err
    assert _entries(recorded) == before


def test_a_restore_into_a_freshly_migrated_database_is_allowed(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "desk.backup"
    assert _db(["backup", str(backup)], _config(tmp_path, recorded)) == 0
    target = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(target)
    assert _db(["restore", str(backup)], _config(tmp_path, target, "fresh.yaml")) == 0
    assert _entries(target) == _entries(recorded)


def test_a_restore_of_a_tampered_backup_names_the_broken_entry(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "desk.backup"
    assert _db(["backup", str(backup)], _config(tmp_path, recorded)) == 0
    with sqlite3.connect(backup) as connection:
        seq, chain_seq = connection.execute(
            "SELECT seq, chain_seq FROM logbook_entry ORDER BY chain_seq LIMIT 1 OFFSET 2"
        ).fetchone()
        connection.execute(
            "UPDATE logbook_entry SET work_performed = 'Không có gì bất thường' "
            "WHERE chain_seq = ?",
            (chain_seq,),
        )
    capsys.readouterr()
    target = f"sqlite:///{tmp_path / 'restored.db'}"

    assert _db(["restore", str(backup)], _config(tmp_path, target, "restored.yaml")) == 1

    captured = capsys.readouterr()
    assert "Đã khôi phục" in captured.out
    assert "Chuỗi sổ nhật ký bị phá vỡ tại mục số " + str(seq) in captured.err
    assert f"vị trí {chain_seq} trong chuỗi" in captured.err
    assert "nội dung đã bị sửa sau khi ghi" in captured.err


def test_backup_never_overwrites_and_restore_wants_a_backup(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, recorded)
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"an earlier backup")
    assert _db(["backup", str(taken)], config) == 1
    assert "đã tồn tại; sao lưu không bao giờ ghi đè" in capsys.readouterr().err
    assert taken.read_bytes() == b"an earlier backup"

    target = _config(tmp_path, f"sqlite:///{tmp_path / 'new.db'}", "new.yaml")
    assert _db(["restore", str(taken)], target) == 1
    assert "không phải bản sao lưu duty-desk khôi phục được" in capsys.readouterr().err
    assert _db(["restore", str(tmp_path / "nowhere.db")], target) == 1
    assert "Không có tệp sao lưu tại" in capsys.readouterr().err
    assert not (tmp_path / "new.db").exists()
    assert _db(["backup", str(tmp_path / "nowhere" / "desk.db")], config) == 1
    assert f"Không có thư mục {tmp_path / 'nowhere'}: hãy tạo trước." in capsys.readouterr().err


def test_on_postgresql_backup_points_to_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused before any connection: no server is needed to hear the answer.
    config = _config(tmp_path, "postgresql+psycopg://dutydesk:s3cret@db.internal:5432/duty_desk")
    dump = tmp_path / "duty-desk.dump"
    assert _db(["backup", str(dump)], config) == 1
    err = capsys.readouterr().err
    assert "duty-desk db backup chỉ dùng cho SQLite; cơ sở dữ liệu này là PostgreSQL" in err
    target = "'postgresql://dutydesk@db.internal:5432/duty_desk'"
    assert f"pg_dump --format=custom --file=duty-desk.dump {target}" in err
    assert "duty-desk db restore duty-desk.dump" in err
    assert "s3cret" not in err
    assert not dump.exists()


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A second PostgreSQL database, with nothing in it: where a dump is restored."""
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip(f"set {POSTGRES_URL_ENV} to run against PostgreSQL")
    name = f"duty_desk_restore_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(engine, name)
        engine.dispose()


def _pg_dump(url: str, file: Path) -> None:
    given = make_url(url)
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={file}", libpq_target(url)],
        env={**os.environ, "PGPASSWORD": given.password or ""},
        check=True,
        timeout=120,
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("migrated_first", [False, True], ids=["new", "migrated"])
def test_a_pg_dump_restores_into_an_empty_postgresql_database_and_verifies(
    migrated_url: str,
    empty_postgres: str,
    migrated_first: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    desk = build_desk(migrated_url)
    record_shift(desk)
    desk.engine.dispose()
    dump = tmp_path / "duty-desk.dump"
    _pg_dump(migrated_url, dump)
    if migrated_first:
        upgrade(empty_postgres)
    config = _config(tmp_path, empty_postgres, "restore.yaml")

    assert _db(["restore", str(dump)], config) == 0

    out = capsys.readouterr().out
    count = _entries(migrated_url)
    assert f"Đã khôi phục {libpq_target(empty_postgres)}" in out
    assert f"Sổ nhật ký nguyên vẹn: đã kiểm {count} mục" in out
    assert _entries(empty_postgres) == count
    # Now it holds records: a second restore is refused and changes nothing.
    assert _db(["restore", str(dump)], config) == 1
    assert f"logbook_entry ({count})" in capsys.readouterr().err
    assert _entries(empty_postgres) == count


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_tampered_pg_dump_restores_with_its_broken_entry_named(
    migrated_url: str, empty_postgres: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = build_desk(migrated_url)
    record_shift(desk)
    with desk.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE logbook_entry SET work_performed = 'Không có gì bất thường' "
                "WHERE chain_seq = 3"
            )
        )
    desk.engine.dispose()
    dump = tmp_path / "duty-desk.dump"
    _pg_dump(migrated_url, dump)

    assert _db(["restore", str(dump)], _config(tmp_path, empty_postgres)) == 1

    err = capsys.readouterr().err
    assert "vị trí 3 trong chuỗi" in err and "nội dung đã bị sửa sau khi ghi" in err


def test_a_sqlite_backup_is_not_restored_into_postgresql(
    recorded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "desk.backup"
    assert _db(["backup", str(backup)], _config(tmp_path, recorded)) == 0
    config = _config(tmp_path, "postgresql+psycopg://dutydesk@db.internal/duty_desk", "pg.yaml")
    assert _db(["restore", str(backup)], config) == 1
    assert "là bản sao lưu SQLite" in capsys.readouterr().err


async def test_db_prune_says_what_it_removed(
    migrated_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = build_desk(migrated_url)
    try:
        aged = await record_aged(desk)
    finally:
        await desk.cameras.alerts.stop()
        desk.engine.dispose()
    # The command reads the system clock; here it is the afternoon of the recorded shift.
    monkeypatch.setattr(SystemClock, "now", lambda _self: MORNING + dt.timedelta(hours=8))
    config = _config(tmp_path, migrated_url)

    assert _db(["prune"], config) == 0

    out = capsys.readouterr().out
    assert (
        f"Đã xóa sự kiện ca-mê-ra: {len(aged.old_events)} (nhận trước 27/08/2026 17:00; "
        "giữ 90 ngày" in out
    )
    assert (
        f"Đã xóa tin nhắn đã gửi: {len(aged.old_plain)} (gửi trước 26/10/2026 17:00; "
        "giữ 30 ngày)" in out
    )
    assert f"đã bỏ ảnh kèm: {len(aged.old_cards)}." in out
    assert _db(["prune"], config) == 0
    assert "Đã xóa sự kiện ca-mê-ra: 0 " in capsys.readouterr().out
