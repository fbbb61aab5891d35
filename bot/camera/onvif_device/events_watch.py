"""Whether a camera's events reach the desk though the camera answers: judged, told once.

A camera that does not answer, or refuses the credentials, is the health round's to report;
only failures the camera answered are the event service's own.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.camera.onvif_device.errors import CameraAuthError, CameraUnreachable
from bot.camera.onvif_device.subscription import SubscriptionRefused
from bot.camera.onvif_device.values import CameraAddress, EventsCallback, EventsFault

logger = logging.getLogger("bot.camera.onvif_device")

# Failed attempts in a row, the camera answering each, before its events count as failing. A
# refused subscription is a fault at once: the camera has said it will send nothing.
FAILURES_BEFORE_FAULT: Final = 3


class EventsWatch:
    """Counts an event stream's failed attempts and reports each change to `on_events`."""

    def __init__(self, address: CameraAddress, on_events: EventsCallback | None) -> None:
        self._address = address
        self._on_events = on_events
        self._failures = 0  # answered attempts in a row that gave no working subscription
        self.fault: EventsFault | None = None
        self._reported: bool | None = None  # working, as last reported; None: not yet known

    def failed(self, error: Exception, last_error: str | None, wait: float) -> bool:
        """Count a failed attempt; report a fault when the camera's events are failing.

        Returns whether it logged the failure. A camera that does not answer, or refuses the
        credentials, is the health round's to report; only failures the camera answered are
        the event service's own.
        """
        if isinstance(error, CameraUnreachable | CameraAuthError):
            return False
        self._failures += 1
        if isinstance(error, SubscriptionRefused):
            fault = EventsFault.REFUSED
        elif self._failures >= FAILURES_BEFORE_FAULT:
            fault = EventsFault.FAILING
        else:
            return False
        if fault == self.fault:
            logger.debug(
                "Camera %s: still no event subscription (%s); retrying in %.1f s",
                self._address,
                last_error,
                wait,
            )
            return True
        self.fault = fault
        logger.warning(
            "Camera %s: no event subscription (%s); its events are lost until one is made; "
            "retrying in %.1f s",
            self._address,
            last_error,
            wait,
        )
        self._report(working=False)
        return True

    def working(self) -> None:
        """The current subscription answered: events flow. Reported once per change."""
        self._failures = 0
        if self.fault is not None:
            logger.info("Camera %s: events are flowing again", self._address)
        self.fault = None
        self._report(working=True)

    def _report(self, *, working: bool) -> None:
        if self._reported is working or self._on_events is None:
            self._reported = working
            return
        self._reported = working
        try:
            self._on_events(None if working else self.fault)
        except Exception:
            # Whoever records the fault must not cost the camera its event stream.
            logger.exception("Camera %s: events report failed", self._address)
