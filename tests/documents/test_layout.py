"""Every form is laid out per Decree 30/2020: A4, its margins, a Unicode Times-metric face at
its sizes, in the PDF as read back by PDFium and in the DOCX as Word reads it.

A page of each form is rendered to PNG in the test's folder (printed) to be looked at.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from bot.documents.cases import Annex
from bot.documents.service import Documents, Exported, Format, Missing
from bot.stats.periods import parse_stats_period
from tests.documents.reading import PrintedPage, printed_pages, render_png
from tests.documents.shift import RecordedShift, at

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
# Decree 30/2020, Annex I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}
# The face the PDFs embed (bot/fonts): TeX Gyre Termes, metric-compatible with Times.
FACE = "DutyDeskTermes"
FORMS = ("annex2", "annex3", "annex4", "annex5", "epz-notice", "equipment")


def made(result: Exported | Missing) -> Exported:
    assert isinstance(result, Exported), result
    return result


def form(shift: RecordedShift, name: str, fmt: Format) -> bytes:
    desk = shift.desk
    docs = Documents(desk.settings, desk.engine, desk.roster)
    if name == "epz-notice":
        return made(docs.outage(shift.outage_id, fmt)).data
    if name == "equipment":
        period = parse_stats_period("2026-11-25", at(15, 0).date())
        assert period is not None
        return docs.equipment(period, fmt, at(15, 0)).data
    label = shift.escalated.label if name == "annex3" else shift.coordination.label
    return made(docs.incident(label, Annex(name), fmt, at(15, 0))).data


def margins_mm(page: PrintedPage) -> dict[str, float]:
    """How far the ink of a page stays from each edge, in millimetres."""
    chars = page.chars
    return {
        "left": min(c.left for c in chars) / MM,
        "right": (page.width - max(c.right for c in chars)) / MM,
        "top": (page.height - max(c.top for c in chars)) / MM,
        "bottom": min(c.bottom for c in chars) / MM,
    }


@pytest.mark.parametrize("name", FORMS)
def test_the_pdf_prints_in_the_decrees_face_sizes_and_margins(
    shift: RecordedShift, name: str, tmp_path: Path
) -> None:
    data = form(shift, name, Format.PDF)
    png = render_png(data, tmp_path, name, dpi=100)
    print(f"\n{name}: {png}")
    pages = printed_pages(data)
    for page in pages:
        size = sorted((round(page.width, 1), round(page.height, 1)))
        assert size == sorted((round(A4[0], 1), round(A4[1], 1))), name
        assert {c.font.split("-")[0] for c in page.chars} == {FACE}, name
    first = pages[0]
    landscape = first.width > first.height
    ink = margins_mm(first)
    # Text reaches the left margin (headings, "Nơi nhận") and never crosses any margin.
    low, high = MARGINS["left"]
    assert low - 0.5 <= ink["left"] <= high, (name, ink)
    for edge in ("right", "top", "bottom"):
        assert ink[edge] >= MARGINS[edge][0] - 0.5, (name, edge, ink)
    assert ink["top"] <= MARGINS["top"][1] + 6, (name, ink)
    sizes = {c.size for page in pages for c in page.chars}
    # Running text at 14 pt; headings 13; recipients 11-12; only a report's tables smaller.
    assert 14.0 in sizes and 13.0 in sizes, (name, sizes)
    assert sizes <= ({10.0} if landscape else set()) | {11.0, 12.0, 13.0, 14.0}, (name, sizes)
    body = [c for c in first.chars if c.size == 14.0 and "Bold" not in c.font]
    assert len(body) > 100, name


@pytest.mark.parametrize("name", FORMS)
def test_the_docx_names_times_new_roman_on_the_decrees_page(
    shift: RecordedShift, name: str
) -> None:
    document = Document(io.BytesIO(form(shift, name, Format.DOCX)))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size is not None and normal.font.size.pt == 14
    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: read back to a tenth of a millimetre.
    page = {round(length.mm, 1) for length in (section.page_width, section.page_height) if length}
    assert page == {210.0, 297.0}
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) if m else None for m in margins] == [20.0, 20.0, 30.0, 15.0]


@pytest.mark.parametrize("name", FORMS)
def test_a_signature_never_stands_alone_on_its_page(shift: RecordedShift, name: str) -> None:
    """The last paragraph goes over with the signature block when the block does not fit."""
    pages = printed_pages(form(shift, name, Format.PDF))
    page = next(page for page in pages if "Nơi nhận:" in page.text)
    above = page.text.split("Nơi nhận:")[0]
    # The last paragraph at least, and the title of its section when it has one.
    assert len(above.split()) >= 5, (name, above)


def test_pages_after_the_first_are_numbered_in_the_top_margin(shift: RecordedShift) -> None:
    """Decree 30: the first page carries no number; the next are numbered, centred above."""
    pages = printed_pages(form(shift, "epz-notice", Format.PDF))
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        in_margin = [c for c in page.chars if c.bottom > page.height - MARGINS["top"][0] * MM]
        if number == 1:
            assert in_margin == []
            continue
        assert "".join(c.char for c in in_margin) == str(number)
        middle = (in_margin[0].left + in_margin[-1].right) / 2 / MM
        assert abs(middle - (30 + (210 - 30 - 15) / 2)) < 1, middle
    document = Document(io.BytesIO(form(shift, "epz-notice", Format.DOCX)))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert 'w:instr="PAGE"' in section.header._element.xml
    assert section.first_page_header.paragraphs[0].text == ""
