"""seal the logbook entries older versions left outside the chain

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:40:00.000000

Versions 0011-0012 sealed an entry only when its transaction flushed before committing, so
entries added and committed at once (EPZ notices, incidents, unit replies...) kept chain_seq
NULL, as did every entry written before 0011. They are sealed here after the current head, in
the order of their ids: the order the rows were written, which is the order the chain keeps
(it seals a transaction's entries by id too). The sealed entries cannot move, so the unsealed
ones cannot take the places they would have had; a shift's own order stays in its line numbers.

The seal is computed here with the fields and encoding of the chain as this migration knows
it, from the table as it is at this revision, so a later change to the models cannot change
what this migration does. The head row is created when missing, so the first writer always
has a row to lock.
"""

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from alembic import context, op
from bot.db.engine import LOGBOOK_ENTRIES_SEALED
from bot.db.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

GENESIS = "0" * 64
CHAIN_ROW = 1
BATCH = 1000

# bot/logbook/chain.py's SEALED_FIELDS at this revision, with each column's type.
SEALED_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "shift_date": sa.Date(),
    "seq": sa.Integer(),
    "created_at": UTCDateTime(),
    "recorded_at": UTCDateTime(),
    "author_id": sa.BigInteger(),
    "author_name": sa.String(),
    "origin": sa.String(),
    "source_key": sa.String(),
    "source_chat_id": sa.BigInteger(),
    "source_message_id": sa.Integer(),
    "corrects_id": sa.Integer(),
    "work_performed": sa.Text(),
    "incident": sa.Text(),
    "incident_place": sa.String(),
    "incident_refs": sa.String(),
    "incident_arisen_at": UTCDateTime(),
    "incident_received_at": UTCDateTime(),
    "direction": sa.Text(),
    "direction_channel": sa.String(),
    "direction_receiver": sa.String(),
    "direction_at": UTCDateTime(),
    "result": sa.Text(),
    "result_unit": sa.String(),
    "result_reported_at": UTCDateTime(),
    "notes": sa.Text(),
}

entry = sa.table(
    "logbook_entry",
    sa.column("id", sa.Integer()),
    sa.column("chain_seq", sa.Integer()),
    sa.column("prev_hash", sa.String()),
    sa.column("entry_hash", sa.String()),
    *(sa.column(name, type_) for name, type_ in SEALED_COLUMNS.items()),
)
chain = sa.table(
    "logbook_chain",
    sa.column("id", sa.Integer()),
    sa.column("head", sa.String()),
    sa.column("length", sa.Integer()),
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _seal(previous: str, row: sa.RowMapping) -> str:
    content = json.dumps(
        {name: _plain(row[name]) for name in SEALED_COLUMNS},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    recorded = bind.execute(
        sa.select(chain.c.head, chain.c.length).where(chain.c.id == CHAIN_ROW).with_for_update()
    ).first()
    if recorded is None:
        bind.execute(chain.insert().values(id=CHAIN_ROW, head=GENESIS, length=0))
        head, length = GENESIS, 0
    else:
        head, length = recorded.head, recorded.length
    sealed, last_id = 0, 0
    while True:
        rows = (
            bind.execute(
                sa.select(entry)
                .where(entry.c.chain_seq.is_(None), entry.c.id > last_id)
                .order_by(entry.c.id)
                .limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        updates = []
        for row in rows:
            length += 1
            sealed_as = _seal(head, row)
            updates.append(
                {"row_id": row["id"], "new_seq": length, "prev": head, "sealed_as": sealed_as}
            )
            head = sealed_as
        bind.execute(
            entry.update()
            .where(entry.c.id == sa.bindparam("row_id"))
            .values(
                chain_seq=sa.bindparam("new_seq"),
                prev_hash=sa.bindparam("prev"),
                entry_hash=sa.bindparam("sealed_as"),
            ),
            updates,
        )
        sealed += len(rows)
        last_id = rows[-1]["id"]
    bind.execute(chain.update().where(chain.c.id == CHAIN_ROW).values(head=head, length=length))
    log.info("Sealed %s logbook entries an older version had left outside the chain", sealed)
    # `duty-desk db upgrade` says it too, in the operator's language.
    context.config.attributes[LOGBOOK_ENTRIES_SEALED] = sealed


def downgrade() -> None:
    # The seals stay: 0012 has the same columns, and its verify reads them the same way.
    pass
