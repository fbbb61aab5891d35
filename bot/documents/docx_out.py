"""Forms and the logbook as DOCX (python-docx), laid out as the annexes are printed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.documents import typeface as tf
from bot.documents.blocks import Align, Form, Para, Signature, Table, cell_text
from bot.documents.heading import MOTTO, NATION, Heading
from bot.documents.logbook import COLUMNS, TITLE, LogbookSheet
from bot.documents.printable import printable

# Decree 30/2020 on official documents: Times New Roman, A4, its margins (typeface.py).
FONT = tf.DOCX_FACE
_ALIGN = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY,
}
# Columns of the printed logbook, in centimetres (A4 landscape less its margins).
LOGBOOK_WIDTHS_CM = (1.0, 2.0, 3.6, 4.0, 5.2, 4.6, 4.0, 2.8)


def _new(size: float, *, landscape: bool = False, logbook: bool = False) -> DocxDocument:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(size)
    # East Asian text falls back to another font unless told; Vietnamese is Latin script
    # but Word picks rFonts per script, so every slot names the same face.
    fonts = normal.element.rPr.rFonts
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    normal.paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    if logbook:
        # The logbook is a register, not a letter: its wide table keeps narrow margins.
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.left_margin, section.right_margin = Cm(2.0), Cm(1.5)
    else:
        section.top_margin, section.bottom_margin = Mm(tf.TOP_MM), Mm(tf.BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(tf.LEFT_MM), Mm(tf.RIGHT_MM)
    return document


def _line(
    target: DocxDocument | _Cell,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: Align = Align.CENTER,
) -> Paragraph:
    paragraph = target.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    run = paragraph.add_run(printable(text))
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def _first(cell: _Cell, text: str, *, size: float | None = None, **style: object) -> None:
    """Fill a cell's own first paragraph (a new cell has one, empty)."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(printable(text))
    run.bold = bool(style.get("bold"))
    run.italic = bool(style.get("italic"))
    if size:
        run.font.size = Pt(size)


def _fill(cell: _Cell, lines: Sequence[tuple[str, float, bool, bool]]) -> None:
    """A heading block: each line centred in its cell, with its own size and style."""
    for index, (text, size, bold, italic) in enumerate(lines):
        if index == 0:
            _first(cell, text, size=size, bold=bold, italic=italic)
        else:
            _line(cell, text, bold=bold, italic=italic, size=size)


def _heading(document: DocxDocument, heading: Heading, width_cm: float) -> None:
    """Issuer left, nation right, each centred in its block, no borders (as on the annexes).

    The issuer's name breaks where the PDF breaks it: between word groups, at the same width.
    """
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    column = width_cm * tf.ISSUER_SHARE
    left.width, right.width = Cm(column), Cm(width_cm - column)
    lines: list[tuple[str, float, bool, bool]] = []

    def wrapped(name: str, bold: bool) -> list[str]:
        fits = column * _POINTS_PER_CM
        return tf.wrap_name(
            printable(name), lambda line: tf.width(line, tf.HEAD, bold=bold) <= fits
        )

    if heading.parent:
        lines += [(line, tf.HEAD, False, False) for line in wrapped(heading.parent, False)]
    lines += [(line, tf.HEAD, True, False) for line in wrapped(heading.issuer, True)]
    lines.append(("———————", tf.HEAD, False, False))
    lines += [(text, tf.NUMBER, False, False) for text in heading.below]
    _fill(left, lines)
    if not heading.national:
        return
    nation = [
        (NATION, tf.HEAD, True, False),
        (MOTTO, tf.MOTTO, True, False),
        ("———————————", tf.HEAD, False, False),
    ]
    if heading.place_date:
        nation.append((heading.place_date, tf.PLACE_DATE, False, True))
    _fill(right, nation)


_POINTS_PER_CM = 72 / 2.54


def _para(document: DocxDocument, block: Para) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = _ALIGN[block.align]
    paragraph.paragraph_format.space_after = Pt(6)
    if block.indent:
        paragraph.paragraph_format.first_line_indent = Cm(tf.INDENT_CM)
    for piece in block.runs:
        run = paragraph.add_run(printable(piece.text))
        run.bold, run.italic = piece.bold, piece.italic
        if block.size:
            run.font.size = Pt(block.size)
    return paragraph


def _signature(document: DocxDocument, signature: Signature, width_cm: float) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(width_cm * 0.4), Cm(width_cm * 0.6)
    title = left.paragraphs[0].add_run("Nơi nhận:")
    title.bold = title.italic = True
    title.font.size = Pt(tf.RECIPIENTS_TITLE)
    for recipient in signature.recipients:
        _line(left, f"- {recipient}", size=tf.RECIPIENTS, align=Align.LEFT)
    lines: list[tuple[str, float, bool, bool]] = []
    if signature.date_line:
        lines.append((signature.date_line, tf.PLACE_DATE, False, True))
    lines += [(text, tf.BODY, True, False) for text in signature.signer.split("\n")]
    if signature.signer_note:
        lines.append((signature.signer_note, tf.NOTE, False, True))
    _fill(right, lines)
    for _ in range(3):
        _line(right, "")
    if signature.name:
        _line(right, signature.name, bold=True, size=tf.BODY)
    if signature.decision_title:
        document.add_paragraph()
        _line(document, signature.decision_title, bold=True)
        if signature.decision_note:
            _line(document, signature.decision_note, italic=True, size=tf.NOTE)
        for text in signature.decision:
            _line(document, text, align=Align.JUSTIFY)


def _save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document: DocxDocument, table: Table, width_cm: float) -> None:
    """A ruled table in small print, its header row repeated on every page."""
    total = sum(table.widths)
    twips = [int(width_cm * 567 * share / total) for share in table.widths]
    rows = [[cell_text(value) for value in row] for row in table.rows]
    xml = _table_xml(table.columns, rows, twips, size=TABLE_SIZE)
    element = parse_xml(xml.replace("<w:tbl>", f"<w:tbl {_W_NAMESPACE}>", 1))
    # The paragraph after the table keeps it apart from what follows.
    document.add_paragraph()._p.addprevious(element)


def _page_numbers(document: DocxDocument) -> None:
    """Decree 30: pages from the second numbered, centred in the top margin (a PAGE field)."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.header_distance = Mm(tf.TOP_MM / 2)
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {_W_NAMESPACE} w:instr="PAGE"><w:r><w:t>2</w:t></w:r></w:fldSimple>'
        )
    )


def render_form(form: Form) -> bytes:
    """A form (Annexes II-V, 247 Annex II, the equipment report) as DOCX bytes, A4."""
    document = _new(tf.BODY, landscape=form.landscape)
    _page_numbers(document)
    section = document.sections[0]
    assert section.page_width is not None and section.left_margin is not None
    assert section.right_margin is not None
    width_cm = (section.page_width - section.left_margin - section.right_margin) / 360000
    if form.banner:
        _line(document, form.banner, bold=True)
    _heading(document, form.heading, width_cm)
    document.add_paragraph()
    if form.title:
        _line(document, form.title, bold=True, size=tf.TITLE)
    if form.subtitle:
        _line(document, form.subtitle, bold=True)
    document.add_paragraph()
    for block, following in zip(form.body, [*form.body[1:], None], strict=True):
        if isinstance(block, Table):
            _table(document, block, width_cm)
        else:
            # A table's title stays on the table's page, the last paragraph on the signature's.
            _para(document, block).paragraph_format.keep_with_next = (
                block.heading
                or isinstance(following, Table)
                or (following is None and form.signature is not None)
            )
    if form.signature is not None:
        _signature(document, form.signature, width_cm)
    return _save(document)


def _cell_xml(text: str, width_twips: int, bold: bool = False, size: float | None = None) -> str:
    lines = printable(text).split("\n")
    styles = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{int(size * 2)}"/>' if size else "")
    props = f"<w:rPr>{styles}</w:rPr>" if styles else ""
    paragraphs = "".join(
        f'<w:p><w:r>{props}<w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'
        for line in lines
    )
    return f'<w:tc><w:tcPr><w:tcW w:w="{width_twips}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>'


def render_logbook(sheet: LogbookSheet) -> bytes:
    """The Annex I logbook as DOCX bytes, A4 landscape, its header row on every page.

    python-docx adds cells one object at a time, and lxml moving a parsed table into the
    document walks every node again: both take many seconds for a month. The rows are
    written as one piece of WordprocessingML and put in place of a marker in the saved file.
    """
    document = _new(10, landscape=True, logbook=True)
    _heading(document, sheet.heading, 26.2)
    document.add_paragraph()
    _line(document, TITLE, bold=True, size=14)
    _line(document, sheet.period, italic=True)
    document.add_paragraph()
    document.add_paragraph(_TABLE_MARKER)
    # A paragraph must follow a table at the end of a body.
    document.add_paragraph()
    if sheet.footer:
        _line(document, sheet.footer, italic=True, align=Align.LEFT)
        document.sections[0].footer.paragraphs[0].text = printable(sheet.footer)
    twips = [int(width * 567) for width in LOGBOOK_WIDTHS_CM]
    table = _table_xml(COLUMNS, (line.cells() for line in sheet.lines), twips)
    return _put_table(_save(document), table)


_TABLE_MARKER = "@@ANNEX-I-TABLE@@"
_DOCUMENT_PART = "word/document.xml"
_W_NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# Tables inside a form are printed smaller than its running text, so ten columns fit.
TABLE_SIZE = tf.TABLE


def _table_xml(
    columns: Sequence[str],
    lines: Iterable[Sequence[str]],
    twips: Sequence[int],
    size: float | None = None,
) -> str:
    """A ruled table as WordprocessingML: the header row repeats, rows do not split."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    header = (
        "<w:tr><w:trPr><w:tblHeader/></w:trPr>"
        + "".join(
            _cell_xml(title, w, bold=True, size=size)
            for title, w in zip(columns, twips, strict=True)
        )
        + "</w:tr>"
    )
    rows = "".join(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(_cell_xml(text, w, size=size) for text, w in zip(line, twips, strict=True))
        + "</w:tr>"
        for line in lines
    )
    borders = "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{header}{rows}</w:tbl>"
    )


def _put_table(docx: bytes, table: str) -> bytes:
    """Replace the marker's paragraph in the saved document with the table."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == _DOCUMENT_PART:
                xml = data.decode("utf-8")
                marker = f"<w:p><w:r><w:t>{_TABLE_MARKER}</w:t></w:r></w:p>"
                if xml.count(marker) != 1:
                    raise ValueError("the logbook table's place was not found in the document")
                data = xml.replace(marker, table).encode("utf-8")
            target.writestr(info, data)
    return buffer.getvalue()
