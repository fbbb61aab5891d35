"""The health round's probe of one camera: reachable, credentials accepted, snapshot works."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

from bot.camera.onvif_device.device import DEFAULT_TIMEOUT, DeviceInfo, OnvifDevice
from bot.camera.onvif_device.errors import (
    CameraAuthError,
    CameraError,
    CameraTimeout,
    CameraUnreachable,
)
from bot.camera.onvif_device.values import CameraAddress, HealthReason, HealthStatus

# Above this round trip a camera that still answers is reported as degraded.
SLOW_AFTER_SECONDS: Final = 2.0


@dataclass(frozen=True)
class Health:
    status: HealthStatus
    reason: HealthReason | None
    detail: str
    latency: float | None  # seconds for an unauthenticated round trip; None if no answer
    info: DeviceInfo | None = None


async def probe(
    address: CameraAddress,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - one budget for the whole probe
    *,
    slow_after: float = SLOW_AFTER_SECONDS,
    check_snapshot: bool = True,
) -> Health:
    """Check one camera for the health round: reachable, credentials accepted, snapshot works.

    ``timeout`` bounds the whole probe. Down: no answer, or credentials refused. Degraded:
    answered but slower than ``slow_after``, ran out of time after answering, or no snapshot.
    """
    device = OnvifDevice(address, timeout=timeout)
    latency: float | None = None
    info: DeviceInfo | None = None
    snapshot_problem: str | None = None
    try:
        async with asyncio.timeout(timeout):
            latency = await device.ping()
            info = await device.connect()
            if check_snapshot:
                try:
                    await device.snapshot()
                except CameraAuthError:
                    raise
                except CameraError as error:
                    snapshot_problem = str(error)
    except CameraAuthError as error:
        return Health(HealthStatus.DOWN, HealthReason.AUTH, str(error), latency)
    except (TimeoutError, CameraTimeout) as error:
        if latency is None:
            return Health(HealthStatus.DOWN, HealthReason.TIMEOUT, "no answer in time", None)
        detail = f"answered in {latency:.2f} s, then {error or 'timed out'} within {timeout:g} s"
        return Health(HealthStatus.DEGRADED, HealthReason.SLOW, detail, latency, info)
    except CameraUnreachable as error:
        return Health(HealthStatus.DOWN, HealthReason.UNREACHABLE, str(error), latency)
    except CameraError as error:
        return Health(HealthStatus.DOWN, HealthReason.PROTOCOL, str(error), latency)
    finally:
        await device.close()
    if latency > slow_after:
        detail = f"answered in {latency:.2f} s (threshold {slow_after:.2f} s)"
        return Health(HealthStatus.DEGRADED, HealthReason.SLOW, detail, latency, info)
    if snapshot_problem is not None:
        return Health(HealthStatus.DEGRADED, HealthReason.SNAPSHOT, snapshot_problem, latency, info)
    return Health(HealthStatus.UP, None, "ok", latency, info)
