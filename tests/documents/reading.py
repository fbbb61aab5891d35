"""Reading exported files back as a person opening them would."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
from docx import Document
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
