"""An ONVIF event subscription: its kinds, its reference, and the record that outlives a process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bot.camera.onvif_device.device import OnvifDevice
from bot.camera.onvif_device.errors import CameraProtocolError
from bot.camera.onvif_device.values import SubscriptionKind

EVENTS_NS: Final = "http://www.onvif.org/ver10/events/wsdl"
PULLPOINT_BINDING: Final = f"{{{EVENTS_NS}}}PullPointSubscriptionBinding"

# Requested subscription lifetime. Short enough that a subscription leaked by a crashed bot dies
# on the camera within two minutes (embedded cameras allow only a handful at once), long enough
# that renewals stay a trickle of traffic for 200 cameras.
SUBSCRIPTION_SECONDS: Final = 120.0
# Renew once half of the granted lifetime has passed: if that Renew is lost, the reconnect path
# still has the other half to unsubscribe the old subscription before creating a new one.
RENEW_FRACTION: Final = 0.5
# Unsubscribe is a courtesy; it must never hold up a reconnect or shutdown for long.
UNSUBSCRIBE_TIMEOUT: Final = 5.0


class Resubscribe(Exception):
    """The camera no longer knows our subscription (reboot, expiry): make a new one now."""


class SubscriptionRefused(CameraProtocolError):
    """The camera answered but made no subscription (all its places taken, most often)."""


# Port types under which onvif-zeep-async files each kind's subscription manager address.
PORT_TYPE: Final[dict[SubscriptionKind, str]] = {
    "pullpoint": "PullPointSubscription",
    "notify": "NotificationConsumer",
}


@dataclass
class SubscriptionRef:
    """A subscription live on the camera: where its manager is and when it lapses."""

    kind: SubscriptionKind
    address: str
    expires_at: float  # loop time, by the camera's own reckoning of the granted lifetime


async def subscription_manager(
    device: OnvifDevice, camera: Any, kind: SubscriptionKind, address: str
) -> Any:
    """The SubscriptionManager service (Renew, Unsubscribe) of the subscription at an address."""
    port_type = PORT_TYPE[kind]
    camera.xaddrs[f"{EVENTS_NS}/{port_type}"] = address
    return await device.guard(camera.create_subscription_service(port_type))


async def unsubscribe(device: OnvifDevice, ref: SubscriptionRef) -> None:
    """End a subscription on the camera (a courtesy, under its own short budget)."""
    camera = await device.client()
    service = await subscription_manager(device, camera, ref.kind, ref.address)
    await device.guard(service.Unsubscribe(), UNSUBSCRIBE_TIMEOUT)


def granted_seconds(result: Any, lifetime: float) -> float:
    """The lifetime a Subscribe or Renew reply granted, by the camera's own clock."""
    current = getattr(result, "CurrentTime", None)
    termination = getattr(result, "TerminationTime", None)
    if isinstance(current, datetime) and isinstance(termination, datetime):
        # The camera's own clock on both ends, so clock skew does not matter.
        granted = (termination - current).total_seconds()
    else:
        granted = lifetime
    return max(granted, 1.0)
