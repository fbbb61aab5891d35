"""Signed intake requests already received, kept in the database for the replay window.

A replay is refused by the table's key, not by looking first: two copies arriving together, in one
process or in two sharing PostgreSQL, insert the same key and exactly one of them succeeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete
from sqlalchemy.engine import Connection

from bot.db.models import IntakeSignature

_SIGNATURES = IntakeSignature.__table__  # type: ignore[attr-defined]
# Expired rows are deleted at most this often (through the index on signed_at), not per request.
PRUNE_GAP_SECONDS = 60
# Rows one INSERT carries: far below SQLite's 32,766 bound parameters.
CLAIM_CHUNK = 1000
# The one desk there is; a desk of its own for each when there are several.
DESK = ""


@dataclass(frozen=True)
class Signature:
    """A checked request signature: its HMAC digest and the sender's timestamp (unix seconds)."""

    digest: bytes
    signed_at: float


@lru_cache(maxsize=128)
def _claim_sql(placeholder: str, rows: int) -> str:
    # Written out rather than built by SQLAlchemy: this runs for every batch of alerts, and
    # compiling and binding through the ORM cost ten times the insert itself.
    values = ", ".join([f"('{DESK}', {placeholder}, {placeholder})"] * rows)
    return (
        f"INSERT INTO {IntakeSignature.__tablename__} (desk, digest, signed_at) VALUES {values} "
        "ON CONFLICT DO NOTHING RETURNING digest"
    )


def claim(connection: Connection, signatures: list[Signature]) -> set[bytes]:
    """Record signatures not seen before; return the digests this call recorded.

    A digest missing from the answer was recorded earlier (a replay), or by another transaction
    meanwhile. Runs in the caller's transaction, so it commits or rolls back with the alerts.
    """
    unique = list({signature.digest: signature for signature in signatures}.values())
    placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    claimed: set[bytes] = set()
    for start in range(0, len(unique), CLAIM_CHUNK):
        chunk = unique[start : start + CLAIM_CHUNK]
        params: list[object] = []
        for signature in chunk:
            params += [signature.digest, math.floor(signature.signed_at)]
        result = connection.exec_driver_sql(_claim_sql(placeholder, len(chunk)), tuple(params))
        claimed.update(bytes(digest) for digest in result.scalars())
    return claimed


def prune(connection: Connection, now: float, window_seconds: int) -> int:
    """Delete the signatures any copy of which is now stale; return how many."""
    # A second to spare: signed_at is kept in whole seconds, the sender's may have a fraction.
    before = math.floor(now) - window_seconds - 1
    result = connection.execute(delete(_SIGNATURES).where(_SIGNATURES.c.signed_at < before))
    return int(result.rowcount or 0)
