"""The forms' typography per Decree 30/2020/NĐ-CP (Annex I): face, sizes, page, line breaks.

The PDF and the DOCX take every size and margin from here, so the two print alike. Decree 30
asks for a Unicode Times New Roman face: the DOCX names it, the PDF embeds DutyDesk Termes, a
Times-metric face shipped with the package (bot/fonts), so lines break at the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from bot.fonts import SERIF, SERIF_BOLD, SERIF_BOLD_ITALIC, SERIF_ITALIC, font_path

# The face a DOCX names: the one the decree asks for, which Word has on a clerk's machine.
DOCX_FACE = "Times New Roman"
# reportlab's names of the embedded faces.
FACES = {
    "Serif": SERIF,
    "Serif-Bold": SERIF_BOLD,
    "Serif-Italic": SERIF_ITALIC,
    "Serif-BoldItalic": SERIF_BOLD_ITALIC,
}
REGULAR, BOLD, ITALIC = "DD-Serif", "DD-Serif-Bold", "DD-Serif-Italic"

# Sizes in points (Decree 30, Annex I, part II and its table of sizes).
BODY = 14  # the running text, "Kính gửi", the signer's title and name: 13-14
TITLE = 14  # the kind of document ("THÔNG BÁO"): 13-14, bold
HEAD = 13  # the parent body, the issuer, the national name: 12-13
MOTTO = 14  # "Độc lập - Tự do - Hạnh phúc": 13-14, bold
NUMBER = 13  # "Số: …", the fax number and time: 13
PLACE_DATE = 13  # the place and date: 13-14, italic (13 keeps a long place on one line)
RECIPIENTS_TITLE = 12  # "Nơi nhận:": 12, bold italic
RECIPIENTS = 11  # each recipient: 11
NOTE = 12  # notes in brackets under a signer's title
TABLE = 10  # a wide table of figures inside a report
# The page: A4, margins top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 20, 20, 30, 15
TOP, BOTTOM, LEFT, RIGHT = TOP_MM * mm, BOTTOM_MM * mm, LEFT_MM * mm, RIGHT_MM * mm
# The heading's two blocks: the issuer's share of the line, the nation's the rest.
ISSUER_SHARE = 0.4
# The first line of a paragraph is indented 1-1.27 cm.
INDENT_CM = 1.0


@cache
def register() -> None:
    """Register the embedded faces with reportlab once."""
    for name, file in FACES.items():
        pdfmetrics.registerFont(TTFont(f"DD-{name}", str(font_path(file))))
    pdfmetrics.registerFontFamily(
        "DD-Serif",
        normal="DD-Serif",
        bold="DD-Serif-Bold",
        italic="DD-Serif-Italic",
        boldItalic="DD-Serif-BoldItalic",
    )


def width(text: str, size: float, *, bold: bool = False) -> float:
    """How wide a line prints, in points."""
    register()
    return pdfmetrics.stringWidth(text, BOLD if bold else REGULAR, size)


# Words that start a group of a body's name ("CỤC ĐIỀU TRA | CHỐNG BUÔN LẬU"): a heading's
# name breaks only before them, never inside a group ("CHỐNG BUÔN / LẬU").
GROUP_STARTS = frozenset(
    {
        "CHỐNG",
        "HẢI",
        "CỬA",
        "CẢNG",
        "KHU",
        "SÂN",
        "TỈNH",
        "THÀNH",
        "TP.",
        "CHI",
        "CỤC",
        "ĐỘI",
        "PHÒNG",
        "VĂN",
        "TRUNG",
        "BAN",
        "KIỂM",
        "GIÁM",
        "QUẢN",
        "XUẤT",
        "THUẾ",
        "TRỰC",
        "KV",
    }
)


# Words that end a group: a company's form ("CÔNG TY TNHH | ABC VIỆT NAM").
GROUP_ENDS = frozenset({"TNHH", "PHẦN", "HỮU"})


def word_groups(name: str) -> list[str]:
    """A capitalised name cut into its word groups."""
    groups: list[list[str]] = []
    for word in name.split():
        last = groups[-1][-1].upper() if groups else ""
        # "TỔNG CỤC", "CHI CỤC" are one word of two.
        starts = (word.upper() in GROUP_STARTS and last not in ("TỔNG", "CHI")) or (
            last in GROUP_ENDS
        )
        if not groups or starts:
            groups.append([word])
        else:
            groups[-1].append(word)
    return [" ".join(group) for group in groups]


def wrap_name(name: str, fits: Callable[[str], bool]) -> list[str]:
    """A body's name in lines that fit, broken between word groups only.

    Explicit line breaks in the name are kept; a group too long for a line on its own is
    the only thing broken between words.
    """
    lines: list[str] = []
    for part in name.split("\n"):
        line = ""
        for group in word_groups(part):
            joined = f"{line} {group}" if line else group
            if fits(joined) or not line:
                line = joined
            else:
                lines.append(line)
                line = group
        if line:
            lines.append(line)
    return lines
