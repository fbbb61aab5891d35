"""The duty's rules and clocks: shifts, office hours, escalation, the calendar, the forms."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator, model_validator

from bot.config.base import Section, phone_number


class BusinessHours(Section):
    """Office hours inside a shift; outside them requests go to private chats."""

    start: dt.time = dt.time(7, 30)
    end: dt.time = dt.time(16, 30)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])

    @field_validator("weekdays")
    @classmethod
    def _weekdays_in_range(cls, days: list[int]) -> list[int]:
        if any(day < 0 or day > 6 for day in days):
            raise ValueError("weekdays are numbers 0 (Monday) to 6 (Sunday)")
        return days

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self


class ShiftCycleSettings(Section):
    """The shift's own moments: opening, handover, daily report, the roster check a day ahead.

    Each time of day is taken as its first occurrence after the shift starts, so 07:30 is the
    morning the shift ends and 16:00 the afternoon it runs.
    """

    enabled: bool = True
    # The outgoing shift prepares its handover this long before 08:00 (888 Art. 5.5).
    handover_at: dt.time = dt.time(7, 30)
    handover_remind_every_minutes: int = Field(15, ge=1)
    # The daily report, at the end of the shift by default.
    report_at: dt.time = dt.time(8, 0)
    # Tomorrow's roster is checked at this time; a gap is told to the administrators.
    roster_warning_at: dt.time = dt.time(16, 0)


class ShiftSettings(Section):
    """When a 24-hour shift starts (888 Art. 5: 08:00 to 08:00)."""

    start: dt.time = dt.time(8, 0)
    business_hours: BusinessHours = BusinessHours()
    cycle: ShiftCycleSettings = ShiftCycleSettings()


class EscalationSettings(Section):
    """The clocks of the approval rule and the 30-minute reply rule (888 Art. 9)."""

    reply_deadline_minutes: int = Field(30, ge=1)
    unit_reminder_minutes: list[int] = Field(default_factory=lambda: [15, 25])
    breach_reminder_every_minutes: int = Field(10, ge=1)
    approval_reminder_after_minutes: int = Field(10, ge=1)
    approval_reminder_every_minutes: int = Field(15, ge=1)
    # Still undecided this long: the section leader and the admins are asked to phone the
    # shift leader (888 keeps the decision with the leader; nobody else approves).
    approval_fallback_after_minutes: int = Field(20, ge=1)

    @model_validator(mode="after")
    def _reminders_before_deadline(self) -> EscalationSettings:
        late = [m for m in self.unit_reminder_minutes if not 0 < m < self.reply_deadline_minutes]
        if late:
            raise ValueError(
                f"unit_reminder_minutes {late} must be between 0 and "
                f"reply_deadline_minutes ({self.reply_deadline_minutes})"
            )
        return self


class CalendarSettings(Section):
    """Days the government adds off or swaps to working days beyond the public holidays."""

    extra_days_off: list[dt.date] = Field(default_factory=list)
    extra_working_days: list[dt.date] = Field(default_factory=list)


class DocumentSettings(Section):
    """Who issues the official forms and where (888 Annexes I-V), in sentence case."""

    # Printed in capitals in the headings; in running text as written here.
    authority: str = "Tổng cục Hải quan"
    desk: str = "Trực ban"
    monitoring_unit: str = "Cục Điều tra chống buôn lậu"
    place: str = "Hà Nội"
    # The name signed under "CỤC TRƯỞNG" on Annex V; empty leaves the line for a signature.
    director: str = ""
    # The duty room's telephone, printed where a fax says how to report back.
    phone: str = ""

    @field_validator("phone")
    @classmethod
    def _phone_number(cls, number: str) -> str:
        return phone_number(number)
