"""The settings model: one YAML file plus DUTY_DESK_* environment overrides, loaded once."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.customs.references import normalise_tax_code

ENV_PREFIX = "DUTY_DESK_"
DEFAULT_CONFIG_PATH = Path("config/duty-desk.yaml")
TELEGRAM_BOT_API = "https://api.telegram.org/bot"
TELEGRAM_FILE_API = "https://api.telegram.org/file/bot"
SUPPORTED_LOCALES = ("vi", "en")


def _load_secret(section: BaseModel, field: str, file_field: str) -> None:
    """Fill a secret from its file (a container secret) when it is not given directly."""
    path = getattr(section, file_field)
    if getattr(section, field) is not None or path is None:
        return
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"{file_field} {path} cannot be read: {exc.strerror}") from None
    # The sections are frozen once validated; this runs inside validation.
    object.__setattr__(section, field, SecretStr(secret))


class Section(BaseModel):
    """A configuration section: a misspelt key fails at load instead of being ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ForumTopics(Section):
    """Forum topic ids of the duty group, per kind of message (none: the main thread)."""

    logbook: int | None = None
    alerts: int | None = None
    approvals: int | None = None
    reports: int | None = None


class RateLimits(Section):
    """Outgoing pace, within Telegram's published limits."""

    overall_per_second: float = Field(30.0, gt=0)
    group_per_minute: float = Field(20.0, gt=0)
    private_per_second: float = Field(1.0, gt=0)
    max_attempts: int = Field(8, ge=1)


class TelegramSettings(Section):
    """How to reach the Bot API and where the duty group is."""

    token: SecretStr | None = None
    token_file: Path | None = None
    base_url: str = TELEGRAM_BOT_API
    base_file_url: str = TELEGRAM_FILE_API
    duty_group_id: int | None = None
    topics: ForumTopics = ForumTopics()
    rate_limits: RateLimits = RateLimits()
    poll_timeout_seconds: int = Field(30, ge=0, le=50)
    # The ✍ that confirms a message was filed is worth something only while the message is
    # fresh on the officers' screens; one still unsent this long after the message is dropped.
    reaction_fresh_minutes: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _read_token_file(self) -> TelegramSettings:
        _load_secret(self, "token", "token_file")
        return self

    def token_value(self) -> str | None:
        """Return the bot token, or None when none is configured."""
        return self.token.get_secret_value() if self.token else None


class DatabaseSettings(Section):
    """Where the records live."""

    url: str = "sqlite:///duty-desk.db"
    echo: bool = False


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

    @model_validator(mode="after")
    def _reminders_before_deadline(self) -> EscalationSettings:
        late = [m for m in self.unit_reminder_minutes if not 0 < m < self.reply_deadline_minutes]
        if late:
            raise ValueError(
                f"unit_reminder_minutes {late} must be between 0 and "
                f"reply_deadline_minutes ({self.reply_deadline_minutes})"
            )
        return self


class OnvifAccess(Section):
    """How to reach a camera over ONVIF; the password comes from the environment or a file."""

    host: str
    port: int = Field(80, ge=1, le=65535)
    username: str = "admin"
    password: SecretStr | None = None
    password_file: Path | None = None

    @model_validator(mode="after")
    def _read_password_file(self) -> OnvifAccess:
        _load_secret(self, "password", "password_file")
        return self

    def password_value(self) -> str:
        """Return the camera password ('' when none is configured)."""
        return self.password.get_secret_value() if self.password else ""


class PtzPreset(Section):
    """The position the camera map gives a PTZ camera; drift beyond tolerance is flagged."""

    pan: float
    tilt: float
    zoom: float = 0.0
    tolerance: float = Field(0.05, gt=0)


class Camera(Section):
    """A camera as on the camera map (888 Art. 14; 247 Annex I)."""

    number: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1)
    place: str = ""
    area: str = ""
    kind: Literal["surveillance", "recognition"] = "surveillance"
    unit: str | None = None
    onvif: OnvifAccess | None = None
    neighbours: list[str] = Field(default_factory=list)
    enterprise: str | None = None
    preset: PtzPreset | None = None


class IntakeSettings(Section):
    """The HTTP endpoint NVRs, VMSs and analytics systems post alerts to (247 II.2.2)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8443, ge=0, le=65535)
    secret: SecretStr | None = None
    secret_file: Path | None = None
    max_body_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    replay_window_seconds: int = Field(300, ge=10)
    # A sender has this long to deliver its body once its headers are in; a slow or stalled
    # one is answered 408 and cut off, so it cannot hold a connection open.
    read_timeout_seconds: float = Field(10.0, gt=0, le=600)
    # Where cameras can reach this server (e.g. http://10.0.0.5:8443); when set, cameras are
    # asked to push their events (ONVIF base notification), falling back to PullPoint.
    camera_notify_base_url: str | None = None

    @model_validator(mode="after")
    def _read_secret_file(self) -> IntakeSettings:
        _load_secret(self, "secret", "secret_file")
        if self.enabled and not self.secret:
            raise ValueError(
                "an enabled intake needs a secret (or secret_file) to check signatures"
            )
        return self


class AlertSettings(Section):
    """How camera alerts are folded so a storm stays readable and within Telegram's limits."""

    fold_window_seconds: int = Field(300, ge=1)
    digest_after_per_minute: int = Field(8, ge=1)
    # Post at once (with a placeholder image) if the snapshot takes longer than this...
    post_within_seconds: float = Field(1.5, gt=0)
    # ...and swap the real snapshot in if it arrives before this.
    snapshot_timeout_seconds: float = Field(10.0, gt=0)
    health_every_seconds: int = Field(300, ge=10)
    health_concurrency: int = Field(10, ge=1)


class EnterpriseCamera(Section):
    """A camera on an EPZ enterprise's camera map."""

    number: str = Field(min_length=1)
    name: str = ""
    kind: Literal["gate", "storage", "other"] = "other"


class Enterprise(Section):
    """An export-processing enterprise whose cameras Customs watches (247 I.1.1e)."""

    key: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    tax_code: str
    address: str = ""
    branch: str | None = Field(None, description="the managing customs branch (a unit key)")
    officer: int | None = Field(None, description="the assigned officer (a person id)")
    cameras: list[EnterpriseCamera] = Field(default_factory=list)

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, code: str) -> str:
        normalised = normalise_tax_code(code)
        if normalised is None:
            raise ValueError(
                "a tax code has 10 digits, or 10-3 for a branch (e.g. 0312345678 or 0312345678-001)"
            )
        return normalised


class CalendarSettings(Section):
    """Days the government adds off or swaps to working days beyond the public holidays."""

    extra_days_off: list[dt.date] = Field(default_factory=list)
    extra_working_days: list[dt.date] = Field(default_factory=list)


class RotationSettings(Section):
    """The monthly rotation of camera checks over every EPZ enterprise (247 II.1a)."""

    enabled: bool = True
    # The set time of day each check is made at; an officer's second check on one day
    # comes check_spacing_minutes later.
    check_at: dt.time = dt.time(9, 30)
    check_spacing_minutes: int = Field(30, ge=5)
    remind_before_minutes: int = Field(15, ge=0)
    # The plan is made on this working day of the month, at plan_at (or at start-up when the
    # month has no plan yet and that moment has passed).
    plan_on_working_day: int = Field(1, ge=1, le=15)
    plan_at: dt.time = dt.time(8, 0)
    # Enterprises without an assigned officer are spread over these (person ids).
    officers: list[int] = Field(default_factory=list)


class EpzSettings(Section):
    """EPZ supervision beyond the enterprises' registry."""

    rotation: RotationSettings = RotationSettings()


class DocumentSettings(Section):
    """Who issues the official forms and where (888 Annexes I-V), in sentence case."""

    # Printed in capitals in the headings; in running text as written here.
    authority: str = "Tổng cục Hải quan"
    desk: str = "Trực ban"
    monitoring_unit: str = "Cục Điều tra chống buôn lậu"
    place: str = "Hà Nội"


class Person(Section):
    """Someone the bot knows: a Telegram account with a name, title and unit."""

    id: int = Field(description="Telegram user id")
    name: str = Field(min_length=1)
    title: str = ""
    unit: str | None = None
    admin: bool = False


class Unit(Section):
    """A unit the desk may ask to act (Chi cục, Đội, Cục HQ tỉnh)."""

    key: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    chat_id: int | None = None
    # 247 I.2.3c: the branch head (Chi cục trưởng) decides an EPZ outage's interim measure.
    head: int | None = Field(None, description="the unit's head (a person id)")


class RosterDay(Section):
    """The composition of one shift (888 Art. 5.2)."""

    shift_leader: int | None = None
    section_leader: int | None = None
    clerk: int | None = None
    officers: list[int] = Field(default_factory=list)


class RosterSettings(Section):
    """Shift compositions by the date the shift starts; a CSV file may add more."""

    file: Path | None = None
    days: dict[dt.date, RosterDay] = Field(default_factory=dict)


class Settings(BaseSettings):
    """Everything duty-desk is configured with."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    locale: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    shift: ShiftSettings = ShiftSettings()
    people: list[Person] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    roster: RosterSettings = RosterSettings()
    escalation: EscalationSettings = EscalationSettings()
    cameras: list[Camera] = Field(default_factory=list)
    enterprises: list[Enterprise] = Field(default_factory=list)
    invite_valid_hours: int = Field(72, ge=1)
    calendar: CalendarSettings = CalendarSettings()
    epz: EpzSettings = EpzSettings()
    intake: IntakeSettings = IntakeSettings()
    alerts: AlertSettings = AlertSettings()
    documents: DocumentSettings = DocumentSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML file arrives as init values; the environment must win over it.
        return env_settings, init_settings, file_secret_settings

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r}; expected an IANA name such as 'Asia/Ho_Chi_Minh'"
            ) from None
        return name

    @model_validator(mode="after")
    def _check_references(self) -> Settings:
        people = {person.id for person in self.people}
        if len(people) != len(self.people):
            raise ValueError("people: the same Telegram user id is listed twice")
        units = {unit.key for unit in self.units}
        if len(units) != len(self.units):
            raise ValueError("units: the same key is listed twice")
        for person in self.people:
            if person.unit is not None and person.unit not in units:
                raise ValueError(
                    f"people: {person.name} names unit {person.unit!r}, "
                    f"which is not among units ({', '.join(sorted(units)) or 'none'})"
                )
        for unit in self.units:
            if unit.head is not None and unit.head not in people:
                raise ValueError(
                    f"units: {unit.key} names head {unit.head}, who is not listed under people"
                )
        numbers = {camera.number for camera in self.cameras}
        if len(numbers) != len(self.cameras):
            raise ValueError("cameras: the same number is listed twice")
        for camera in self.cameras:
            if camera.unit is not None and camera.unit not in units:
                raise ValueError(
                    f"cameras: camera {camera.number} names unit {camera.unit!r}, "
                    "which is not among units"
                )
            if camera.enterprise is not None:
                _check_enterprise_camera(self, camera)
            unknown = [n for n in camera.neighbours if n not in numbers]
            if unknown:
                raise ValueError(
                    f"cameras: camera {camera.number} has unknown neighbours {', '.join(unknown)}"
                )
        for enterprise in self.enterprises:
            if enterprise.branch is not None and enterprise.branch not in units:
                raise ValueError(
                    f"enterprises: {enterprise.key} names branch "
                    f"{enterprise.branch!r}, which is not among units"
                )
            if enterprise.officer is not None and enterprise.officer not in people:
                raise ValueError(
                    f"enterprises: {enterprise.key} names officer "
                    f"{enterprise.officer}, who is not listed under people"
                )
        for officer in self.epz.rotation.officers:
            if officer not in people:
                raise ValueError(
                    f"epz.rotation.officers: person {officer} is not listed under people"
                )
        for day, composition in self.roster.days.items():
            for role, person_id in _roster_people(composition):
                if person_id not in people:
                    raise ValueError(
                        f"roster.days.{day}.{role}: person {person_id} is not listed under people"
                    )
        return self

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)

    def person(self, user_id: int) -> Person | None:
        """Return the configured person with this Telegram id, if any."""
        return next((p for p in self.people if p.id == user_id), None)

    def camera(self, number: str) -> Camera | None:
        """Return the configured camera with this number, if any."""
        return self._cameras_by_number().get(number)

    def _cameras_by_number(self) -> dict[str, Camera]:
        # Alerts look cameras up on every event; the settings are frozen, so build this once.
        cached: dict[str, Camera] | None = self.__dict__.get("_camera_index")
        if cached is None:
            cached = {camera.number: camera for camera in self.cameras}
            object.__setattr__(self, "_camera_index", cached)
        return cached

    def enterprise(self, key: str) -> Enterprise | None:
        """Return the configured EPZ enterprise with this key, if any."""
        return next((e for e in self.enterprises if e.key == key), None)

    def unit(self, key: str) -> Unit | None:
        """Return the configured unit with this key, if any."""
        return next((u for u in self.units if u.key == key), None)


def _check_enterprise_camera(settings: Settings, camera: Camera) -> None:
    """A registry camera of an EPZ enterprise must be on that enterprise's camera map."""
    enterprise = settings.enterprise(camera.enterprise or "")
    if enterprise is None:
        raise ValueError(
            f"cameras: camera {camera.number} names enterprise {camera.enterprise!r}, "
            "which is not among enterprises"
        )
    if camera.number not in {c.number for c in enterprise.cameras}:
        raise ValueError(
            f"cameras: camera {camera.number} is not on the camera map of {enterprise.key} "
            f"({', '.join(c.number for c in enterprise.cameras) or 'empty'})"
        )


def _roster_people(day: RosterDay) -> list[tuple[str, int]]:
    named = [
        ("shift_leader", day.shift_leader),
        ("section_leader", day.section_leader),
        ("clerk", day.clerk),
    ]
    found = [(role, pid) for role, pid in named if pid is not None]
    return found + [("officers", pid) for pid in day.officers]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and what is expected."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


ROSTER_CSV_COLUMNS = ("date", "shift_leader", "section_leader", "clerk", "officers")


def read_roster_csv(path: Path) -> dict[str, dict[str, Any]]:
    """Read roster rows (date, shift_leader, section_leader, clerk, officers) from a CSV file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ROSTER_CSV_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(
                    str(path),
                    [
                        f"missing column(s) {', '.join(missing)}; "
                        f"expected {', '.join(ROSTER_CSV_COLUMNS)}"
                    ],
                )
            return {row["date"].strip(): _roster_row(row) for row in reader}
    except OSError as exc:
        raise ConfigError(str(path), [f"roster.file cannot be read: {exc.strerror}"]) from None


def _roster_row(row: dict[str, str]) -> dict[str, Any]:
    officers = [item.strip() for item in (row.get("officers") or "").split(";") if item.strip()]
    single = {
        key: (row.get(key) or "").strip() or None
        for key in ("shift_leader", "section_leader", "clerk")
    }
    return {**single, "officers": officers}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"is not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["the top level must be a mapping of keys"])
    return data


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key (check its spelling against config/duty-desk.example.yaml)"
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    if error["type"] != "value_error" and isinstance(given, str | int | float | bool):
        return f"{key}: {message} (got {given!r})"
    return f"{key}: {message}"


def config_path(explicit: Path | None = None) -> Path | None:
    """Return the configuration file to read: given, from the environment, or the default."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate the settings, raising ConfigError that names each bad key."""
    source = config_path(path)
    data = _read_yaml(source) if source is not None else {}
    data.update(overrides)
    label = str(source) if source is not None else "environment"
    roster = data.get("roster")
    if isinstance(roster, dict) and roster.get("file"):
        roster_file = Path(str(roster["file"]))
        if source is not None and not roster_file.is_absolute():
            roster_file = source.parent / roster_file
        from_csv = read_roster_csv(roster_file)
        roster["days"] = {**from_csv, **(roster.get("days") or {})}
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(label, [_describe(dict(err)) for err in exc.errors()]) from None
