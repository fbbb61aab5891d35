"""One camera's ONVIF client: connection, device information, snapshots and PTZ.

onvif-zeep-async has no type hints: every value it returns is converted to typed values right
where it is received (``_device_info``, ...), so ``Any`` stays at the edges.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

import onvif
from onvif import ONVIFCamera, ONVIFService
from onvif.definition import SERVICES

from bot.camera.onvif_device.errors import LIBRARY_ERRORS, CameraProtocolError, translate
from bot.camera.onvif_device.values import CameraAddress

# The WSDL files bundled with onvif-zeep-async; no network access is needed to load them.
WSDL_DIR: Final = str(Path(onvif.__file__).parent / "wsdl")

# Per-request budget. The library defaults to 90 s, far too long for a duty room that wants to
# know within seconds that a camera went dark.
DEFAULT_TIMEOUT: Final = 10.0

_T = TypeVar("_T")


# --- WSDL preload ------------------------------------------------------------------------------

# The services this module uses, by onvif-zeep-async's service names (one WSDL file each).
_PRELOAD_SERVICES: Final = ("devicemgmt", "media", "events", "ptz")
_preloaded = False
_preload_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def preload_wsdl() -> None:
    """Parse the WSDL files once per process, one at a time, before any camera needs them.

    onvif-zeep-async caches parsed WSDL documents but does not guard the first load: 200 cameras
    connecting at start-up would each parse devicemgmt.wsdl (0.1-0.15 s of GIL-bound work) at
    the same time and blow every timeout. Called by OnvifDevice; cheap once done.
    """
    global _preloaded
    if _preloaded:
        return
    lock = _preload_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        if _preloaded:
            return
        for name in _PRELOAD_SERVICES:
            definition = SERVICES[name]
            # No network: setup() only loads the document and builds the zeep clients.
            service = ONVIFService(
                "http://127.0.0.1/",
                None,
                None,
                str(Path(WSDL_DIR) / definition["wsdl"]),
                no_cache=True,
                binding_name=f"{{{definition['ns']}}}{definition['binding']}",
            )
            try:
                await service.setup()
            finally:
                await service.close()
        _preloaded = True


# --- device ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInfo:
    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware_id: str = ""


def text_of(value: Any) -> str:
    """A value the library returned, as plain text ("" for none)."""
    return "" if value is None else str(value).strip()


def _device_info(raw: Any) -> DeviceInfo:
    return DeviceInfo(
        manufacturer=text_of(getattr(raw, "Manufacturer", None)),
        model=text_of(getattr(raw, "Model", None)),
        firmware=text_of(getattr(raw, "FirmwareVersion", None)),
        serial=text_of(getattr(raw, "SerialNumber", None)),
        hardware_id=text_of(getattr(raw, "HardwareId", None)),
    )


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


class OnvifDevice:
    """One camera's ONVIF client: connect once, then snapshots and PTZ on demand.

    Safe to share between the health round, snapshot requests and an ``EventStream``.
    """

    def __init__(self, address: CameraAddress, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout
        self.info: DeviceInfo | None = None
        self._camera: Any = None  # onvif.ONVIFCamera, created on first use
        self._ready = False  # service addresses loaded (update_xaddrs succeeded)
        self._lock = asyncio.Lock()
        self._profile_token: str | None = None

    def __repr__(self) -> str:
        return f"OnvifDevice({self.address})"

    @property
    def connected(self) -> bool:
        return self._ready

    async def guard(self, awaitable: Awaitable[_T], budget: float | None = None) -> _T:
        """Await one library call under a time budget, with its errors translated."""
        try:
            async with asyncio.timeout(self.timeout if budget is None else budget):
                return await awaitable
        except LIBRARY_ERRORS as error:
            raise translate(error) from error

    def _camera_object(self) -> Any:
        if self._camera is None:
            address = self.address
            # adjust_time: duty-room networks are often isolated from NTP, and cameras reject
            # WS-Security tokens stamped too far from their own clock. The library then signs
            # with the camera's time (one unauthenticated GetSystemDateAndTime per connect).
            # no_cache: zeep's SQLite cache only serves remote schema imports, which the bundled
            # WSDL files never make; it would just be a file written under the home directory.
            self._camera = ONVIFCamera(
                address.host,
                address.port,
                address.username,
                address.password,
                WSDL_DIR,
                no_cache=True,
                adjust_time=True,
            )
        return self._camera

    async def client(self) -> Any:
        """The ``ONVIFCamera`` with its service addresses loaded, connecting if needed."""
        await preload_wsdl()
        async with self._lock:
            camera = self._camera_object()
            if not self._ready:
                await self.guard(camera.update_xaddrs())
                self._ready = True
            return camera

    async def connect(self) -> DeviceInfo:
        """Connect (once) and read manufacturer, model, firmware and serial number."""
        camera = await self.client()
        devicemgmt = await self.guard(camera.create_devicemgmt_service())
        self.info = _device_info(await self.guard(devicemgmt.GetDeviceInformation()))
        return self.info

    async def ping(self) -> float:
        """Round trip in seconds of an unauthenticated GetSystemDateAndTime.

        Cameras answer it without credentials, so it measures reachability and latency only.
        """
        await preload_wsdl()
        # The device service address is fixed (/onvif/device_service): no discovery needed.
        devicemgmt = await self.guard(self._camera_object().create_devicemgmt_service())
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self.guard(devicemgmt.authless_GetSystemDateAndTime())
        return loop.time() - started

    async def _first_profile(self) -> str:
        if self._profile_token is None:
            camera = await self.client()
            media = await self.guard(camera.create_media_service())
            profiles = await self.guard(media.GetProfiles())
            if not profiles:
                raise CameraProtocolError("camera has no media profiles")
            self._profile_token = text_of(profiles[0].token)
        return self._profile_token

    async def snapshot(self) -> bytes:
        """A JPEG from the first profile's snapshot URI (fetched with HTTP Digest auth)."""
        camera = await self.client()
        token = await self._first_profile()
        # get_snapshot caches GetSnapshotUri per profile and fetches through the library's
        # own session with DigestAuthMiddleware; its timeout bounds the whole download.
        image = await self.guard(camera.get_snapshot(token, timeout=self.timeout))
        if not image:
            raise CameraProtocolError("camera returned no snapshot")
        return bytes(image)

    async def ptz_position(self) -> tuple[float, float, float] | None:
        """(pan, tilt, zoom) in the generic spaces, or None when the camera has no PTZ."""
        camera = await self.client()
        if not any("ver20/ptz" in namespace for namespace in camera.xaddrs):
            return None
        token = await self._first_profile()
        ptz = await self.guard(camera.create_ptz_service())
        status = await self.guard(ptz.GetStatus({"ProfileToken": token}))
        position = getattr(status, "Position", None)
        if position is None:
            return None
        pan_tilt = getattr(position, "PanTilt", None)
        zoom = getattr(position, "Zoom", None)
        pan = _float(getattr(pan_tilt, "x", None))
        tilt = _float(getattr(pan_tilt, "y", None))
        if pan is None or tilt is None:
            return None
        return pan, tilt, _float(getattr(zoom, "x", None)) or 0.0

    async def close(self) -> None:
        """Close the library's HTTP sessions. The device may connect again afterwards."""
        async with self._lock:
            camera, self._camera = self._camera, None
            self._ready = False
            self._profile_token = None
        if camera is not None:
            with contextlib.suppress(*LIBRARY_ERRORS):
                await camera.close()
