"""The settings model: every section together, and the cross-references checked between them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config.base import ENV_PREFIX
from bot.config.cameras import AlertSettings, Camera
from bot.config.connections import DatabaseSettings, IntakeSettings, TelegramSettings
from bot.config.coordination import CoordinationSettings
from bot.config.duty import CalendarSettings, DocumentSettings, EscalationSettings, ShiftSettings
from bot.config.epz import Enterprise, EpzSettings
from bot.config.operations import OpsSettings
from bot.config.people import Person, RosterSettings, Unit, roster_people
from bot.config.retention import RetentionSettings


class Settings(BaseSettings):
    """Everything duty-desk is configured with."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        # A refused section would otherwise be repeated whole, token and secrets included,
        # by anything that prints the error; load_settings names the key and what is expected.
        hide_input_in_errors=True,
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
    ops: OpsSettings = OpsSettings()
    # One log line per record as text, or as a JSON object (for a log shipper).
    log_format: Literal["text", "json"] = "text"
    retention: RetentionSettings = RetentionSettings()
    coordination: CoordinationSettings = CoordinationSettings()
    # Several duty rooms on this deployment: each a mapping of the keys a desk may set, checked
    # and merged over the values above by bot.config.desks (none: the top level is one desk).
    desks: list[dict[str, Any]] = Field(default_factory=list)
    # One file per desk; relative to the configuration file, `desks/` next to it by default.
    desks_folder: Path | None = None

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
            # With desks the units are each desk's; bot.config.desks checks them there.
            if person.unit is not None and person.unit not in units and not self.desks:
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
            for role, person_id in roster_people(composition):
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
