"""A month's figures, reckoned from what the desk recorded in November 2026."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.db.models import OutageKind, ProposalKind
from bot.stats.figures import Figures, Verdict
from bot.stats.periods import parse_stats_period
from tests.conftest import MORNING, SHIFT_DAY
from tests.stats.month import Month, at, month_desk, record_month

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def month(migrated_url: str) -> Iterator[Month]:
    desk = month_desk(migrated_url)
    yield record_month(desk)
    desk.engine.dispose()


def figures(month: Month, period: str = "month", now: dt.datetime = MORNING) -> Figures:
    asked = parse_stats_period(period, SHIFT_DAY)
    assert asked is not None
    return month.desk.stats.figures(asked, now)


def test_incidents_by_shift_and_by_the_kind_of_their_latest_proposal(month: Month) -> None:
    november = figures(month)
    assert november.incident_count == 8
    assert november.kinds == {
        ProposalKind.COORDINATION: 2,
        ProposalKind.REMINDER: 1,
        ProposalKind.INFORMATION: 1,
        ProposalKind.INTERVENTION: 1,
        None: 3,
    }
    by_day = {day.day: dict(kinds) for day, kinds in november.incidents.items() if kinds}
    assert by_day == {
        3: {ProposalKind.COORDINATION: 1, ProposalKind.REMINDER: 1},
        10: {ProposalKind.INFORMATION: 1},
        17: {ProposalKind.INTERVENTION: 1},
        20: {None: 1},
        # 07:30 on the 25th still belongs to the shift of the 24th; 08:30 to the 25th's.
        24: {ProposalKind.COORDINATION: 1, None: 1},
        25: {None: 1},
    }
    # The month so far: one bar a shift from the 1st to the current one.
    days = list(november.incidents)
    assert (days[0], days[-1], len(days)) == (dt.date(2026, 11, 1), SHIFT_DAY, 25)


def test_reply_times_against_the_30_minute_limit(month: Month) -> None:
    november = figures(month)
    replies = [
        (r.label, r.addressee, r.waited, r.replied_at is not None, r.breached)
        for r in november.replies
    ]
    assert replies == [
        ("2026/0001", "Chi cục HQ CK cảng Sài Gòn KV1", dt.timedelta(minutes=12), True, False),
        # Answered at once, five minutes after delivery.
        ("2026/0002", "Đội Kiểm soát Hải quan", dt.timedelta(minutes=5), True, False),
        ("2026/0003", "Chi cục HQ CK cảng Sài Gòn KV1", dt.timedelta(minutes=45), True, True),
        # Sent at 11:40 on the 17th once the Director General agreed; still unanswered.
        ("2026/0004", "Đội Kiểm soát Hải quan", MORNING - at(17, 11, 40), False, True),
    ]
    assert (november.breaches, november.unanswered) == (2, 1)
    assert november.median_reply() == dt.timedelta(minutes=12)


def test_camera_availability_faults_and_alerts_by_camera_and_area(month: Month) -> None:
    november = figures(month)
    cameras = {c.number: c for c in november.cameras}
    # From 08:00 on the 1st to 09:00 on the 25th: 577 hours watched.
    assert cameras["12"].time.known == 577 * HOUR
    assert (cameras["12"].time.down, cameras["12"].time.faults) == (6 * HOUR, 2)
    assert (cameras["12"].alerts, cameras["12"].false_alarms) == (3, 1)
    # First checked at 08:00 on the 2nd; down a whole day.
    assert cameras["15"].time.known == 553 * HOUR
    assert (cameras["15"].time.down, cameras["15"].time.faults, cameras["15"].alerts) == (
        24 * HOUR,
        1,
        1,
    )
    assert cameras["14"].time.watched == 0 and cameras["14"].time.availability is None
    assert cameras["C01"].outages == (2, 3)
    areas = {a.area: a for a in november.areas}
    assert (areas["Cát Lái"].cameras, areas["Cát Lái"].time.watched) == (3, 2)
    assert round(areas["Cát Lái"].time.availability or 0, 2) == 99.48
    assert round(areas["ICD"].time.availability or 0, 2) == 95.66
    assert areas["KCX Tân Thuận"].time.availability is None
    total = november.camera_total()
    assert (total.watched, total.down, total.faults) == (3, 30 * HOUR, 3)
    assert round(total.availability or 0, 1) == 98.2
    assert (november.alerts, november.false_alarms) == (4, 1)


def test_epz_outages_repair_time_against_their_working_day_deadlines(month: Month) -> None:
    november = figures(month)
    outages = [
        (o.number, o.kind, o.cameras, o.deadline, o.allowed_days, o.taken_days, o.verdict)
        for o in november.outages
    ]
    in_time, late, still_open = month.outages
    assert outages == [
        (in_time, OutageKind.CAMERA, ("C01",), dt.date(2026, 11, 16), 10, 4, Verdict.MET),
        (still_open, OutageKind.CAMERA, ("C02",), dt.date(2026, 11, 20), 10, 12, Verdict.OVERDUE),
        (late, OutageKind.TRANSMISSION, ("C01", "C02"), dt.date(2026, 11, 12), 3, 5, Verdict.LATE),
    ]


def test_a_past_period_counts_to_its_end_and_an_empty_one_has_nothing(month: Month) -> None:
    # The week of Mon 9 to Sun 15 November, asked for later: whole, not running.
    week = figures(month, "2026-11-09..2026-11-15")
    assert not week.running and week.until == at(16, 8)
    assert week.incident_count == 1 and [r.label for r in week.replies] == ["2026/0003"]
    cameras = {c.number: c for c in week.cameras}
    assert cameras["12"].time.down == dt.timedelta(0) and cameras["12"].time.faults == 1
    # The transmission outage was repaired on Monday the 16th: within the week, still open.
    verdicts = {o.number: o.verdict for o in week.outages}
    _, late, still_open = month.outages
    assert verdicts == {late: Verdict.OVERDUE, still_open: Verdict.OPEN}
    september = figures(month, "2026-09")
    assert september.incident_count == 0 and not september.replies
    assert not september.outages and september.camera_total().availability is None
