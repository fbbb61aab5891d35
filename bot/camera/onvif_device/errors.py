"""What can go wrong talking to a camera, as the desk names it, whatever the library raised."""

from __future__ import annotations

from typing import Final

import aiohttp
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError
from onvif.util import is_auth_error, stringify_onvif_error
from zeep.exceptions import Fault, TransportError, XMLParseError, XMLSyntaxError


class CameraError(Exception):
    """A camera request failed."""


class CameraUnreachable(CameraError):
    """No answer: connection refused or reset, or the camera is offline."""


class CameraTimeout(CameraUnreachable):
    """The camera did not answer in time."""


class CameraAuthError(CameraError):
    """The camera rejected the credentials."""


class CameraProtocolError(CameraError):
    """The camera answered with a fault or something unusable."""


# What onvif-zeep-async lets escape: zeep faults and transport errors, aiohttp and socket
# errors (awaited calls are not wrapped by the library) and its own ONVIFError family.
LIBRARY_ERRORS: Final[tuple[type[BaseException], ...]] = (
    Fault,
    TransportError,
    XMLParseError,
    XMLSyntaxError,
    aiohttp.ClientError,
    OSError,  # includes TimeoutError and ConnectionError
    ONVIFError,
)


def translate(error: BaseException) -> CameraError:
    if isinstance(error, CameraError):
        return error
    if isinstance(error, ONVIFAuthError) or (isinstance(error, Fault) and is_auth_error(error)):
        return CameraAuthError("camera rejected the credentials")
    if isinstance(error, TransportError) and error.status_code == 401:
        return CameraAuthError("camera rejected the credentials (HTTP 401)")
    if isinstance(error, ONVIFTimeoutError | TimeoutError):
        return CameraTimeout("camera did not answer in time")
    if isinstance(error, aiohttp.ClientError | OSError):
        # Only the OS-level reason: aiohttp messages can quote request URLs, and snapshot URIs
        # sometimes embed user:password.
        os_error = error.os_error if isinstance(error, aiohttp.ClientConnectorError) else error
        reason = os_error.strerror if isinstance(os_error, OSError) else None
        suffix = f" ({reason})" if reason else ""
        return CameraUnreachable(f"camera unreachable: {error.__class__.__name__}{suffix}")
    if isinstance(error, Fault):
        return CameraProtocolError(f"camera fault: {stringify_onvif_error(error)}")
    cause = error.__cause__
    if isinstance(error, ONVIFError) and cause is not None and cause is not error:
        return translate(cause)
    return CameraProtocolError(f"camera error: {error}")
