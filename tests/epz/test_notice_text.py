"""Reading notices as contacts type them: starts, dates and kinds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.config import Enterprise, EnterpriseCamera
from bot.db.models import OutageKind
from bot.epz.free_notice import prefill
from bot.epz.notice_text import parse_moment, parse_time, read_kind

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
ABC = Enterprise(
    key="abc",
    name="ABC",
    tax_code="0312345678",
    cameras=[EnterpriseCamera(number="C01"), EnterpriseCamera(number="C02")],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:05", dt.time(14, 5)),
        ("8h", dt.time(8, 0)),
        ("8h30", dt.time(8, 30)),
        ("8 giờ sáng", dt.time(8, 0)),
        ("28/11", None),
        ("camera C01", None),
        ("25:00", None),
    ],
)
def test_times_of_day(text: str, expected: dt.time | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bây giờ", NOW),
        ("28/11 08:00", dt.datetime(2026, 11, 28, 8, 0, tzinfo=TZ)),
        ("8h ngày 28/11", dt.datetime(2026, 11, 28, 8, 0, tzinfo=TZ)),
        ("28/11", dt.datetime(2026, 11, 28, 0, 0, tzinfo=TZ)),
        ("25/11", NOW),  # today without an hour: from now
        ("14h", dt.datetime(2026, 11, 25, 14, 0, tzinfo=TZ)),
        ("khi nào xong", None),
    ],
)
def test_when_planned_work_starts(text: str, expected: dt.datetime | None) -> None:
    assert parse_moment(text, NOW, TZ) == expected


def test_kinds_are_read_without_diacritics() -> None:
    assert read_kind("Mất điện toàn khu") == OutageKind.POWER_CUT
    assert read_kind("bao tri dau ghi") == OutageKind.MAINTENANCE
    assert read_kind("không rõ") is None


def test_a_planned_notice_reads_its_start_and_end() -> None:
    data = prefill("Bảo trì camera C02 từ 14h ngày 27/11 đến 30/11", ABC, NOW, TZ)
    assert data["kind"] == "maintenance" and data["cameras"] == ["C02"]
    assert data["start"] == dt.datetime(2026, 11, 27, 14, 0, tzinfo=TZ).isoformat()
    assert data["expected"] == "2026-11-30"


def test_a_start_already_past_is_left_to_ask() -> None:
    data = prefill("Cắt điện từ 7h hôm nay", ABC, NOW, TZ)
    assert data["kind"] == "power_cut" and "start" not in data and "expected" not in data
