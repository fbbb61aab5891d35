"""Snapshots annotated with camera number, place, time and event (888 Art. 14.1.2b)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

# Telegram shows photos up to 1280 px on the long side; larger uploads only cost time.
MAX_SIDE = 1280
JPEG_QUALITY = 82
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


@dataclass(frozen=True)
class Caption:
    """What is burnt into the image."""

    camera: str
    place: str
    time: str
    event: str


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_CANDIDATES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    # Pillow's own font covers Vietnamese only from Pillow 10.1 on, in any size.
    return ImageFont.load_default(size)


def annotate(jpeg: bytes, caption: Caption) -> bytes:
    """Downscale a snapshot and draw the caption band on it; returns a JPEG."""
    source = Image.open(io.BytesIO(jpeg))
    # Draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale: most of the work is skipped.
    source.draft("RGB", (MAX_SIDE, MAX_SIDE))
    image = source.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    draw = ImageDraw.Draw(image, "RGBA")
    size = max(12, image.width // 40)
    font = _font(size)
    lines = [
        f"CAM {caption.camera} · {caption.place}".strip(" ·"),
        f"{caption.time} · {caption.event}",
    ]
    band = (size + 6) * len(lines) + 8
    draw.rectangle((0, image.height - band, image.width, image.height), fill=(0, 0, 0, 160))
    for index, line in enumerate(lines):
        y = image.height - band + 4 + index * (size + 6)
        draw.text((8, y), line, font=font, fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return out.getvalue()


def placeholder(caption: Caption, size: tuple[int, int] = (640, 360)) -> bytes:
    """A plain card for an alert whose snapshot could not be had (so the post still shows)."""
    image = Image.new("RGB", size, (40, 40, 48))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return annotate(out.getvalue(), caption)
