"""Ids, numbers and dates read at the edge, and each feature's button parser."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.epz.buttons import CHECK_BUTTONS, OUTAGE_BUTTONS
from bot.handlers.alerts import parse_alert_press
from bot.handlers.buttons import ActionPress
from bot.handlers.language import parse_language
from bot.handlers.logbook import parse_day
from bot.handlers.proposals import Decision, parse_decision, parse_new
from bot.handlers.unit_requests import parse_request_press
from bot.handover.buttons import HANDOVER_BUTTONS
from bot.logbook.buttons import PageTurn
from bot.logbook.buttons import read_page_turn as parse_page_turn
from bot.values import MAX_ROW_ID, iso_day, row_id, whole_number

parse_outage_press = OUTAGE_BUTTONS.read
parse_handover_press = HANDOVER_BUTTONS.read
parse_check_press = CHECK_BUTTONS.read

BIG = "9" * 20


@pytest.mark.parametrize(
    "text",
    ["", "0", "-1", "+1", "²", "١٢", "１２", "𝟙", " ", "1e3", "0x1", BIG, str(MAX_ROW_ID + 1)],
)
def test_row_ids_are_ascii_digits_within_the_database(text: str) -> None:
    assert row_id(text) is None


def test_row_ids_and_numbers_that_are_fine() -> None:
    assert row_id("7") == 7 and row_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    assert whole_number(" 12 ", 1, 31) == 12 and whole_number("32", 1, 31) is None


@pytest.mark.parametrize(
    "text", ["2026-02-30", "9999-12-31", "0001-01-01", "2026-13-01", "20261125", "٢٠٢٦-١١-٢٥", ""]
)
def test_impossible_or_absurd_days(text: str) -> None:
    assert iso_day(text) is None
    assert parse_day(text) is None


def test_days_people_write() -> None:
    assert iso_day("2026-11-25") == parse_day("25/11/2026") == dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("parse", "data", "expected"),
    [
        (parse_alert_press, "al:fa:7", ActionPress("al", "fa", 7)),
        (parse_alert_press, f"al:fa:{BIG}", None),
        (parse_alert_press, "al:xx:7", None),
        (parse_alert_press, "al:fa:7:8", None),
        (parse_outage_press, "ep:ok:3", ActionPress("ep", "ok", 3)),
        (parse_outage_press, "ep:ok:²", None),
        (parse_handover_press, "ho:nt:2", ActionPress("ho", "nt", 2)),
        (parse_handover_press, "ho:nt:", None),
        (parse_check_press, f"rc:ok:{BIG}", None),
        (parse_request_press, "rq:ack:5", ActionPress("rq", "ack", 5)),
        (parse_request_press, "rq:ack:0", None),
        (parse_new, "ur:new:9", ActionPress("ur", "new", 9)),
        (parse_new, "pr:old:9", None),
        (parse_decision, "ap:7:2", Decision("ap", 7, 2)),
        (parse_decision, "gd:7:yes", Decision("gd", 7, yes=True)),
        (parse_decision, "gd:7:maybe", None),
        (parse_decision, "cf:7", Decision("cf", 7)),
        (parse_decision, "cf:7:1", None),
        (parse_decision, f"ap:{BIG}:1", None),
        (parse_decision, "ap:1:0", None),
        (parse_decision, "ap", None),
        (parse_page_turn, "lb:2026-11-25:1", PageTurn(dt.date(2026, 11, 25), 1)),
        (parse_page_turn, "lb:2026-02-30:1", None),
        (parse_page_turn, f"lb:2026-11-25:{BIG}", None),
        (parse_language, "lang:en", "en"),
        (parse_language, "lang:xx", None),
        (parse_language, "", None),
    ],
)
def test_each_feature_reads_only_buttons_it_makes(parse, data, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse(data) == expected
