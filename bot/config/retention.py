"""How long the desk keeps what it only needed for a while: raw camera events, sent messages.

Never the record itself: logbook entries, incidents, alerts, outages and what they point at
stay for as long as the database does (888 keeps the logbook; the chain must still verify).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from bot.config.base import Section


class RetentionSettings(Section):
    """Days raw camera events and delivered messages are kept, and when the daily prune runs."""

    enabled: bool = True
    # Each event folded into an alert; the alert keeps its count, times and card. A quarter
    # covers the equipment report and any question about a storm long after it.
    camera_events_days: int = Field(90, ge=1)
    # Messages Telegram accepted; their images are most of the database's growth. A month
    # covers any question about what was sent when; what cards still point at is kept.
    delivered_outbox_days: int = Field(30, ge=1)
    # Local time of the daily prune: after the night's alerts, before the 07:30 handover.
    run_at: dt.time = dt.time(4, 30)
