"""Signed intake requests already received, kept in the database for the replay window.

A replay is refused by the table's key, not by looking first: two copies arriving together, in one
process or in two sharing PostgreSQL, insert the same key and exactly one of them succeeds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

from bot.db.models import IntakeSignature

_SIGNATURES = IntakeSignature.__table__  # type: ignore[attr-defined]
# Expired rows are deleted at most this often (through the index on signed_at), not per request.
PRUNE_GAP = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Signature:
    """A checked request signature: its HMAC digest and the sender's timestamp."""

    digest: bytes
    signed_at: dt.datetime


def claim(connection: Connection, signatures: list[Signature]) -> set[bytes]:
    """Record signatures not seen before; return the digests this call recorded.

    A digest missing from the answer was recorded earlier (a replay), or by another transaction
    meanwhile. Runs in the caller's transaction, so it commits or rolls back with the alerts.
    """
    rows = {
        signature.digest: {"desk": "", "digest": signature.digest, "signed_at": signature.signed_at}
        for signature in signatures
    }
    if not rows:
        return set()
    # One cached statement, run for many rows: SQLAlchemy sends them as multi-row INSERTs
    # ("insertmanyvalues") without compiling a statement per batch.
    result = connection.execute(_claim_statement(connection.dialect.name), list(rows.values()))
    return {bytes(digest) for digest in result.scalars()}


@cache
def _claim_statement(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(_SIGNATURES).on_conflict_do_nothing().returning(_SIGNATURES.c.digest)


def prune(connection: Connection, before: dt.datetime) -> int:
    """Delete signatures older than `before` (any copy of them is stale); return how many."""
    result = connection.execute(delete(_SIGNATURES).where(_SIGNATURES.c.signed_at < before))
    return int(result.rowcount or 0)
