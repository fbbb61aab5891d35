"""One rule, for every exported format, for characters people type that are not text.

A message from a phone or a pasted line can hold control characters (ESC, NUL, a C1 code such
as U+0085 from text decoded with the wrong code page), half of a broken emoji (a lone surrogate),
or bidirectional overrides. XML (DOCX, XLSX) cannot carry most of them, and the rest print as
nothing, or, for the overrides, make a printed line read differently from what was typed.

Each becomes U+FFFD "�", the Unicode replacement character, rather than being removed: the
logbook is a sealed record, and its print must show that its line held something more than the
printed letters, and where, instead of silently differing from the sealed entry (the database
keeps the exact text, and `duty-desk logbook verify` checks that). U+FFFD is in every font the
desk prints with (DutyDesk Termes in PDFs, which was given one; Word and Excel fall back for
Times New Roman and Calibri), which the Control Pictures (␛, ␀) are not, and nobody types it
by accident.

Tab and the line break stay: every writer prints them. Other line breaks (CR LF, a lone CR,
U+2028, U+2029) become the line break. The marks that only set a direction (U+200E, U+200F)
and joiners (in emoji) stay: they are text.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

_LINE_BREAK = re.compile("\r\n?|[\u2028\u2029]")
_NOT_TEXT = re.compile(
    "["
    "\x00-\x08\x0b-\x1f"  # C0 controls but tab and line feed (CR is a line break above)
    "\x7f-\x9f"  # DEL and the C1 controls
    "\ud800-\udfff"  # surrogates, which only ever arrive unpaired in a str
    "\ufffe\uffff"  # non-characters XML cannot carry
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "]"
)
_ANY = re.compile(f"{_LINE_BREAK.pattern}|{_NOT_TEXT.pattern}")


def printable(text: str) -> str:
    """The text as every export prints it: line breaks made one kind, non-text shown as �."""
    if _ANY.search(text) is None:
        # Nearly every line: a month of the logbook is hundreds of thousands of cells.
        return text
    return _NOT_TEXT.sub(REPLACEMENT, _LINE_BREAK.sub("\n", text))
