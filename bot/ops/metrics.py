"""The counters and histograms the desk keeps as it works, in one registry per application.

A registry of its own (not prometheus-client's global one), so two bots in one process (tests,
the sandbox) never collide. Every series carries a `desk` label: one value per duty room, so
more desks on one deployment add label values, not metrics.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from bot.camera.folding import FoldOutcome

# Seconds a deadline fired after it fell due: the alarm aims for well under a second; minutes
# mean the process was stalled or down (deadlines missed while down fire at start-up).
LATENESS_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


class RequestResult(StrEnum):
    """What became of one request the sender made to Telegram."""

    SENT = "sent"
    # A 429: Telegram's flood control; the row waits retry_after and goes again.
    RATE_LIMITED = "rate_limited"
    # Refused for good (the chat is gone, the bot was removed, a bad request): the row failed.
    REFUSED = "refused"
    # No answer or a server error: the row is retried after a backoff.
    ERROR = "error"


class AlertOutcome(StrEnum):
    """What became of one camera event as it was received."""

    STORED = "stored"
    # A sender's retry of an event already stored (same external id).
    DUPLICATE = "duplicate"
    # A signed intake request received before: refused, nothing stored.
    REPLAYED = "replayed"


class Metrics:
    """The process's metrics; `desk()` binds them to one duty room's label."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # What operators expect of any Python exporter: memory, CPU, open files, the collector.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.updates = Counter(
            "duty_desk_updates",
            "Telegram updates handled, by kind (message, callback_query, ...)",
            ["desk", "kind"],
            registry=self.registry,
        )
        self.errors = Counter(
            "duty_desk_errors",
            "Unhandled errors (logged with their traceback): in an update, or in a job",
            ["desk", "source"],
            registry=self.registry,
        )
        self.alert_events = Counter(
            "duty_desk_alert_events",
            "Camera events received (ONVIF and the HTTP intake), by source and outcome",
            ["desk", "source", "outcome"],
            registry=self.registry,
        )
        self.alert_folds = Counter(
            "duty_desk_alert_folds",
            "Stored camera events by where they went: into an open alert, a card, the digest",
            ["desk", "outcome"],
            registry=self.registry,
        )
        self.telegram_requests = Counter(
            "duty_desk_telegram_requests",
            "Outbox requests to Telegram by method and result: sent, rate_limited, refused, error",
            ["desk", "method", "result"],
            registry=self.registry,
        )
        self.deadline_lateness = Histogram(
            "duty_desk_deadline_lateness_seconds",
            "How long after falling due each deadline fired, by kind",
            ["desk", "kind"],
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )

    def desk(self, label: str) -> DeskMetrics:
        """The metrics of one desk."""
        return DeskMetrics(self, label)


class DeskMetrics:
    """One desk's share of the metrics: what its handlers, services and sender count."""

    def __init__(self, metrics: Metrics, label: str) -> None:
        self.label = label
        self._metrics = metrics
        # Series with a closed set of labels exist from the start at 0, so a rate() over them
        # is defined before the first event and an absent series means a broken scrape.
        for outcome in FoldOutcome:
            metrics.alert_folds.labels(label, outcome.value)
        for source in ("update", "job"):
            metrics.errors.labels(label, source)

    def update(self, kind: str) -> None:
        """Count an update handled."""
        self._metrics.updates.labels(self.label, kind).inc()

    def error(self, source: str) -> None:
        """Count an unhandled error."""
        self._metrics.errors.labels(self.label, source).inc()

    def alert_received(self, source: str, outcome: AlertOutcome) -> None:
        """Count a camera event received."""
        self._metrics.alert_events.labels(self.label, source, outcome.value).inc()

    def alert_folded(self, outcome: FoldOutcome) -> None:
        """Count where a stored camera event went."""
        self._metrics.alert_folds.labels(self.label, outcome.value).inc()

    def telegram_request(self, method: str, result: RequestResult) -> None:
        """Count one request of the sender and what Telegram made of it."""
        self._metrics.telegram_requests.labels(self.label, method, result.value).inc()

    def deadline_fired(self, kind: str, lateness: dt.timedelta) -> None:
        """Observe how late a deadline fired (never below zero)."""
        seconds = max(0.0, lateness.total_seconds())
        self._metrics.deadline_lateness.labels(self.label, kind).observe(seconds)
