"""What every form shares: the national heading, Vietnamese dates, local times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# The forms are official papers read by Vietnamese officials, whatever language the person
# asking for them uses: their wording is fixed here, not in the message catalogs.
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Heading:
    """The two-column heading: the issuing body on the left, the nation on the right.

    `parent` is the body above the issuer (upright), `issuer` the one that issues (bold);
    `below` ("Số: …", "Fax số: …") sits under the issuer, `place_date` under the motto.
    A fax (888 Annexes II and V) has no national name, motto or place: `national` is False.
    """

    parent: str
    issuer: str
    place_date: str = ""
    below: tuple[str, ...] = ()
    national: bool = True


def vn_date(day: dt.date) -> str:
    """A date the way a Vietnamese document writes it: 'ngày 23 tháng 11 năm 2026'."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# Where a form's place is not known, the clerk writes it in by hand.
BLANK = "……"


def place_date(place: str, day: dt.date) -> str:
    """'Hà Nội, ngày 23 tháng 11 năm 2026' ('……, ngày …' when no place is known)."""
    return f"{place or BLANK}, {vn_date(day)}"


def local(when: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """An aware moment in the desk's time zone."""
    return when.astimezone(tz)


def short_date(day: dt.date) -> str:
    """25/11/2026."""
    return f"{day:%d/%m/%Y}"


def date_time(when: dt.datetime, tz: ZoneInfo) -> str:
    """09:05 25/11/2026, in the desk's time zone."""
    return f"{local(when, tz):%H:%M %d/%m/%Y}"


def fax_time(when: dt.datetime, tz: ZoneInfo) -> str:
    """'09 giờ 05 phút, ngày 25/11/2026', as on the fax forms (Annexes II and V)."""
    moment = local(when, tz)
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d/%m/%Y}"


def time_near(when: dt.datetime | None, day: dt.date, tz: ZoneInfo) -> str:
    """HH:MM on the row's own date, else with the date, so a logbook line stays short."""
    if when is None:
        return ""
    moment = local(when, tz)
    return f"{moment:%H:%M}" if moment.date() == day else f"{moment:%H:%M %d/%m/%Y}"
