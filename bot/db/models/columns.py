"""Column types every table uses: UTC timestamps and Telegram ids.

Enums are stored as short strings (`sa_type=String(n)`), not native enum types, so adding a
member later needs no ALTER TYPE on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column

from bot.db.types import UTCDateTime


def utc_column(nullable: bool = False, index: bool = False) -> Column[dt.datetime]:
    """A timezone-aware timestamp column (stored as UTC)."""
    return Column(UTCDateTime(), nullable=nullable, index=index)


def chat_id_column(nullable: bool = False, index: bool = False) -> Column[int]:
    """Telegram ids exceed 32 bits (supergroups are -100…)."""
    return Column(BigInteger, nullable=nullable, index=index)
