"""What the desk knows of a camera's ONVIF side without loading the ONVIF library.

onvif-zeep-async with zeep, lxml and requests takes a few tenths of a second and tens of MB to
import. A desk whose cameras have no ONVIF access (alerts through the intake only) never needs
them: these names (an address, the states and faults it records) let the rest of the desk
speak of cameras, and the modules that talk to one are imported by the first camera watched.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True)
class CameraAddress:
    """Where a camera is and how to log in. Never log the password (``repr`` hides it)."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class HealthStatus(enum.StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


class HealthReason(enum.StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH = "auth"
    SLOW = "slow"
    SNAPSHOT = "snapshot"
    PROTOCOL = "protocol"


class EventsFault(enum.StrEnum):
    """Why a camera's events are not reaching the desk, though the camera answers."""

    REFUSED = "refused"  # it refuses to subscribe us
    FAILING = "failing"  # its event service keeps failing


EventsCallback = Callable[[EventsFault | None], None]


class StreamState(enum.StrEnum):
    """Where the stream is: connecting, streaming, waiting out a backoff, or stopped."""

    CONNECTING = "connecting"
    STREAMING = "streaming"
    BACKOFF = "backoff"
    STOPPED = "stopped"


SubscriptionKind = Literal["pullpoint", "notify"]


@dataclass(frozen=True)
class StoredSubscription:
    """A subscription an earlier run of the bot made on the camera and recorded."""

    kind: SubscriptionKind
    address: str
    seconds_left: float  # until the camera drops it unless renewed (may be negative)
    made_by: str  # which process and run made it, for the log


class SubscriptionMemory(Protocol):
    """Where a stream keeps its subscription's reference beyond the life of the process.

    ONVIF has no call that lists a camera's subscriptions: a reference lost with a crashed
    process keeps one of the camera's few places taken until it expires.
    """

    def recall(self) -> StoredSubscription | None:
        """The subscription recorded for this camera, if any."""

    def remember(self, kind: SubscriptionKind, address: str, seconds_left: float) -> None:
        """Record the live subscription (made or renewed)."""

    def forget(self) -> None:
        """Drop the record: the subscription is ended."""
