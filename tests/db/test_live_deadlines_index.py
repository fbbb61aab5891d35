"""The live deadlines' index holds only what the alarm still waits for, on either database.

The model names the index without its predicate (bot/db/models/deadlines.py: the predicate is
dialect-specific, and naming it would load the other dialect into every bot); the migrations
write it, and this is where it is checked.
"""

from __future__ import annotations

from sqlalchemy import text

from bot.db.engine import make_engine

INDEX = "ix_deadline_live_due"


def test_the_migrated_index_of_live_deadlines_leaves_out_fired_and_cancelled_ones(
    migrated_url: str,
) -> None:
    engine = make_engine(migrated_url, desk=None)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                found = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"),
                    {"n": INDEX},
                ).scalar_one()
            else:
                found = connection.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": INDEX}
                ).scalar_one()
    finally:
        engine.dispose()
    definition = " ".join(found.split()).lower()
    assert "(due_at)" in definition
    where = definition.split(" where ", 1)[1]
    assert "fired_at is null" in where
    assert "cancelled" in where
