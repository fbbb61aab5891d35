"""Reading exported files back as a person opening them would."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pypdfium2
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


def render_png(data: bytes, folder: Path, name: str) -> Path:
    """Render a PDF's first page at 50 dpi, as an inspector would see it (PDFium, from PyPI)."""
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=50 / 72).to_pil()
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
