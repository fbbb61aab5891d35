"""A recorded shift per test, on each database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.documents.shift import FORM_SOURCES, RecordedShift, build_desk, record_shift


@pytest.fixture
def shift(migrated_url: str) -> Iterator[RecordedShift]:
    """The morning of 25 November 2026 as the desk recorded it, with the forms' sources."""
    desk = build_desk(migrated_url, **FORM_SOURCES)
    yield record_shift(desk)
    desk.engine.dispose()
