"""Retention: raw camera events and delivered messages pruned after their configured days.

- `prune`: what goes and what stays (plain statements over a session; no clock of its own).
- `service`: the daily prune as a deadline in the database, so one process runs it once a day.
- `deadline_kinds`: its kind and subject.

Only those two kinds of rows ever go. The record (logbook entries and their chain, incidents,
alerts, proposals, requests, outages, handovers) is never touched, nor a message a card or a
request still points at.
"""

from bot.retention.prune import Pruned, prune
from bot.retention.service import Retention

__all__ = ["Pruned", "Retention", "prune"]
