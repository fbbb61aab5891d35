"""Compiled catalogs kept between starts: read back while the .po is unchanged, never after."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import i18n

VALID = "The configuration is valid."
PO = Path("vi") / "LC_MESSAGES" / "duty_desk.po"


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped catalogs, read by the bot, with a cache folder of its own."""
    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, copy)
    monkeypatch.setattr(i18n, "LOCALES_DIR", copy)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    i18n._catalog.cache_clear()
    yield copy
    # The next test reads the shipped catalogs again, not this copy's.
    i18n._catalog.cache_clear()


def vietnamese(message: str) -> str:
    i18n._catalog.cache_clear()  # as a new process would
    return i18n.translator("vi", ZoneInfo("Asia/Ho_Chi_Minh"))(message)


def test_the_next_start_reads_the_compiled_catalog(
    locales: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert vietnamese(VALID) == "Cấu hình hợp lệ."
    assert len(list((i18n.cache_dir()).glob("duty_desk-vi-*.mo"))) == 1

    def no_compiling(source: bytes, locale: str) -> bytes:
        raise AssertionError("compiled again though the .po did not change")

    monkeypatch.setattr(i18n, "_compile", no_compiling)
    assert vietnamese(VALID) == "Cấu hình hợp lệ."


def test_a_changed_catalog_is_compiled_anew(locales: Path) -> None:
    assert vietnamese(VALID) == "Cấu hình hợp lệ."
    po = locales / PO
    po.write_text(
        po.read_text(encoding="utf-8").replace(
            'msgstr "Cấu hình hợp lệ."', 'msgstr "Cấu hình dùng được."'
        ),
        encoding="utf-8",
    )

    assert vietnamese(VALID) == "Cấu hình dùng được."


def test_without_a_writable_cache_every_start_compiles(
    locales: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))

    assert vietnamese(VALID) == "Cấu hình hợp lệ."
    assert vietnamese(VALID) == "Cấu hình hợp lệ."
