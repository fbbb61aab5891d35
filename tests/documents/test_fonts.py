"""The faces PDFs and captions print with come with the package, not the system.

The forms' serif (DutyDesk Termes, Times-metric, Decree 30's face) is shipped in bot/fonts
with its licence; the captions' DejaVu Sans comes from the installed matplotlib. CI's Chromium
may bring Debian's fonts along; these tests hold whether or not they are there, so a machine
with only Python needs none (checked too with /usr/share/fonts hidden).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

from pypdf import PdfReader

from bot.camera.annotate import caption_font
from bot.documents.periods import Period
from bot.documents.service import Documents, Format
from bot.fonts import font_path
from tests.documents.shift import RecordedShift, at

ROOT = Path(__file__).resolve().parents[2]


def matplotlib_folder() -> Path:
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def test_every_face_is_read_from_the_package_with_its_licence() -> None:
    from bot.documents.pdf_out import FACES

    shipped = ROOT / "bot" / "fonts" / "termes"
    for face in FACES.values():
        assert font_path(face).is_relative_to(shipped), face
    licence = (shipped / "GUST-FONT-LICENSE.txt").read_text(encoding="utf-8")
    assert "LaTeX Project Public License" in licence
    caption = caption_font(20)
    assert Path(str(getattr(caption, "path", ""))).is_relative_to(matplotlib_folder())


def test_the_forms_face_has_every_vietnamese_letter() -> None:
    """Every precomposed Vietnamese letter, both cases, in each of the four styles."""
    from fontTools.ttLib import TTFont

    from bot.documents.pdf_out import FACES

    vowels = "aăâeêioôơuưy"
    marks = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    letters = {unicodedata.normalize("NFC", vowel + mark) for vowel in vowels for mark in marks} | {
        "đ"
    }
    letters |= {letter.upper() for letter in letters}
    for face in FACES.values():
        cmap = TTFont(font_path(face)).getBestCmap()
        missing = sorted(letter for letter in letters if ord(letter) not in cmap)
        assert not missing, (face, missing)


def test_finding_the_faces_does_not_import_matplotlib() -> None:
    """matplotlib costs tens of megabytes: printing a PDF or a caption must not load it."""
    probe = (
        "import sys\n"
        "from bot.documents.pdf_out import fonts\n"
        "from bot.camera.annotate import caption_font\n"
        "fonts(); caption_font(12)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_logbook_pdf_embeds_real_italics(shift: RecordedShift) -> None:
    """The place and date under the motto print in the Termes italic, not the upright face."""
    desk = shift.desk
    day = dt.date(2026, 11, 25)
    made = Documents(desk.settings, desk.engine, desk.roster).logbook(
        Period(day, day), Format.PDF, at(15, 0)
    )
    faces = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(made.data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert {
        "DutyDeskTermes-Regular",
        "DutyDeskTermes-Bold",
        "DutyDeskTermes-Italic",
    } <= faces
