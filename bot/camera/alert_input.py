"""An alert as an input hands it over, and what became of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.camera.replays import Signature
from bot.db.models import AlertSource


@dataclass(frozen=True)
class AlertInput:
    """An alert as an input translated it: from an ONVIF event or an HTTP webhook."""

    camera: str
    kind: str
    occurred_at: dt.datetime
    source: AlertSource
    detail: str = ""
    refs: str = ""
    external_id: str | None = None
    image: bytes | None = None
    # The signed request it came in (the intake's), recorded with the event to refuse replays.
    signature: Signature | None = None


@dataclass(frozen=True)
class Received:
    """What became of an alert."""

    event_id: int | None
    duplicate: bool = False
    # The signed request that carried it had been received before: nothing was stored.
    replayed: bool = False


REPLAYED = Received(None, replayed=True)
DUPLICATE = Received(None, duplicate=True)


def received(event_id: int | None) -> Received:
    """An event stored under its id, or a retry of one stored before (no id)."""
    return Received(event_id) if event_id is not None else DUPLICATE
