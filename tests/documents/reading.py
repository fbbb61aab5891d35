"""Reading exported files back as a person opening them would."""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pypdfium2
import pypdfium2.raw as pdfium_c
from docx import Document
from PIL import ImageOps
from pypdf import PdfReader


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, in order, one per line."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (it must parse)."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """Text with runs of whitespace made one space: PDF lines break inside cells."""
    return " ".join(text.split())


def render_png(data: bytes, folder: Path, name: str, dpi: int = 50) -> Path:
    """Render a PDF's first page (50 dpi: as an inspector would glance at it; PDFium, PyPI)."""
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    png = folder / f"{name}.png"
    image.save(png)
    return png


def readable_text(name: str, data: bytes) -> str:
    """The file opened in its format's reader; its text as a person would read it."""
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
        # Text stays text: a line starting with "=" is not a formula.
        assert all(c.data_type != "f" for c in cells), name
        return "\n".join(str(c.value) for c in cells if c.value is not None)
    if name.endswith(".docx"):
        Document(io.BytesIO(data))
        return docx_text(data)
    assert name.endswith(".pdf"), name
    document = pypdfium2.PdfDocument(data)
    try:
        for page in document:
            # Ink on every page: something is printed, not a blank sheet.
            ink = ImageOps.invert(page.render(scale=0.3).to_pil().convert("L"))
            assert ink.getbbox() is not None, name
    finally:
        document.close()
    return pdf_text(data)


@dataclass(frozen=True)
class PrintedChar:
    """One character as PDFium reads it off a page: where it sits, its face and size."""

    char: str
    left: float
    right: float
    bottom: float
    top: float
    size: float
    font: str


@dataclass(frozen=True)
class PrintedPage:
    """A PDF page's box (points) and its characters."""

    width: float
    height: float
    chars: list[PrintedChar]

    def lines(self) -> list[str]:
        """The page's text as PDFium breaks it into lines."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    text: str = ""


def printed_pages(data: bytes) -> list[PrintedPage]:
    """Every page of a PDF read back by PDFium: its size, each character's box, face, size."""
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        for page in document:
            text = page.get_textpage()
            chars = []
            buffer = ctypes.create_string_buffer(256)
            flags = ctypes.c_int()
            for index in range(text.count_chars()):
                char = text.get_text_range(index, 1)
                if not char.strip():
                    continue
                left, bottom, right, top = text.get_charbox(index)
                pdfium_c.FPDFText_GetFontInfo(text.raw, index, buffer, 256, flags)
                chars.append(
                    PrintedChar(
                        char,
                        left,
                        right,
                        bottom,
                        top,
                        round(pdfium_c.FPDFText_GetFontSize(text.raw, index), 1),
                        buffer.value.decode("utf-8", "replace"),
                    )
                )
            width, height = page.get_size()
            pages.append(PrintedPage(width, height, chars, text.get_text_range()))
    finally:
        document.close()
    return pages
