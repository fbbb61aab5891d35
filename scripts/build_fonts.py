"""Make the forms' TrueType faces from TeX Gyre Termes (run by hand; the result is committed).

TeX Gyre Termes (GUST Font License, Times-metric, Vietnamese by Han The Thanh) comes from
PyPI only as OpenType with PostScript outlines, which reportlab cannot embed. This converts
each face's cubic outlines to TrueType quadratics (fontTools' cu2qu) and, as the licence
asks of derived works, gives the result new font and file names ("DutyDesk Termes").

    pip download --no-deps rinoh-typeface-texgyretermes==0.1.1 -d /tmp/termes
    unzip /tmp/termes/*.whl -d /tmp/termes
    python scripts/build_fonts.py /tmp/termes/rinoh_typeface_texgyretermes
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

TARGET = Path(__file__).resolve().parents[1] / "bot" / "fonts" / "termes"
FAMILY = "DutyDesk Termes"
STYLES = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bolditalic": "Bold Italic"}
# The outlines may move by at most this many font units (of 1000) when made quadratic.
MAX_ERR = 1.0


def add_replacement_glyph(font: TTFont, glyphs: dict[str, Any]) -> None:
    """Give U+FFFD a glyph: the exports print every character that is not text as it.

    Termes has none; without it such a character would print as nothing and read back as
    NUL. The glyph is a filled diamond with a square hole, about the size of a capital.
    """
    pen = TTGlyphPen(None)
    for points in (
        [(445, -20), (860, 335), (445, 690), (30, 335)],  # the diamond, clockwise
        [(375, 265), (375, 405), (515, 405), (515, 265)],  # the hole, the other way
    ):
        pen.moveTo(points[0])
        for point in points[1:]:
            pen.lineTo(point)
        pen.closePath()
    name = "uniFFFD"
    glyphs[name] = pen.glyph()
    # The directional and zero-width marks a pasted text may carry print as nothing.
    glyphs["zerowidth"] = TTGlyphPen(None).glyph()
    font.setGlyphOrder([*font.getGlyphOrder(), name, "zerowidth"])
    font["hmtx"].metrics[name] = (890, 30)
    font["hmtx"].metrics["zerowidth"] = (0, 0)
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0xFFFD] = name
            for code in [*range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060, 0xFEFF]:
                table.cmap.setdefault(code, "zerowidth")


def convert(source: Path, style: str) -> Path:
    # The source's timestamps are kept, so building again gives the same files.
    font = TTFont(source, recalcTimestamp=False)
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    add_replacement_glyph(font, glyphs)
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = glyphs
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = font.getGlyphOrder()
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    subfamily = STYLES[style]
    postscript = f"{FAMILY.replace(' ', '')}-{subfamily.replace(' ', '')}"
    names = font["name"]
    names.names = [n for n in names.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 21, 22)]
    for name_id, value in (
        (1, FAMILY),
        (2, subfamily),
        (3, f"{postscript};converted from TeX Gyre Termes 2.004"),
        (4, f"{FAMILY} {subfamily}"),
        (6, postscript),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    target = TARGET / f"dutydesk-termes-{style}.ttf"
    font.save(target)
    return target


def main(folder: str) -> None:
    source = Path(folder)
    TARGET.mkdir(parents=True, exist_ok=True)
    for style in STYLES:
        print(convert(source / f"texgyretermes-{style}.otf", style))
    for text in ("GUST-FONT-LICENSE.txt", "README-TeX-Gyre-Termes.txt"):
        shutil.copy(source / text, TARGET / text)


if __name__ == "__main__":
    main(sys.argv[1])
