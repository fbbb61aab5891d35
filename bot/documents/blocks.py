"""A form as a few kinds of blocks, so one form is written once and rendered as DOCX or PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.documents.heading import Heading


class Align(StrEnum):
    """How a paragraph sits on the line."""

    LEFT = "left"
    CENTER = "center"
    JUSTIFY = "justify"


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    """A paragraph of runs; `indent` is the first-line indent of running text."""

    runs: tuple[Run, ...]
    align: Align = Align.JUSTIFY
    indent: bool = False
    size: float | None = None
    # A section's title stays on the page of what it introduces.
    heading: bool = False

    @property
    def text(self) -> str:
        """The plain text."""
        return "".join(run.text for run in self.runs)


# A table cell: text, a count, or a figure with one decimal; None where there is no figure.
Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A ruled table with a header row; `widths` are relative (they fill the line)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.columns) or any(
            len(row) != len(self.columns) for row in self.rows
        ):
            raise ValueError("every row and the widths must have one entry per column")


def cell_text(value: Cell) -> str:
    """A cell as printed: '97,6' with the Vietnamese decimal comma, '—' for no figure."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


Block = Para | Table


@dataclass(frozen=True)
class Signature:
    """The foot of a form: 'Nơi nhận' on the left, the signer on the right."""

    recipients: tuple[str, ...]
    signer: str
    signer_note: str = ""
    name: str = ""
    # Place and date over the signer, where the form puts them there (247 Annex II).
    date_line: str = ""
    # Annex III's box for the Director General's decision, under the signatures.
    decision_title: str = ""
    decision_note: str = ""
    decision: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """One document: a heading, a title, paragraphs, a signature."""

    heading: Heading
    title: str
    subtitle: str = ""
    # A line above the heading, e.g. 'ĐIỆN FAX ĐI (Khẩn)' or 'Phụ lục II'.
    banner: str = ""
    body: list[Block] = field(default_factory=list)
    signature: Signature | None = None
    # A form with wide tables is printed across the page.
    landscape: bool = False


def para(text: str, *, bold: bool = False, italic: bool = False, indent: bool = True) -> Para:
    """A plain paragraph of running text."""
    return Para((Run(text, bold=bold, italic=italic),), indent=indent)


def item(label: str, value: str) -> Para:
    """A '- label: value' line of a form, the label as printed on the form."""
    return Para((Run(f"- {label}: "), Run(value or "…")), indent=True)


def section(title: str) -> Para:
    """A numbered part of a form, e.g. '1. Nội dung thông tin phát sinh'."""
    return Para((Run(title, bold=True),), indent=True, heading=True)
