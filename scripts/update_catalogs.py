"""Extract the bot's texts and merge them into locales/<lang>/LC_MESSAGES/duty_desk.po.

English is the source language: its catalog repeats each message id, so a blank never slips
through as "translated". Vietnamese entries that are new come in empty for a translator to
fill; tests/test_catalogs.py fails until they are.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "locales" / "duty_desk.pot"
KEYWORDS = ["-k", "tr", "-k", "N_", "-k", "plural:1,2"]


def extract() -> Catalog:
    """Run pybabel extract over bot/ and read the template."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         *KEYWORDS, "--no-location", "--sort-output", "--project", "duty-desk",
         "--copyright-holder", "duty-desk", "-o", str(POT), "bot"],
        cwd=ROOT, check=True, capture_output=True,
    )
    with POT.open("rb") as handle:
        return read_po(handle)


def merge(template: Catalog, locale: str) -> None:
    """Update one language's catalog from the template."""
    path = ROOT / "locales" / locale / "LC_MESSAGES" / "duty_desk.po"
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, project="duty-desk")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.fuzzy = False
    if locale == "en":
        for message in catalog:
            if isinstance(message.id, tuple) and not any(message.string):
                message.string = message.id
            elif message.id and not message.string:
                message.string = message.id
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)


def main() -> None:
    """Extract and merge every language."""
    template = extract()
    for locale in ("vi", "en"):
        merge(template, locale)


if __name__ == "__main__":
    main()
