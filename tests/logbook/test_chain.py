"""The chain's listener seals every entry however a transaction writes it; the migration seals
what older versions left out; verify names an entry left outside the chain."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Table, insert, inspect, text
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from bot.db.desk_scope import DEFAULT_DESK
from bot.db.engine import make_engine, upgrade
from bot.db.models import EntryOrigin, LogbookChain, LogbookEntry
from bot.logbook import chain
from bot.logbook.chain import Break, verify
from tests.conftest import MORNING, SHIFT_DAY

ROOT = Path(__file__).resolve().parents[2]

chain.install()

ENTRY_TABLE: Table = LogbookEntry.__table__  # type: ignore[attr-defined]


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


def line(seq: int, text: str = "") -> LogbookEntry:
    return LogbookEntry(
        shift_date=SHIFT_DAY,
        seq=seq,
        created_at=MORNING,
        recorded_at=MORNING,
        origin=EntryOrigin.SYSTEM,
        work_performed=text or f"Dòng {seq}",
    )


def line_values(seq: int) -> dict[str, object]:
    return {
        "shift_date": SHIFT_DAY,
        "seq": seq,
        "created_at": MORNING,
        "recorded_at": MORNING,
        "origin": EntryOrigin.SYSTEM.value,
        "work_performed": f"Dòng {seq}",
        "prev_hash": "",
        "entry_hash": "",
    }


def write_past_the_bot(engine: Engine, *seqs: int) -> None:
    """Rows put in with plain SQL, as psql or an older version would: nothing seals them."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO logbook_entry (shift_date, seq, created_at, recorded_at, "
                "author_name, origin, work_performed, incident, incident_place, incident_refs, "
                "direction, direction_channel, direction_receiver, result, result_unit, notes"
                "{hashes}) VALUES (:day, :seq, :at, :at, '', 'system', :work, '', '', '', '', "
                "'', '', '', '', ''{blanks})".format(
                    hashes=", prev_hash, entry_hash" if has_chain(connection) else "",
                    blanks=", '', ''" if has_chain(connection) else "",
                )
            ),
            [
                {
                    "day": SHIFT_DAY,
                    "seq": seq,
                    "at": MORNING.replace(tzinfo=None),
                    "work": f"Dòng {seq}",
                }
                for seq in seqs
            ],
        )


def has_chain(connection: Connection) -> bool:
    return "entry_hash" in {c["name"] for c in inspect(connection).get_columns("logbook_entry")}


def chained(engine: Engine) -> list[LogbookEntry]:
    with Session(engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all())


def assert_one_chain(entries: list[LogbookEntry]) -> None:
    assert [e.chain_seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in pairwise(entries))


def test_an_entry_added_and_committed_without_a_flush_is_sealed(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(line(1))
        session.commit()
    with Session(engine) as session:
        session.add(line(2))
        session.add(line(3))
        session.commit()
    entries = chained(engine)
    assert_one_chain(entries)
    assert verify(engine).intact and verify(engine).checked == 3


def test_flushed_and_pending_entries_of_one_transaction_are_sealed_in_order(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        session.add(line(1))
        session.flush()
        session.add(line(2))
        # A later detail, filled in after the add, is sealed too.
        pending = line(3)
        session.add(pending)
        pending.notes = "bổ sung"
        session.commit()
    entries = chained(engine)
    assert_one_chain(entries)
    assert entries[2].notes == "bổ sung" and verify(engine).intact


def test_a_rolled_back_savepoint_leaves_the_entries_before_it_sealed(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(line(1))
        session.flush()
        savepoint = session.begin_nested()
        session.add(line(2))
        session.flush()
        savepoint.rollback()
        session.add(line(3))
        session.commit()
    entries = chained(engine)
    assert [e.seq for e in entries] == [1, 3]
    assert_one_chain(entries)
    assert verify(engine).intact


def test_a_rolled_back_transaction_seals_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(line(1))
        session.flush()
        session.rollback()
        session.add(line(2))
        session.commit()
    entries = chained(engine)
    assert [(e.seq, e.chain_seq) for e in entries] == [(2, 1)]


def test_rows_inserted_by_statements_are_sealed(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(line(1))
        session.commit()
    # The ORM's bulk insert, the legacy bulk calls, and a Core insert on a bare connection.
    with Session(engine) as session:
        session.execute(insert(LogbookEntry), [line_values(2), line_values(3)])
        session.commit()
    with Session(engine) as session:
        session.bulk_save_objects([line(4), line(5)])
        session.bulk_insert_mappings(LogbookEntry, [line_values(6)])  # type: ignore[arg-type]
        session.commit()
    with engine.begin() as connection:
        connection.execute(insert(ENTRY_TABLE), [line_values(7), line_values(8)])
    # Mixed with the unit of work in one transaction.
    with Session(engine) as session:
        session.add(line(9))
        session.flush()
        session.connection().execute(insert(ENTRY_TABLE), [line_values(10)])
        session.commit()
    entries = chained(engine)
    assert sorted(e.seq for e in entries) == list(range(1, 11))
    assert_one_chain(sorted(entries, key=lambda e: e.chain_seq or 0))
    verdict = verify(engine)
    assert verdict.intact and verdict.checked == 10


def test_a_statement_insert_rolled_back_seals_nothing(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(insert(ENTRY_TABLE), [line_values(1)])
        connection.rollback()
        # The next transaction on the same connection inserts nothing of the logbook.
        connection.execute(text("SELECT 1"))
        connection.commit()
    with Session(engine) as session:
        session.add(line(2))
        session.commit()
    assert [(e.seq, e.chain_seq) for e in chained(engine)] == [(2, 1)]


def test_a_row_put_in_past_the_bot_is_a_break(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(line(1))
        session.commit()
    # Written straight into the table, as a forger with psql would.
    write_past_the_bot(engine, 2)
    verdict = verify(engine)
    assert verdict.broken == Break.UNSEALED and verdict.checked == 1
    assert verdict.entry is not None and verdict.entry.seq == 2
    # The bot's next entry does not take it into the chain.
    with Session(engine) as session:
        session.add(line(3))
        session.commit()
    verdict = verify(engine)
    assert verdict.broken == Break.UNSEALED and verdict.entry is not None
    assert verdict.entry.seq == 2


def duty_desk(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DUTY_DESK_DATABASE__URL": url,
        "DUTY_DESK_LOCALE": "vi",
        "DUTY_DESK_CONFIG": str(ROOT / "config" / "duty-desk.example.yaml"),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def sealed_by_that_version(engine: Engine, *seqs: int) -> None:
    """Rows a version of the 0012 schema wrote and sealed onto its one chain (no desks yet)."""
    write_past_the_bot(engine, *seqs)
    fields = [ENTRY_TABLE.c[name] for name in ("id", "seq", *chain.SEALED_FIELDS)]
    with engine.begin() as connection:
        head = connection.execute(text("SELECT head, length FROM logbook_chain")).first()
        previous, length = (head[0], head[1]) if head else (chain.GENESIS, 0)
        rows = connection.execute(
            core_select(*fields).where(ENTRY_TABLE.c.seq.in_(seqs)).order_by(ENTRY_TABLE.c.id)
        ).all()
        for row in rows:
            length += 1
            sealed_as = chain.seal(previous, row)
            connection.execute(
                text(
                    "UPDATE logbook_entry SET chain_seq = :n, prev_hash = :p, entry_hash = :h "
                    "WHERE id = :id"
                ),
                {"n": length, "p": previous, "h": sealed_as, "id": row.id},
            )
            previous = sealed_as
        values = {"head": previous, "length": length}
        if head is None:
            connection.execute(
                text("INSERT INTO logbook_chain (id, head, length) VALUES (1, :head, :length)"),
                values,
            )
        else:
            connection.execute(
                text("UPDATE logbook_chain SET head = :head, length = :length"), values
            )


def test_the_upgrade_seals_what_an_older_version_left_out_in_order(database_url: str) -> None:
    upgrade(database_url, "0012")
    engine = make_engine(database_url)
    # Two entries from before the chain, two sealed, then two an older version left unsealed.
    write_past_the_bot(engine, 1, 2)
    sealed_by_that_version(engine, 3, 4)
    write_past_the_bot(engine, 5, 6)

    done = duty_desk("db", "upgrade", url=database_url)
    assert done.returncode == 0, done.stderr
    assert "Đã niêm phong 4 mục nhật ký" in done.stdout
    assert "Sealed 4 logbook entries" in done.stderr

    entries = chained(engine)
    # Sealed after the head, in the order they were written (ids), each once.
    by_place = sorted(entries, key=lambda e: e.chain_seq or 0)
    assert [e.seq for e in by_place] == [3, 4, 1, 2, 5, 6]
    assert_one_chain(by_place)
    verdict = verify(engine)
    assert verdict.intact and verdict.checked == 6 and verdict.unchained == 0
    with Session(engine) as session:
        head = session.get(LogbookChain, (DEFAULT_DESK, chain.CHAIN_ROW))
        assert head is not None and (head.length, head.head) == (6, by_place[-1].entry_hash)
    assert duty_desk("logbook", "verify", url=database_url).returncode == 0

    # Sealed by the migration, an edit shows like any other.
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE logbook_entry SET work_performed = 'sửa' WHERE seq = 1"),
        )
    verdict = verify(engine)
    assert verdict.broken == Break.CHANGED and verdict.entry is not None
    assert verdict.entry.seq == 1
    engine.dispose()


def test_an_upgrade_with_nothing_to_seal_says_nothing_of_it(database_url: str) -> None:
    done = duty_desk("db", "upgrade", url=database_url)
    assert done.returncode == 0, done.stderr
    assert "niêm phong" not in done.stdout
    engine = make_engine(database_url)
    with Session(engine) as session:
        head = session.get(LogbookChain, (DEFAULT_DESK, chain.CHAIN_ROW))
        # The head exists from the start: the first writer always has a row to lock.
        assert head is not None and (head.length, head.head) == (0, chain.GENESIS)
    engine.dispose()


def test_entries_that_all_predate_the_chain_are_counted_apart_then_sealed(
    database_url: str,
) -> None:
    upgrade(database_url, "0010")
    engine = make_engine(database_url)
    write_past_the_bot(engine, 1, 2, 3)
    upgrade(database_url, "0012")
    upgrade(database_url, "head")
    verdict = verify(engine)
    assert verdict.intact and (verdict.checked, verdict.unchained) == (3, 0)
    assert [e.chain_seq for e in chained(engine)] == [1, 2, 3]
    engine.dispose()
