"""Snapshots annotated with camera number, place, time and event (888 Art. 14.1.2b)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.camera.digest import kind_label
from bot.config import Camera
from bot.db.models import CameraAlert
from bot.fonts import SANS_BOLD, font_path
from bot.i18n import Translator

if TYPE_CHECKING:
    # Pillow is imported by the first picture drawn (an alert's card), not with the bot.
    from PIL import ImageFont

log = logging.getLogger(__name__)

# Telegram shows photos up to 1280 px on the long side; larger uploads only cost time.
MAX_SIDE = 1280
JPEG_QUALITY = 82


@dataclass(frozen=True)
class Caption:
    """What is burnt into the image."""

    camera: str
    place: str
    time: str
    event: str


@cache
def caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The caption face at a size."""
    from PIL import ImageFont

    # DejaVu Sans Bold from matplotlib's package: every Vietnamese letter, on any machine.
    try:
        return ImageFont.truetype(str(font_path(SANS_BOLD)), size)
    except OSError:
        # A broken install must not stop an alert: Pillow's own font still prints the
        # camera number and the time.
        log.warning("The caption font is missing; snapshots are captioned in Pillow's font")
        return ImageFont.load_default(size)


def annotate(jpeg: bytes, caption: Caption) -> bytes:
    """Downscale a snapshot and draw the caption band on it; returns a JPEG."""
    from PIL import Image, ImageDraw

    source = Image.open(io.BytesIO(jpeg))
    # Draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale: most of the work is skipped.
    source.draft("RGB", (MAX_SIDE, MAX_SIDE))
    image = source.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    draw = ImageDraw.Draw(image, "RGBA")
    size = max(12, image.width // 40)
    font = caption_font(size)
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
    from PIL import Image

    image = Image.new("RGB", size, (40, 40, 48))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return annotate(out.getvalue(), caption)


def alert_image(
    tr: Translator, alert: CameraAlert, camera: Camera | None, image: bytes | None
) -> bytes:
    """The picture of an alert's card: its snapshot annotated, or a plain card without one."""
    label = Caption(
        camera=alert.camera,
        place=camera.place if camera else "",
        time=tr.datetime(alert.occurred_at),
        event=kind_label(tr, alert.kind),
    )
    try:
        return annotate(image, label) if image else placeholder(label)
    except OSError:
        log.info("Snapshot of camera %s is not a readable image", alert.camera)
        return placeholder(label)
