"""Deadlines live in the database and fire exactly once; the JobQueue is only an alarm clock.

- `store`: the deadlines table (schedule, cancel, re-arm, claim), re-exported here so a domain
  writes `deadlines.schedule(session, kind, subject, due_at)`.
- `timers`: fires what is due, each deadline in the transaction of its effects, through the
  handler its domain registered for its kind.
- `alarm`: arms PTB's JobQueue for the earliest deadline (the one module here that knows PTB).

Each domain declares its own kinds in its `deadline_kinds.py` (a `StrEnum` plus the subject keys)
and registers a handler per kind, so a new timed rule touches only its domain.
"""

from bot.deadlines.store import (
    cancel,
    claim,
    claim_many,
    due,
    next_due_at,
    rearm,
    schedule,
    schedule_once,
    subject_id,
)

__all__ = [
    "cancel",
    "claim",
    "claim_many",
    "due",
    "next_due_at",
    "rearm",
    "schedule",
    "schedule_once",
    "subject_id",
]
