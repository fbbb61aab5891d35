"""Reading exported files back as a person opening them would."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

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
    """Render a PDF's first page with pdftoppm (poppler-utils), as an inspector would see it."""
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(folder / name)],
        check=True,
    )
    (png,) = folder.glob(f"{name}*.png")
    return png
