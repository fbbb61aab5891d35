"""Working-day deadlines against the official 2026 calendar and the statutory 2027 one."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.epz.workdays import DEFAULT_ADJUSTMENTS, WorkCalendar

D = dt.date
ICT = dt.timezone(dt.timedelta(hours=7))

# Days off (Mon–Fri) used below, by hand from the decisions:
#   2026 (official): Thu 01/01, Fri 02/01 (swap; Sat 10/01 worked) [12729/VPCP-KGVX];
#     Mon 16/02–Fri 20/02 Tết [9441/TB-BNV]; Mon 27/04 (Hùng Kings fell on Sun 26/04);
#     Thu 30/04, Fri 01/05; Mon 31/08 (swap; Sat 22/08 worked), Tue 01/09, Wed 02/09
#     [9441/TB-BNV].
#   2027 (statutory, no government decision yet): Fri 01/01; Tết Thu 04/02, Fri 05/02,
#     Mon 08/02, Tue 09/02, Wed 10/02 (Tết day 1 is Sat 06/02, day 2 Sun 07/02); Hùng Kings
#     Fri 16/04; Fri 30/04, Mon 03/05 (01/05 is a Saturday); Thu 02/09, Fri 03/09.

DEADLINES: list[tuple[str, dt.date | dt.datetime, int, dt.date]] = [
    # Normal weekend. Notice Fri 06/03/2026: Mon 09, Tue 10, Wed 11.
    ("weekend 3", D(2026, 3, 6), 3, D(2026, 3, 11)),
    # Fri 06/03: Mon 09, Tue 10, Wed 11, Thu 12, Fri 13, Mon 16, Tue 17, Wed 18, Thu 19, Fri 20.
    ("weekend 10", D(2026, 3, 6), 10, D(2026, 3, 20)),
    # Notice Fri 06/03/2026 at 21:30 local: the hour does not matter, Mon 09, Tue 10, Wed 11.
    ("friday evening", dt.datetime(2026, 3, 6, 21, 30), 3, D(2026, 3, 11)),
    # 2026-03-05 18:30 UTC is Fri 06/03 01:30 in Vietnam, so the same as above: 09, 10, 11
    # (read as the UTC date, Thu 05/03, it would wrongly give Fri 06, Mon 09, Tue 10).
    ("aware utc", dt.datetime(2026, 3, 5, 18, 30, tzinfo=dt.UTC), 3, D(2026, 3, 11)),
    # New Year 2026. Notice Wed 31/12/2025: Thu 01/01 holiday, Fri 02/01 swapped off,
    # 03–04 weekend; Mon 05/01, Tue 06/01, Wed 07/01.
    ("new year 2026 3", D(2025, 12, 31), 3, D(2026, 1, 7)),
    # Wed 31/12/2025: Mon 05, Tue 06, Wed 07, Thu 08, Fri 09, Sat 10 (worked for 02/01),
    # Mon 12, Tue 13, Wed 14, Thu 15 January.
    ("new year 2026 10", D(2025, 12, 31), 10, D(2026, 1, 15)),
    # Tết 2026. Notice Fri 13/02/2026: 14–15 weekend, 16–20 Tết, 21–22 weekend;
    # Mon 23, Tue 24, Wed 25 February.
    ("tet 2026 3", D(2026, 2, 13), 3, D(2026, 2, 25)),
    # Fri 13/02: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27 Feb, Mon 02, Tue 03, Wed 04, Thu 05,
    # Fri 06 March.
    ("tet 2026 10", D(2026, 2, 13), 10, D(2026, 3, 6)),
    # Notice Thu 12/02/2026: Fri 13/02, then Tết; Mon 23, Tue 24.
    ("tet 2026 eve", D(2026, 2, 12), 3, D(2026, 2, 24)),
    # Tết 2027 (statutory). Notice Wed 03/02/2027: Thu 04, Fri 05 off, 06–07 weekend,
    # Mon 08–Wed 10 off; Thu 11, Fri 12, Mon 15 February.
    ("tet 2027 3", D(2027, 2, 3), 3, D(2027, 2, 15)),
    # Wed 03/02/2027: Thu 11, Fri 12, Mon 15, Tue 16, Wed 17, Thu 18, Fri 19, Mon 22, Tue 23,
    # Wed 24 February.
    ("tet 2027 10", D(2027, 2, 3), 10, D(2027, 2, 24)),
    # Hùng Kings 2026 (Sun 26/04, in lieu Mon 27/04) then 30/04–01/05. Notice Fri 24/04/2026:
    # Tue 28, Wed 29 April, (30/04–03/05 off) Mon 04 May.
    ("hung kings 2026 3", D(2026, 4, 24), 3, D(2026, 5, 4)),
    # Fri 24/04/2026: Tue 28, Wed 29 Apr, Mon 04, Tue 05, Wed 06, Thu 07, Fri 08, Mon 11,
    # Tue 12, Wed 13 May.
    ("hung kings 2026 10", D(2026, 4, 24), 10, D(2026, 5, 13)),
    # Hùng Kings 2027 (statutory, Fri 16/04). Notice Thu 15/04/2027: Mon 19, Tue 20, Wed 21.
    ("hung kings 2027 3", D(2027, 4, 15), 3, D(2027, 4, 21)),
    # 30/04–01/05 2026. Notice Wed 29/04/2026: Thu 30, Fri 01 off, 02–03 weekend;
    # Mon 04, Tue 05, Wed 06 May.
    ("30/4 2026 3", D(2026, 4, 29), 3, D(2026, 5, 6)),
    # Wed 29/04/2026: Mon 04, Tue 05, Wed 06, Thu 07, Fri 08, Mon 11, Tue 12, Wed 13, Thu 14,
    # Fri 15 May.
    ("30/4 2026 10", D(2026, 4, 29), 10, D(2026, 5, 15)),
    # 30/04–01/05 2027 (statutory). Notice Thu 29/04/2027: Fri 30 off, 01–02 weekend,
    # Mon 03 in lieu of Sat 01/05; Tue 04, Wed 05, Thu 06 May.
    ("30/4 2027 3", D(2027, 4, 29), 3, D(2027, 5, 6)),
    # Thu 29/04/2027: Tue 04, Wed 05, Thu 06, Fri 07, Mon 10, Tue 11, Wed 12, Thu 13, Fri 14,
    # Mon 17 May.
    ("30/4 2027 10", D(2027, 4, 29), 10, D(2027, 5, 17)),
    # 2/9 2026, the swapped Saturday. Notice Thu 20/08/2026: Fri 21, Sat 22 (worked for 31/08),
    # Mon 24 August.
    ("2/9 2026 swap saturday", D(2026, 8, 20), 3, D(2026, 8, 24)),
    # Notice Fri 28/08/2026: 29–30 weekend, Mon 31 (swapped off), Tue 01, Wed 02 off;
    # Thu 03, Fri 04, Mon 07 September.
    ("2/9 2026 3", D(2026, 8, 28), 3, D(2026, 9, 7)),
    # Fri 28/08/2026: Thu 03, Fri 04, Mon 07, Tue 08, Wed 09, Thu 10, Fri 11, Mon 14, Tue 15,
    # Wed 16 September.
    ("2/9 2026 10", D(2026, 8, 28), 10, D(2026, 9, 16)),
    # 2/9 2027 (statutory; adjacent day Fri 03/09). Notice Wed 01/09/2027: Thu 02, Fri 03 off;
    # Mon 06, Tue 07, Wed 08 September.
    ("2/9 2027 3", D(2027, 9, 1), 3, D(2027, 9, 8)),
    # Notice on a Saturday. Sat 07/03/2026: Mon 09, Tue 10, Wed 11.
    ("saturday notice", D(2026, 3, 7), 3, D(2026, 3, 11)),
    # Notice on the worked Saturday 22/08/2026 still does not count it: Mon 24, Tue 25, Wed 26.
    ("worked saturday notice", D(2026, 8, 22), 3, D(2026, 8, 26)),
    # Notice on a holiday. Tue 17/02/2026 (Tết): Mon 23, Tue 24, Wed 25 February.
    ("tet day notice", D(2026, 2, 17), 3, D(2026, 2, 25)),
    # Thu 30/04/2026 at 10:00: Fri 01/05 off, weekend; Mon 04, Tue 05, Wed 06 May.
    ("30/4 notice", dt.datetime(2026, 4, 30, 10, 0, tzinfo=ICT), 3, D(2026, 5, 6)),
]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [row[1:] for row in DEADLINES],
    ids=[row[0] for row in DEADLINES],
)
def test_add_working_days(start: dt.date | dt.datetime, days: int, expected: dt.date) -> None:
    calendar = WorkCalendar()
    assert calendar.add_working_days(start, days) == expected
    # The counted span must be exactly `days`, so between() agrees with add().
    assert calendar.working_days_between(_date(start), expected) == days


CONFIGURED: list[tuple[str, list[dt.date], list[dt.date], dt.date, int, dt.date]] = [
    # Desk adds Mon 09/03/2026 off. Notice Fri 06/03: Tue 10, Wed 11, Thu 12
    # (11/03 without it).
    ("extra day off", [D(2026, 3, 9)], [], D(2026, 3, 6), 3, D(2026, 3, 12)),
    # Desk makes Sat 07/03/2026 worked. Notice Fri 06/03: Sat 07, Mon 09, Tue 10.
    ("extra working saturday", [], [D(2026, 3, 7)], D(2026, 3, 6), 3, D(2026, 3, 10)),
    # Desk makes Tue 24/11/2026 (the package's Vietnam Cultural Day, not yet in the Labour
    # Code) a working day. Notice Mon 23/11: Tue 24, Wed 25, Thu 26 (27/11 without it).
    ("override package holiday", [], [D(2026, 11, 24)], D(2026, 11, 23), 3, D(2026, 11, 26)),
    # Desk cancels the shipped swap Sat 22/08/2026. Notice Thu 20/08: Fri 21, Mon 24, Tue 25
    # (24/08 with the swap).
    ("cancel shipped swap", [D(2026, 8, 22)], [], D(2026, 8, 20), 3, D(2026, 8, 25)),
    # Desk cancels the shipped day off Fri 02/01/2026. Notice Wed 31/12/2025: Fri 02, Mon 05,
    # Tue 06 (07/01 with it).
    ("cancel shipped day off", [], [D(2026, 1, 2)], D(2025, 12, 31), 3, D(2026, 1, 6)),
    # Desk adds a longer Tết 2027, Thu 11 and Fri 12/02/2027. Notice Wed 03/02/2027:
    # Mon 15, Tue 16, Wed 17 February (15/02 without it).
    (
        "longer tet 2027",
        [D(2027, 2, 11), D(2027, 2, 12)],
        [],
        D(2027, 2, 3),
        3,
        D(2027, 2, 17),
    ),
]


@pytest.mark.parametrize(
    ("off", "working", "start", "days", "expected"),
    [row[1:] for row in CONFIGURED],
    ids=[row[0] for row in CONFIGURED],
)
def test_configuration_changes_deadline(
    off: list[dt.date], working: list[dt.date], start: dt.date, days: int, expected: dt.date
) -> None:
    default = WorkCalendar().add_working_days(start, days)
    configured = WorkCalendar(extra_days_off=off, extra_working_days=working)
    assert configured.add_working_days(start, days) == expected
    assert default != expected


WORKING: list[tuple[dt.date, bool]] = [
    (D(2026, 1, 2), False),  # Fri, New Year swap (12729/VPCP-KGVX)
    (D(2026, 1, 10), True),  # Sat, worked for 02/01
    (D(2026, 1, 11), False),  # Sun after it stays off
    (D(2026, 2, 16), False),  # Mon, 29 Tết
    (D(2026, 2, 20), False),  # Fri, mùng 4 Tết
    (D(2026, 2, 23), True),  # Mon, back to work
    (D(2026, 4, 27), False),  # Mon, in lieu of Hùng Kings on Sun 26/04
    (D(2026, 4, 28), True),  # Tue, no bridge decided
    (D(2026, 8, 22), True),  # Sat, worked for 31/08 (9441/TB-BNV)
    (D(2026, 8, 31), False),  # Mon, swapped off
    (D(2026, 9, 3), True),  # Thu after National Day
    (D(2026, 3, 9), True),  # an ordinary Monday
    (D(2026, 3, 8), False),  # an ordinary Sunday
    (D(2027, 5, 3), False),  # Mon, in lieu of Labour Day on Sat 01/05/2027
]


@pytest.mark.parametrize(("day", "expected"), WORKING, ids=[str(d) for d, _ in WORKING])
def test_is_working_day(day: dt.date, expected: bool) -> None:
    assert WorkCalendar().is_working_day(day) is expected


NAMES: list[tuple[dt.date, str | None]] = [
    (D(2026, 2, 17), "Tết Nguyên Đán"),  # the package's Vietnamese name
    (D(2026, 9, 2), "Quốc khánh"),
    (D(2026, 4, 26), "Ngày Giỗ Tổ Hùng Vương"),  # on a Sunday, still named
    (D(2026, 1, 2), "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)"),  # shipped
    (D(2026, 1, 10), None),  # worked Saturday
    (D(2026, 2, 14), None),  # plain weekend inside the Tết break
    (D(2026, 3, 9), None),  # ordinary working day
]


@pytest.mark.parametrize(("day", "expected"), NAMES, ids=[str(d) for d, _ in NAMES])
def test_holiday_name(day: dt.date, expected: str | None) -> None:
    assert WorkCalendar().holiday_name(day) == expected


def test_configured_day_off_has_no_name_but_is_off() -> None:
    calendar = WorkCalendar(extra_days_off=[D(2026, 3, 9)])
    assert calendar.is_working_day(D(2026, 3, 9)) is False
    assert calendar.holiday_name(D(2026, 3, 9)) is None


def test_overridden_package_holiday_has_no_name() -> None:
    calendar = WorkCalendar(extra_working_days=[D(2026, 11, 24)])
    assert calendar.holiday_name(D(2026, 11, 24)) is None


BETWEEN: list[tuple[dt.date, dt.date, int]] = [
    # Fri 13/02 → Wed 25/02/2026: Mon 23, Tue 24, Wed 25.
    (D(2026, 2, 13), D(2026, 2, 25), 3),
    # Reversed, the same span counted negative.
    (D(2026, 2, 25), D(2026, 2, 13), -3),
    # Same day: nothing after it.
    (D(2026, 2, 25), D(2026, 2, 25), 0),
    # Fri 14/08 → Mon 31/08/2026: Mon 17–Fri 21 (5), Sat 22 (1), Mon 24–Fri 28 (5); 31 off.
    (D(2026, 8, 14), D(2026, 8, 31), 11),
]


@pytest.mark.parametrize(("start", "end", "expected"), BETWEEN)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert WorkCalendar().working_days_between(start, end) == expected


@pytest.mark.parametrize("days", [3, 10])
def test_deadline_is_a_working_day_all_2026_and_2027(days: int) -> None:
    calendar = WorkCalendar()
    start = D(2026, 1, 1)
    while start.year < 2028:
        deadline = calendar.add_working_days(start, days)
        assert calendar.is_working_day(deadline), start
        assert calendar.working_days_between(start, deadline) == days, start
        start += dt.timedelta(days=1)


def test_years_prefill_does_not_limit_lookups() -> None:
    # Pre-filled with 2026 only, 2027's Tết must still be seen.
    calendar = WorkCalendar(years=[2026])
    assert calendar.is_working_day(D(2027, 2, 8)) is False
    assert calendar.add_working_days(D(2027, 2, 3), 3) == D(2027, 2, 15)


@pytest.mark.parametrize("days", [0, -1])
def test_days_must_be_positive(days: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        WorkCalendar().add_working_days(D(2026, 3, 6), days)


def test_same_day_both_off_and_working_is_rejected() -> None:
    with pytest.raises(ValueError, match="2026-03-09"):
        WorkCalendar(extra_days_off=[D(2026, 3, 9)], extra_working_days=[D(2026, 3, 9)])


def test_shipped_adjustments_are_swaps_not_duplicates() -> None:
    # A shipped day off must be a weekday and a shipped working day a weekend day, else the
    # entry changes nothing and was typed wrong.
    for adjustment in DEFAULT_ADJUSTMENTS:
        is_weekend = adjustment.day.weekday() >= 5
        assert is_weekend is adjustment.working, adjustment
        assert adjustment.source, adjustment


def _date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(ICT).date() if value.tzinfo else value.date()
    return value
