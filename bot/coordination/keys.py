"""The advisory-lock keys and NOTIFY channels every process of a deployment agrees on."""

from __future__ import annotations

import zlib
from enum import StrEnum


class Channel(StrEnum):
    """What a NOTIFY on PostgreSQL announces (the triggers are in migration 0019)."""

    # A message was queued: the sender, wherever it runs, looks at the outbox.
    OUTBOX = "duty_desk_outbox"
    # A deadline was added or moved: every alarm re-arms for the earliest one.
    DEADLINE = "duty_desk_deadline"
    # A process let leases go (rebalancing or a clean stop): the others look at once.
    LEASES = "duty_desk_leases"


def key(name: str) -> int:
    """A stable, non-negative 32-bit advisory-lock key for a name (pg_locks shows it as is)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# The first half of every two-part advisory lock duty-desk takes, so its locks stand apart
# from any other program's on the same database.
ROLES = key("duty-desk:roles")
MEMBERS = key("duty-desk:members")
ONE_AT_A_TIME = key("duty-desk:one-at-a-time")
# A desk's folding of camera alerts, held for a transaction that opens alerts (bot/camera).
FOLDING = key("duty-desk:folding")
