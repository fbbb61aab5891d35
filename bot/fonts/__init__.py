"""The faces the PDFs and snapshot captions print with, from the package, not the system.

The forms print in DutyDesk Termes: TeX Gyre Termes (Times-metric, every Vietnamese letter,
GUST Font License) made TrueType by scripts/build_fonts.py and shipped in `termes/` with its
licence. Decree 30/2020 asks for a Unicode Times New Roman face; a Times-metric face breaks the
lines where Word does with Times New Roman, so the PDF and the DOCX match page for page.

The captions on snapshots print in DejaVu Sans Bold, which matplotlib (a dependency, for the
charts) ships in its `mpl-data/fonts/ttf`; that folder is found without importing matplotlib,
which costs tens of megabytes. A fresh machine with only Python needs no system font package.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

# The forms' serif family (in this package) and the captions' bold sans (in matplotlib).
SERIF = "dutydesk-termes-regular.ttf"
SERIF_BOLD = "dutydesk-termes-bold.ttf"
SERIF_ITALIC = "dutydesk-termes-italic.ttf"
SERIF_BOLD_ITALIC = "dutydesk-termes-bolditalic.ttf"
SANS_BOLD = "DejaVuSans-Bold.ttf"
# The name the PDFs embed (the family's PostScript name before the style).
SERIF_NAME = "DutyDeskTermes"
TERMES_DIR = Path(__file__).resolve().parent / "termes"


@cache
def font_dir() -> Path:
    """matplotlib's font folder, located without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the DejaVu fonts come with matplotlib, which is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def font_path(name: str) -> Path:
    """The path of one face, e.g. font_path(SERIF_BOLD); says what is missing if absent."""
    shipped = name.startswith("dutydesk-")
    path = (TERMES_DIR if shipped else font_dir()) / name
    if not path.is_file():
        source = "the duty-desk package (bot/fonts/termes)" if shipped else "matplotlib"
        raise FileNotFoundError(f"{path} is missing: reinstall {source}")
    return path
