"""What the body of a webhook alert must be: a flat JSON object, checked field by field.

Every refusal says what is wrong and what is expected, so whoever configures the NVR can fix it
from the answer alone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any, Protocol

from bot.camera.alert_input import AlertInput
from bot.camera.replays import Signature
from bot.config import Camera
from bot.db.models import AlertSource

# The lengths the event table keeps (camera_event.camera, .kind, .external_id).
CAMERA_CHARS, TYPE_CHARS, ID_CHARS = 64, 32, 128
DETAIL_CHARS, REFS_CHARS = 500, 300
EXAMPLE = '{"camera": "12", "type": "motion"}'


class Refused(Exception):
    """A request the intake refuses, with its HTTP status and a reason code."""

    def __init__(self, status: int, reason: str, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        # Whether to drop the connection after answering (the rest of the body is not wanted).
        self.close = close


def _malformed(message: str) -> Refused:
    return Refused(422, "malformed", message)


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


# Made once: json.loads with an option builds a decoder per call.
_DECODER = json.JSONDecoder(parse_constant=_no_constants)


def decode(body: bytes) -> Any:
    """The body's JSON value; 400 for what is not JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "malformed", "the body must be JSON in UTF-8") from None
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise Refused(
            400,
            "malformed",
            f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        ) from None
    except RecursionError:
        # json's decoder refuses depth by raising; an alert is one flat object anyway.
        raise Refused(
            400,
            "malformed",
            f"the body's JSON is nested too deeply; an alert is one object, {EXAMPLE}",
        ) from None
    except ValueError as exc:
        # A number of more than 4,300 digits, or NaN/Infinity.
        raise Refused(400, "malformed", f"the body is not valid JSON: {exc}") from None


def _text(payload: dict[str, Any], key: str, example: str, limit: int) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _malformed(f"'{key}' must be a string, e.g. {example}")
    if len(value) > limit:
        raise _malformed(f"'{key}' must be at most {limit} characters, e.g. {example}")
    return value


def _occurred(payload: dict[str, Any]) -> dt.datetime | None:
    occurred = _text(payload, "time", '"2026-11-25T02:10:00+07:00"', 64)
    if occurred is None:
        return None
    try:
        when = dt.datetime.fromisoformat(occurred)
        if when.tzinfo is not None:
            # Out of range in UTC (year 1 or 9999 with an offset) is refused here, not stored.
            when = when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise _malformed("'time' must be ISO 8601, e.g. 2026-11-25T02:10:00+07:00") from None
    if when.tzinfo is None:
        raise _malformed("'time' needs a UTC offset, e.g. +07:00")
    return when


def _external_id(payload: dict[str, Any]) -> str | None:
    value = payload.get("id")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _malformed("'id' must be a string or an integer, e.g. \"nvr-8841\"")
    external = str(value)
    if len(external) > ID_CHARS:
        raise _malformed(f"'id' must be at most {ID_CHARS} characters, e.g. \"nvr-8841\"")
    return external


def _image(payload: dict[str, Any]) -> bytes | None:
    value = payload.get("image_base64")
    if value is None:
        return None
    if not isinstance(value, str):
        raise _malformed("'image_base64' must be a string: a JPEG in base64")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed("'image_base64' is not valid base64") from None


def _references(payload: dict[str, Any]) -> str:
    refs = payload.get("references")
    if refs is None:
        return ""
    if not isinstance(refs, dict) or any(isinstance(value, dict | list) for value in refs.values()):
        raise _malformed(
            "'references' must be an object of texts or numbers, "
            'e.g. {"container": "CSQU3054383"}'
        )
    return " · ".join(f"{key}: {value}" for key, value in refs.items())[:REFS_CHARS]


class CameraLookup(Protocol):
    """Where an alert's camera is looked up: one desk's settings, or every desk's cameras."""

    def camera(self, number: str) -> Camera | None:
        """The configured camera with this number, if any."""
        ...


def parse_alert(
    payload: Any, settings: CameraLookup, signature: Signature | None = None
) -> AlertInput:
    """Check an alert's JSON against the documented shape."""
    if not isinstance(payload, dict):
        raise _malformed(f"the body must be a JSON object, e.g. {EXAMPLE}")
    camera = _text(payload, "camera", '"12" (the camera number)', CAMERA_CHARS)
    if not camera:
        raise _malformed("'camera' (the camera number, a string such as \"12\") is required")
    if settings.camera(camera) is None:
        raise Refused(422, "unknown_camera", f"camera {camera!r} is not configured")
    kind = _text(payload, "type", '"motion"', TYPE_CHARS)
    if not kind:
        raise _malformed("'type' (the event type, a string such as \"motion\") is required")
    when = _occurred(payload)
    detail = payload.get("description", "")
    if detail is None:
        detail = ""
    if not isinstance(detail, str):
        raise _malformed("'description' must be a string, e.g. \"Người trèo rào\"")
    return AlertInput(
        camera=camera,
        kind=kind,
        occurred_at=when or dt.datetime.now(dt.UTC),
        source=AlertSource.WEBHOOK,
        detail=detail[:DETAIL_CHARS],
        refs=_references(payload),
        external_id=_external_id(payload),
        image=_image(payload),
        signature=signature,
    )
