"""Babel catalogs, compiled from locales/*.po at start-up, and locale-aware formatting.

A catalog compiled once is kept in the user's cache folder under the hash of its .po, so the
next start reads it in a millisecond instead of parsing the .po again (a tenth of a second for
both languages); a changed .po has another hash and is compiled anew. Where nothing can be
written (a read-only home), every start compiles, as it always did.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import hashlib
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import babel
from babel import Locale
from babel.dates import format_date, format_time

from bot.resources import shipped

DOMAIN = "duty_desk"
LOCALES = ("vi", "en")
LOCALES_DIR = shipped("locales")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


@cache
def _babel(locale: str) -> Locale:
    # Parsing a locale name costs more than the formatting itself; alerts format many times.
    return Locale.parse(locale)


def cache_dir() -> Path:
    """Where compiled catalogs are kept: $XDG_CACHE_HOME/duty-desk, else ~/.cache/duty-desk."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "duty-desk"


@cache
def _catalog(locale: str) -> gettext.NullTranslations:
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    source = po_path.read_bytes()
    # The compiler's version is in the key too: another Babel may compile differently.
    key = hashlib.sha256(source + babel.__version__.encode()).hexdigest()[:24]
    try:
        kept: Path | None = cache_dir() / f"{DOMAIN}-{locale}-{key}.mo"
    except RuntimeError:  # no home folder to be found
        kept = None
    if kept is not None:
        try:
            return gettext.GNUTranslations(io.BytesIO(kept.read_bytes()))
        except OSError:
            pass
    compiled = _compile(source, locale)
    if kept is not None:
        _keep(kept, compiled)
    return gettext.GNUTranslations(io.BytesIO(compiled))


def _compile(source: bytes, locale: str) -> bytes:
    # Babel's catalog tools are imported only to compile.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    # Fuzzy entries are drafts; shipping them would show half-checked wording to officers.
    write_mo(compiled, catalog, use_fuzzy=False)
    return compiled.getvalue()


def _keep(path: Path, compiled: bytes) -> None:
    """Write a compiled catalog whole (another process may read it meanwhile), or not at all."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(compiled)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def load_catalogs() -> None:
    """Compile every catalog now, so a broken .po fails at start-up, not on first use."""
    for locale in LOCALES:
        _catalog(locale)


@dataclass(frozen=True)
class Translator:
    """Texts and formats for one person's language, in the desk's time zone."""

    locale: str
    tz: ZoneInfo

    def __call__(self, message: str) -> str:
        """Translate a message id."""
        return _catalog(self.locale).gettext(message)

    def plural(self, singular: str, plural: str, count: int) -> str:
        """Translate a message id with a count."""
        return _catalog(self.locale).ngettext(singular, plural, count)

    def datetime(self, when: dt.datetime) -> str:
        """Format an aware time as a short local date and time."""
        local = when.astimezone(self.tz)
        return f"{self.date(local.date())} {self.time(local)}"

    def time(self, when: dt.datetime | dt.time) -> str:
        """Format a local time as HH:MM."""
        if isinstance(when, dt.datetime):
            when = when.astimezone(self.tz).time()
        return format_time(when, "HH:mm", locale=_babel(self.locale))

    def date(self, day: dt.date) -> str:
        """Format a date in the locale's short numeric form."""
        return format_date(
            day, "dd/MM/yyyy" if self.locale == "vi" else "yyyy-MM-dd", locale=_babel(self.locale)
        )

    def weekday_date(self, day: dt.date) -> str:
        """Format a date with its weekday, e.g. 'Thứ Tư, 25/11'."""
        pattern = "EEEE, dd/MM" if self.locale == "vi" else "EEE d MMM"
        return format_date(day, pattern, locale=_babel(self.locale))

    def language_name(self, locale: str) -> str:
        """Return a language's own name, e.g. 'Tiếng Việt'."""
        name = Locale.parse(locale).get_display_name(locale) or locale
        return name[:1].upper() + name[1:]


class PeopleLanguages(Protocol):
    """A person's translator: their choice, else their Telegram app's language, else the desk's."""

    def __call__(self, user_id: int | None, telegram_language: str | None = None) -> Translator: ...


def translator(locale: str | None, tz: ZoneInfo, default: str = "vi") -> Translator:
    """Return the translator for a locale, falling back to the desk's default language."""
    chosen = locale if locale in LOCALES else default
    return Translator(chosen, tz)
