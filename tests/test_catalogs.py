"""Every text the bot shows is in both catalogs, translated, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"tr": None, "N_": None, "plural": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rs])?\}")


def source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "bot"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_catalog_is_complete(locale: str) -> None:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "duty_desk.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"{locale}: untranslated {key!r}"
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == sorted(PLACEHOLDER.findall(key)), (
                f"{locale}: placeholders differ in {key!r}"
            )
        translated[key] = strings
    missing = source_messages() - translated.keys()
    assert not missing, f"{locale}: not in the catalog (run scripts/update_catalogs.py): {missing}"
    assert len(source_messages()) > 50


def test_no_text_is_translated_out_of_the_extractors_sight() -> None:
    """A literal passed to a translator under another name (self._tr("…")) is never extracted."""
    hidden = re.compile(r"""\b_tr\(\s*f?["']""")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hidden.search(line)
    ]
    assert found == []
