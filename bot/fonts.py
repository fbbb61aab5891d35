"""The DejaVu faces the PDFs and snapshot captions print with, taken from an installed package.

matplotlib (a dependency, for the charts) ships the DejaVu Sans and Serif families, every
Vietnamese letter included, in its `mpl-data/fonts/ttf`. Taking them from there means a fresh
machine with only Python needs no system font package, and every machine prints the same.
The folder is found without importing matplotlib, which costs tens of megabytes.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

# The faces the desk uses: the forms' serif family, the captions' bold sans.
SERIF = "DejaVuSerif.ttf"
SERIF_BOLD = "DejaVuSerif-Bold.ttf"
SERIF_ITALIC = "DejaVuSerif-Italic.ttf"
SERIF_BOLD_ITALIC = "DejaVuSerif-BoldItalic.ttf"
SANS_BOLD = "DejaVuSans-Bold.ttf"


@cache
def font_dir() -> Path:
    """matplotlib's font folder, located without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the DejaVu fonts come with matplotlib, which is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def font_path(name: str) -> Path:
    """The path of one DejaVu face, e.g. font_path(SERIF_BOLD); says what is missing if absent."""
    path = font_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall matplotlib (it ships DejaVu)")
    return path
