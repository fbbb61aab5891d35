"""The logbook's hash chain: each entry sealed with the one before, so outside edits show.

Every new entry gets the next place in the chain and a SHA-256 over the previous entry's seal
and its own content, when the transaction that writes it commits. The head (the last seal) is
kept in a row of its own, locked while entries are sealed, so two writers never fork the chain.

Entries the session adds are sealed in `before_commit`, flushed or not; rows a statement inserts
(a Core insert, the ORM's bulk insert) have no objects to note, so the connection seals them as
it commits. Rows written with plain SQL, past the bot, stay outside: `verify` walks the chain
from the start, names the first entry that no longer matches, and an entry left unsealed after
the chain's first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Insert, Table, event, insert, inspect, update
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, func, select

from bot.db.models import LOGBOOK_CONTENT_FIELDS, LogbookChain, LogbookEntry

# The seal before the first entry.
GENESIS = "0" * 64
CHAIN_ROW = 1
# What an entry is sealed over: everything it says and where it comes from; not its database id.
SEALED_FIELDS = (
    "shift_date",
    "seq",
    "created_at",
    "recorded_at",
    "author_id",
    "author_name",
    "origin",
    "source_key",
    "source_chat_id",
    "source_message_id",
    "corrects_id",
    *LOGBOOK_CONTENT_FIELDS,
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Stored in UTC; sealed in UTC, to the microsecond, whatever zone it was given in.
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def seal(previous: str, entry: LogbookEntry | Row[Any]) -> str:
    """The entry's seal: SHA-256 of the previous seal and the entry's content."""
    content = json.dumps(
        {name: _plain(getattr(entry, name)) for name in SEALED_FIELDS},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


_UNSEALED = "logbook_unsealed"
# On a connection, for its transaction: the unit of work is flushing (its inserts are noted as
# objects), and a statement inserted logbook rows past it (a Core or bulk insert).
_FLUSHING = "logbook_flushing"
_INSERTED_BY_STATEMENT = "logbook_inserted_by_statement"


def _note_new_entries(session: Session, _context: object, _instances: object) -> None:
    session.connection().info[_FLUSHING] = True
    new = [obj for obj in session.new if isinstance(obj, LogbookEntry)]
    if new:
        session.info.setdefault(_UNSEALED, []).extend(new)


def _flushed(session: Session, _context: object) -> None:
    session.connection().info.pop(_FLUSHING, None)


def _has_work(session: Session) -> bool:
    return bool(session.info.get(_UNSEALED)) or any(
        isinstance(obj, LogbookEntry) for obj in session.new
    )


def _seal_before_commit(session: Session) -> None:
    # Entries added since the last flush are not noted yet: commit's own flush comes after
    # this hook, so look at what is pending as well as at what was noted.
    if not _has_work(session):
        return
    # Sealed at commit, once every field is final (services fill details after adding); the
    # flush notes the entries still pending.
    session.flush()
    noted: list[LogbookEntry] = session.info.pop(_UNSEALED, [])
    entries = {id(e): e for e in noted if inspect(e).persistent and e.chain_seq is None}
    if not entries:
        return
    head = session.exec(
        select(LogbookChain).where(LogbookChain.id == CHAIN_ROW).with_for_update()
    ).first()
    if head is None:
        head = LogbookChain(id=CHAIN_ROW, head=GENESIS, length=0)
    # In the order they were written: ids follow the order of the inserts.
    ordered = sorted(entries.values(), key=lambda e: e.id or 0)
    for entry in ordered:
        head.length += 1
        entry.chain_seq = head.length
        entry.prev_hash = head.head
        entry.entry_hash = seal(head.head, entry)
        head.head = entry.entry_hash
    session.add(head)
    session.add_all(ordered)


def _forget_unsealed(session: Session, previous: SessionTransaction) -> None:
    if previous.nested:
        # A savepoint rolled back: its entries are gone, those written before it stay.
        kept = [e for e in session.info.get(_UNSEALED, []) if inspect(e).persistent]
        session.info[_UNSEALED] = kept
        return
    session.info.pop(_UNSEALED, None)


_ENTRY_TABLE: Table = LogbookEntry.__table__  # type: ignore[attr-defined]
_CHAIN_TABLE: Table = LogbookChain.__table__  # type: ignore[attr-defined]


def _note_statement_insert(connection: Connection, statement: object, *_: object) -> None:
    if (
        isinstance(statement, Insert)
        and statement.table is _ENTRY_TABLE
        and not connection.info.get(_FLUSHING)
    ):
        connection.info[_INSERTED_BY_STATEMENT] = True


def _seal_inserted_rows(connection: Connection) -> None:
    """Seal the rows a statement inserted in this transaction, as it commits.

    Such rows have no objects the session could note; they are the transaction's rows still
    outside the chain, read back in the order of their ids.
    """
    connection.info.pop(_FLUSHING, None)
    if not connection.info.pop(_INSERTED_BY_STATEMENT, False):
        return
    desks = connection.execute(
        core_select(_ENTRY_TABLE.c.desk).where(_ENTRY_TABLE.c.chain_seq.is_(None)).distinct()
    ).scalars()
    for desk in sorted(desks):
        _seal_desk_rows(connection, desk)


def _seal_desk_rows(connection: Connection, desk: str) -> None:
    """Seal one desk's unsealed rows onto that desk's own chain."""
    chain_row = _CHAIN_TABLE.c
    this_chain = (chain_row.desk == desk) & (chain_row.id == CHAIN_ROW)
    recorded = connection.execute(
        core_select(chain_row.head, chain_row.length).where(this_chain).with_for_update()
    ).first()
    previous, length = (recorded.head, recorded.length) if recorded else (GENESIS, 0)
    rows = connection.execute(
        core_select(_ENTRY_TABLE)
        .where(_ENTRY_TABLE.c.chain_seq.is_(None), _ENTRY_TABLE.c.desk == desk)
        .order_by(_ENTRY_TABLE.c.id)
    ).all()
    for row in rows:
        length += 1
        sealed_as = seal(previous, row)
        connection.execute(
            update(_ENTRY_TABLE)
            .where(_ENTRY_TABLE.c.id == row.id)
            .values(chain_seq=length, prev_hash=previous, entry_hash=sealed_as)
        )
        previous = sealed_as
    values = {"head": previous, "length": length}
    if recorded is None:
        connection.execute(insert(_CHAIN_TABLE).values(desk=desk, id=CHAIN_ROW, **values))
    else:
        connection.execute(update(_CHAIN_TABLE).where(this_chain).values(**values))


def _forget_statement_inserts(connection: Connection) -> None:
    connection.info.pop(_FLUSHING, None)
    connection.info.pop(_INSERTED_BY_STATEMENT, None)


def install() -> None:
    """Seal every logbook entry when its transaction commits, however it was written."""
    if event.contains(Session, "before_commit", _seal_before_commit):
        return
    event.listen(Session, "before_flush", _note_new_entries)
    event.listen(Session, "after_flush_postexec", _flushed)
    event.listen(Session, "before_commit", _seal_before_commit)
    event.listen(Session, "after_soft_rollback", _forget_unsealed)
    event.listen(Engine, "after_execute", _note_statement_insert)
    event.listen(Engine, "commit", _seal_inserted_rows)
    event.listen(Engine, "rollback", _forget_statement_inserts)


class Break(StrEnum):
    """How the chain is broken at an entry."""

    CHANGED = "changed"  # its content no longer matches its seal
    RELINKED = "relinked"  # its link to the previous entry was rewritten
    MISSING = "missing"  # entries before it were removed
    TRUNCATED = "truncated"  # entries after the last one were removed
    UNSEALED = "unsealed"  # written after the chain began, yet never sealed into it


@dataclass(frozen=True)
class Verdict:
    """What walking the chain found."""

    checked: int
    head: str
    # Entries older than the chain's first, which older versions left outside it.
    unchained: int = 0
    broken: Break | None = None
    entry: LogbookEntry | None = None
    expected_length: int = 0

    @property
    def intact(self) -> bool:
        """No entry was changed, relinked, removed or left unsealed."""
        return self.broken is None


def verify(engine: Engine, batch: int = 2000) -> Verdict:
    """Walk the chain in order and report the first entry that does not hold."""
    with Session(engine) as session:
        recorded = session.exec(select(LogbookChain).where(LogbookChain.id == CHAIN_ROW)).first()
        unsealed = _unsealed(session)
        previous, expected, checked = GENESIS, 1, 0
        last_seq = 0
        while True:
            rows = session.exec(
                select(LogbookEntry)
                .where(col(LogbookEntry.chain_seq) > last_seq)
                .order_by(col(LogbookEntry.chain_seq))
                .limit(batch)
            ).all()
            if not rows:
                break
            for entry in rows:
                assert entry.chain_seq is not None
                if entry.chain_seq != expected:
                    broken = Break.MISSING
                elif entry.prev_hash != previous:
                    broken = Break.RELINKED
                elif seal(previous, entry) != entry.entry_hash:
                    broken = Break.CHANGED
                else:
                    previous, expected, checked = entry.entry_hash, expected + 1, checked + 1
                    last_seq = entry.chain_seq
                    continue
                return Verdict(checked, previous, unsealed.before, broken, entry, expected)
            session.expunge_all()
        length = recorded.length if recorded else 0
        if recorded is not None and (recorded.head != previous or length != checked):
            return Verdict(checked, previous, unsealed.before, Break.TRUNCATED, None, length)
        if unsealed.first_after is not None:
            return Verdict(
                checked, previous, unsealed.before, Break.UNSEALED, unsealed.first_after, length
            )
        return Verdict(checked, previous, unsealed.before)


@dataclass(frozen=True)
class _Unsealed:
    before: int
    first_after: LogbookEntry | None


def _unsealed(session: Session) -> _Unsealed:
    """Entries outside the chain: those older than its start, and the first one after it.

    Every entry written since the chain began is sealed when it is written, so an unsealed
    entry with a later id than the chain's first was put there past the bot (or by a version
    that missed it; the migration 0013 seals those).
    """
    outside = col(LogbookEntry.chain_seq).is_(None)
    start = session.exec(
        select(func.min(LogbookEntry.id)).where(col(LogbookEntry.chain_seq).is_not(None))
    ).one()
    older = outside if start is None else outside & (col(LogbookEntry.id) < start)
    before = session.exec(select(func.count()).select_from(LogbookEntry).where(older)).one()
    first_after = (
        None
        if start is None
        else session.exec(
            select(LogbookEntry)
            .where(outside, col(LogbookEntry.id) > start)
            .order_by(col(LogbookEntry.id))
        ).first()
    )
    return _Unsealed(before, first_after)


def head(engine: Engine) -> str | None:
    """The chain's last seal, printed on exports so a paper logbook can be checked."""
    with Session(engine) as session:
        row = session.exec(select(LogbookChain).where(LogbookChain.id == CHAIN_ROW)).first()
        return row.head if row and row.length else None
