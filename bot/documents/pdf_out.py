"""Forms and the logbook as PDF (reportlab), in the Times-metric face of bot/fonts.

Sizes, margins and the heading's line breaks follow Decree 30/2020 (bot/documents/typeface.py),
the same numbers the DOCX is laid out with.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from bot.documents import typeface as tf
from bot.documents.blocks import Align, Form, Para, Signature, cell_text
from bot.documents.blocks import Table as TableBlock
from bot.documents.heading import MOTTO, NATION, Heading
from bot.documents.logbook import COLUMNS, TITLE, LogbookSheet
from bot.documents.printable import printable

# Streams are compressed and left binary: reportlab's default also encodes them in ASCII85,
# a text-safe form no reader needs, which makes a month's logbook a fifth larger (4.1 MB
# against 3.4) and is work on every page.
rl_config.useA85 = 0

# The embedded faces (the core PDF fonts have no Vietnamese letters).
FACES = tf.FACES
fonts = tf.register
# reportlab's TA_LEFT, TA_CENTER, TA_JUSTIFY (its drawing code wants the numbers).
_ALIGN: dict[Align, Literal[0, 1, 4]] = {Align.LEFT: 0, Align.CENTER: 1, Align.JUSTIFY: 4}
# A line under the issuer and under the motto, as the decree draws them.
_ISSUER_RULE, _MOTTO_RULE = "———————", "———————————"


def _style(
    size: float = tf.BODY, align: Align = Align.CENTER, indent: float = 0, after: float = 0
) -> ParagraphStyle:
    return ParagraphStyle(
        "p",
        fontName=tf.REGULAR,
        fontSize=size,
        leading=size * 1.2,
        alignment=_ALIGN[align],
        firstLineIndent=indent,
        spaceAfter=after,
    )


def _printed(text: str) -> str:
    """The exports' one rule for text; a tab prints as a space (no tab stops in a cell)."""
    return printable(text).replace("\t", " ")


def _markup(text: str, *, bold: bool = False, italic: bool = False) -> str:
    out = escape(_printed(text)).replace("\n", "<br/>")
    if bold:
        out = f"<b>{out}</b>"
    if italic:
        out = f"<i>{out}</i>"
    return out


# A line of a heading or signature block: its text, size, bold, italic.
_Line = tuple[str, float, bool, bool]


def _lines(lines: Sequence[_Line]) -> list[Flowable]:
    return [Paragraph(_markup(text, bold=b, italic=i), _style(size)) for text, size, b, i in lines]


def name_lines(name: str, column: float, *, bold: bool) -> list[str]:
    """A body's name in lines that fit its block, broken between word groups."""
    return tf.wrap_name(printable(name), lambda line: tf.width(line, tf.HEAD, bold=bold) <= column)


def _heading(heading: Heading, width: float) -> Table:
    column = width * tf.ISSUER_SHARE
    left: list[_Line] = []
    if heading.parent:
        parent = name_lines(heading.parent, column, bold=False)
        left += [(line, tf.HEAD, False, False) for line in parent]
    left += [(line, tf.HEAD, True, False) for line in name_lines(heading.issuer, column, bold=True)]
    left.append((_ISSUER_RULE, tf.HEAD, False, False))
    left += [(text, tf.NUMBER, False, False) for text in heading.below]
    right: list[_Line] = []
    if heading.national:
        right = [
            (NATION, tf.HEAD, True, False),
            (MOTTO, tf.MOTTO, True, False),
            (_MOTTO_RULE, tf.HEAD, False, False),
        ]
        if heading.place_date:
            right.append((heading.place_date, tf.PLACE_DATE, False, True))
    table = Table([[_lines(left), _lines(right)]], colWidths=[column, width - column])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _para(block: Para) -> Paragraph:
    text = "".join(_markup(run.text, bold=run.bold, italic=run.italic) for run in block.runs)
    return Paragraph(
        text,
        _style(
            block.size or tf.BODY,
            block.align,
            indent=tf.INDENT_CM * cm if block.indent else 0,
            after=6,
        ),
    )


def _signature(signature: Signature, width: float) -> list[Flowable]:
    left: list[Flowable] = [
        Paragraph(
            _markup("Nơi nhận:", bold=True, italic=True),
            _style(tf.RECIPIENTS_TITLE, Align.LEFT),
        )
    ]
    left += [
        Paragraph(_markup(f"- {r}"), _style(tf.RECIPIENTS, Align.LEFT))
        for r in signature.recipients
    ]
    right_lines: list[_Line] = []
    if signature.date_line:
        right_lines.append((signature.date_line, tf.PLACE_DATE, False, True))
    right_lines += [(text, tf.BODY, True, False) for text in signature.signer.split("\n")]
    right = _lines(right_lines)
    if signature.signer_note:
        right.append(Paragraph(_markup(signature.signer_note, italic=True), _style(tf.NOTE)))
    right.append(Spacer(1, 2.2 * cm))
    if signature.name:
        right.append(Paragraph(_markup(signature.name, bold=True), _style(tf.BODY)))
    table = Table([[left, right]], colWidths=[width * 0.4, width * 0.6])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    # Space before the block belongs to the table, so the paragraph kept with it reaches it.
    table.spaceBefore = 0.4 * cm
    story: list[Flowable] = [table]
    if signature.decision_title:
        story += [
            Spacer(1, 0.6 * cm),
            Paragraph(_markup(signature.decision_title, bold=True), _style(tf.BODY)),
        ]
        if signature.decision_note:
            story.append(Paragraph(_markup(signature.decision_note, italic=True), _style(tf.NOTE)))
        story += [
            Paragraph(_markup(text), _style(tf.BODY, Align.JUSTIFY, after=3))
            for text in signature.decision
        ]
    return story


def _table(block: TableBlock, width: float) -> Table:
    """A ruled table in small print; the header row repeats on each page."""
    head, body = _style(tf.TABLE), _style(tf.TABLE, Align.LEFT)
    rows = [[Paragraph(_markup(title, bold=True), head) for title in block.columns]]
    rows += [[Paragraph(_markup(cell_text(value)), body) for value in row] for row in block.rows]
    total = sum(block.widths)
    table = Table(rows, colWidths=[width * share / total for share in block.widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def render_form(form: Form) -> bytes:
    """A form (Annexes II-V, 247 Annex II, the equipment report) as PDF bytes, A4."""
    tf.register()
    buffer = io.BytesIO()
    page = landscape(A4) if form.landscape else A4
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=tf.LEFT,
        rightMargin=tf.RIGHT,
        topMargin=tf.TOP,
        bottomMargin=tf.BOTTOM,
        title=form.subtitle or form.title,
    )
    width = page[0] - tf.LEFT - tf.RIGHT
    story: list[Flowable] = []
    if form.banner:
        story += [Paragraph(_markup(form.banner, bold=True), _style(tf.BODY)), Spacer(1, 4)]
    story += [_heading(form.heading, width), Spacer(1, 0.6 * cm)]
    if form.title:
        story.append(Paragraph(_markup(form.title, bold=True), _style(tf.TITLE)))
    if form.subtitle:
        story.append(Paragraph(_markup(form.subtitle, bold=True), _style(tf.BODY)))
    story.append(Spacer(1, 0.5 * cm))
    for block, following in zip(form.body, [*form.body[1:], None], strict=True):
        if isinstance(block, TableBlock):
            story += [_table(block, width), Spacer(1, 0.3 * cm)]
            continue
        paragraph = _para(block)
        # A table's title stays on the table's page, and the last paragraph on the
        # signature's: a signature never stands alone on a page.
        paragraph.keepWithNext = (
            block.heading
            or isinstance(following, TableBlock)
            or (following is None and form.signature is not None)
        )
        story.append(paragraph)
    if form.signature is not None:
        story += _signature(form.signature, width)
    document.build(story, onLaterPages=_page_number)
    return buffer.getvalue()


def _page_number(canvas: Canvas, document: SimpleDocTemplate) -> None:
    """Decree 30: pages from the second numbered, centred in the top margin, 13-14 pt."""
    canvas.saveState()
    canvas.setFont(tf.REGULAR, tf.BODY)
    width, height = document.pagesize
    centre = document.leftMargin + (width - document.leftMargin - document.rightMargin) / 2
    canvas.drawCentredString(centre, height - tf.TOP / 2 - tf.BODY / 3, str(canvas.getPageNumber()))
    canvas.restoreState()


class _Widths:
    """Text widths from a per-character table: a month of lines is millions of characters."""

    def __init__(self, font: str, size: float) -> None:
        self._face = pdfmetrics.getFont(font)
        self._size = size
        self._known: dict[str, float] = {}

    def of(self, text: str) -> float:
        known = self._known
        total = 0.0
        for char in text:
            width = known.get(char)
            if width is None:
                width = known[char] = self._face.stringWidth(char, self._size)
            total += width
        return total

    def wrap(self, text: str, width: float) -> list[str]:
        """Break text into lines no wider than `width`, at spaces where it can."""
        lines: list[str] = []
        space = self.of(" ")
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                size = self.of(word)
                if line and used + space + size <= width:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                while size > width:
                    # A word longer than the column (a URL, a run of digits) is cut.
                    cut = len(word)
                    while cut > 1 and self.of(word[:cut]) > width:
                        cut = max(1, int(cut * width / self.of(word[:cut])))
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.of(word)
                line, used = word, size
            lines.append(line)
        return lines


class _LogbookPages:
    """Draws the Annex I table straight on the canvas: a row at a time, header on each page."""

    SIZE = 7.0
    LEADING = 8.4
    PAD = 2.0
    MARGIN = 1.2 * cm

    def __init__(self, canvas: Canvas, sheet: LogbookSheet) -> None:
        self.canvas = canvas
        self.sheet = sheet
        self.page_width, self.page_height = landscape(A4)
        usable = self.page_width - 2 * self.MARGIN
        shares = (1.0, 2.0, 3.6, 4.0, 5.2, 4.6, 4.0, 2.8)
        self.widths = [usable * s / sum(shares) for s in shares]
        self.xs = [self.MARGIN + sum(self.widths[:i]) for i in range(len(self.widths) + 1)]
        self.text = _Widths("DD-Serif", self.SIZE)
        self.bold = _Widths("DD-Serif-Bold", self.SIZE)
        self.bottom = self.MARGIN + 1.0 * cm
        self.page = 0
        self.y = 0.0
        self.top = 0.0

    def draw(self) -> None:
        self._start_page(first=True)
        for line in self.sheet.lines:
            cells = [
                self.text.wrap(_printed(text), width - 2 * self.PAD)
                for text, width in zip(line.cells(), self.widths, strict=True)
            ]
            self._row(cells, "DD-Serif")
        self._finish_page()

    def _start_page(self, first: bool = False) -> None:
        canvas = self.canvas
        self.page += 1
        self.y = self.page_height - self.MARGIN
        if first:
            self._heading()
        self.top = self.y
        header = [
            self.bold.wrap(title, width - 2 * self.PAD)
            for title, width in zip(COLUMNS, self.widths, strict=True)
        ]
        canvas.line(self.xs[0], self.y, self.xs[-1], self.y)
        self._cells(header, "DD-Serif-Bold", max(len(c) for c in header), centred=True)

    def _heading(self) -> None:
        canvas, sheet, heading = self.canvas, self.sheet, self.sheet.heading
        left_x = self.MARGIN + 4.5 * cm
        right_x = self.page_width - self.MARGIN - 7.5 * cm
        y = self.y - 10
        left = [(heading.parent, "DD-Serif")] if heading.parent else []
        left += [(heading.issuer, "DD-Serif-Bold"), ("———————", "DD-Serif")]
        right = [(NATION, "DD-Serif-Bold"), (MOTTO, "DD-Serif-Bold"), ("———————————", "DD-Serif")]
        if heading.place_date:
            right.append((heading.place_date, "DD-Serif-Italic"))
        for column, x in ((left, left_x), (right, right_x)):
            line_y = y
            for text, font in column:
                canvas.setFont(font, 10.5)
                canvas.drawCentredString(x, line_y, _printed(text))
                line_y -= 13
        y -= 13 * max(len(left), len(right)) + 14
        canvas.setFont("DD-Serif-Bold", 14)
        canvas.drawCentredString(self.page_width / 2, y, TITLE)
        canvas.setFont("DD-Serif-Italic", 10.5)
        canvas.drawCentredString(self.page_width / 2, y - 15, _printed(sheet.period))
        self.y = y - 28

    def _row(self, cells: list[list[str]], font: str) -> None:
        while True:
            need = max(len(c) for c in cells)
            room = int((self.y - self.bottom - 2 * self.PAD) // self.LEADING)
            if need <= room:
                self._cells(cells, font, need)
                return
            capacity = int((self.page_height - 2 * self.MARGIN - 1 * cm - 40) // self.LEADING)
            if room < 1 or need <= capacity:
                # Start the row on a fresh page; only a row taller than a page is split.
                self._finish_page()
                self._start_page()
                continue
            self._cells([c[:room] for c in cells], font, room)
            cells = [c[room:] for c in cells]
            self._finish_page()
            self._start_page()

    def _cells(
        self, cells: list[list[str]], font: str, height_lines: int, centred: bool = False
    ) -> None:
        canvas = self.canvas
        text = canvas.beginText()
        text.setFont(font, self.SIZE, self.LEADING)
        for lines, x, width in zip(cells, self.xs, self.widths, strict=False):
            if not lines or lines == [""]:
                continue
            if centred:
                for n, content in enumerate(lines):
                    offset = (width - self.bold.of(content)) / 2
                    text.setTextOrigin(x + offset, self.y - self.PAD - self.SIZE - n * self.LEADING)
                    text.textOut(content)
            else:
                text.setTextOrigin(x + self.PAD, self.y - self.PAD - self.SIZE)
                text.textLines(lines)
        canvas.drawText(text)
        self.y -= height_lines * self.LEADING + 2 * self.PAD
        canvas.line(self.xs[0], self.y, self.xs[-1], self.y)

    def _finish_page(self) -> None:
        canvas = self.canvas
        for x in self.xs:
            canvas.line(x, self.top, x, self.y)
        canvas.setFont("DD-Serif-Italic", 8)
        canvas.drawRightString(self.page_width - self.MARGIN, self.MARGIN, f"Trang {self.page}")
        if self.sheet.footer:
            canvas.drawString(self.MARGIN, self.MARGIN, _printed(self.sheet.footer))
        canvas.showPage()


def render_logbook(sheet: LogbookSheet) -> bytes:
    """The Annex I logbook as PDF bytes, A4 landscape."""
    tf.register()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), pageCompression=1)
    canvas.setTitle(f"{TITLE} — {sheet.period}")
    canvas.setLineWidth(0.5)
    _LogbookPages(canvas, sheet).draw()
    canvas.save()
    return buffer.getvalue()
