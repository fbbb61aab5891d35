"""Snapshot side of the simulated camera: a JPEG that changes over time, behind HTTP Digest."""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import os
import re
import time
from datetime import UTC, datetime
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

# Clients poll snapshots from many cameras at once; re-encoding at most every 0.2 s keeps a
# 200-camera benchmark cheap while every poll a human would make still sees a new frame.
FRAME_CACHE_SECONDS = 0.2
# A nonce older than this is answered with ``stale=true`` so the client retries transparently.
NONCE_LIFETIME_SECONDS = 300.0


@lru_cache(maxsize=1)
def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default()


class FrameSource:
    """Renders the camera picture: name, time stamp, frame counter and a moving ball."""

    def __init__(self, name: str, size: tuple[int, int]) -> None:
        self._name = name
        self._size = size
        self._frame = 0
        self._rendered_at = -math.inf
        self._jpeg = b""

    @property
    def frame(self) -> int:
        return self._frame

    def jpeg(self) -> bytes:
        now = time.monotonic()
        if now - self._rendered_at >= FRAME_CACHE_SECONDS:
            self._jpeg = self._render(now)
            self._rendered_at = now
        return self._jpeg

    def _render(self, now: float) -> bytes:
        self._frame += 1
        width, height = self._size
        image = Image.new("RGB", self._size, (32, 48, 64))
        draw = ImageDraw.Draw(image)
        radius = max(4, min(width, height) // 10)
        # One sweep across the picture every 4 s, bouncing vertically.
        x = radius + (width - 2 * radius) * ((now / 4.0) % 1.0)
        y = height / 2 + (height / 2 - radius) * math.sin(now * 1.7)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(240, 180, 40))
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        draw.text((8, 8), f"{self._name}  {stamp} UTC  #{self._frame}", fill=(255, 255, 255))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=70)
        return buffer.getvalue()


_AUTH_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class DigestAuth:
    """Server side of RFC 7616 Digest (MD5, qop=auth) with stateless HMAC-signed nonces."""

    def __init__(self, realm: str) -> None:
        self.realm = realm
        self._secret = os.urandom(16)

    def _nonce(self) -> str:
        stamp = f"{int(time.time()):x}"
        mac = hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:20]
        return f"{stamp}{mac}"

    def _nonce_age(self, nonce: str) -> float | None:
        stamp, mac = nonce[:-20], nonce[-20:]
        expected = hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:20]
        if not stamp or not hmac.compare_digest(mac, expected):
            return None
        try:
            return time.time() - int(stamp, 16)
        except ValueError:
            return None

    def challenge(self, *, stale: bool = False) -> str:
        extra = ", stale=true" if stale else ""
        return (
            f'Digest realm="{self.realm}", qop="auth", nonce="{self._nonce()}", '
            f'opaque="{self._secret.hex()[:16]}", algorithm=MD5{extra}'
        )

    def check(
        self, header: str | None, method: str, path_qs: str, username: str, password: str
    ) -> tuple[bool, bool]:
        """Return (authorised, stale)."""
        if not header or header[:7].lower() != "digest ":
            return False, False
        params = {
            key.lower(): quoted if quoted else bare
            for key, quoted, bare in _AUTH_PARAM.findall(header[7:])
        }
        nonce = params.get("nonce", "")
        age = self._nonce_age(nonce)
        if age is None:
            return False, False
        if params.get("username") != username or params.get("realm") != self.realm:
            return False, False
        if params.get("uri") != path_qs:
            return False, False
        ha1 = _md5(f"{username}:{self.realm}:{password}")
        ha2 = _md5(f"{method}:{params['uri']}")
        if params.get("qop"):
            expected = _md5(
                f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:"
                f"{params['qop']}:{ha2}"
            )
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        if not hmac.compare_digest(params.get("response", ""), expected):
            return False, False
        if age > NONCE_LIFETIME_SECONDS:
            return False, True
        return True, False
