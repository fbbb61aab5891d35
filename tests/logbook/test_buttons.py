"""The logbook's page turn: a real shift date and a page a logbook can have, nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.logbook.buttons import MAX_PAGE, PageTurn, page_button, read_page_turn


@pytest.mark.parametrize("page", [0, 1, MAX_PAGE])
def test_a_page_turn_reads_back_as_built(page: int) -> None:
    day = dt.date(2026, 11, 25)
    data = page_button(day, page)
    assert data == f"lb:2026-11-25:{page}"
    assert read_page_turn(data) == PageTurn(day, page)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "lb:2026-11-25",
        "lb:2026-11-25:",
        "lb:2026-02-30:1",
        "lb:9999-12-31:1",
        "lb:25/11/2026:1",
        "lb:2026-11-25:-1",
        "lb:2026-11-25:²",
        f"lb:2026-11-25:{MAX_PAGE + 1}",
        "lb:2026-11-25:1:2",
        "xx:2026-11-25:1",
    ],
)
def test_forged_page_turns_are_no_press(data: str) -> None:
    assert read_page_turn(data) is None


def test_a_page_no_logbook_has_cannot_be_built() -> None:
    with pytest.raises(ValueError):
        page_button(dt.date(2026, 11, 25), MAX_PAGE + 1)
