"""Snapshot captions print Vietnamese on any machine: the font comes with the installed package."""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageDraw, ImageFont

from bot.camera.annotate import Caption, annotate, caption_font, placeholder

CAPTION = Caption("02", "Cảng Cát Lái, bãi B3", "25/11/2026 02:10", "Che/phá camera")
# Every Vietnamese vowel with its marks, in the places captions carry them.
LETTERS = "ăâđêôơư áàảãạ ắằẳẵặ ấầẩẫậ éèẻẽẹ ếềểễệ íìỉĩị óòỏõọ ốồổỗộ ớờởỡợ úùủũụ ứừửữự ýỳỷỹỵ"


def _ink(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> Image.Image:
    image = Image.new("L", (40, 40))
    ImageDraw.Draw(image).text((5, 2), text, font=font, fill=255)
    return image


def test_the_caption_font_is_dejavu_bold_with_every_vietnamese_letter() -> None:
    font = caption_font(24)
    assert isinstance(font, ImageFont.FreeTypeFont)
    assert font.getname() == ("DejaVu Sans", "Bold")
    # A letter the face lacks is drawn as its "missing" box: every letter must differ from it.
    missing = _ink(font, "\U000e0000")
    for letter in LETTERS.replace(" ", ""):
        drawn = _ink(font, letter)
        assert drawn.getbbox() is not None, letter
        assert ImageChops.difference(drawn, missing).getbbox() is not None, letter


def test_a_snapshot_gets_its_caption_band() -> None:
    source = io.BytesIO()
    Image.new("RGB", (1920, 1080), (200, 200, 200)).save(source, "JPEG")
    out = Image.open(io.BytesIO(annotate(source.getvalue(), CAPTION)))
    assert out.size == (1280, 720)
    # The band darkens the foot of the picture; the caption's letters are light on it.
    band = out.crop((0, 650, 1280, 720)).convert("L")
    low, high = band.getextrema()
    assert low < 100 and high > 200
    assert Image.open(io.BytesIO(placeholder(CAPTION))).size == (640, 360)
