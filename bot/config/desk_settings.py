"""One desk's Settings: the deployment's values with the desk's section merged over them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.config.base import ConfigError, describe_error
from bot.config.connections import TelegramSettings
from bot.config.people import Person, roster_people
from bot.config.settings import Settings

# The keys a desk section may set; every other key of Settings is the deployment's.
DESK_KEYS = frozenset(
    {
        "telegram",
        "locale",
        "timezone",
        "shift",
        "people",
        "units",
        "roster",
        "escalation",
        "cameras",
        "enterprises",
        "invite_valid_hours",
        "calendar",
        "epz",
        "alerts",
        "documents",
    }
)
# Of telegram, only where the desk's group is: one bot (token, mode, pace) serves every desk.
DESK_TELEGRAM_KEYS = frozenset({"duty_group_id", "topics"})
# The desk's own words about itself, not settings.
DESK_IDENTITY_KEYS = frozenset({"key", "name", "admins"})
DEPLOYMENT_KEYS = frozenset({"desks", "desks_folder"})


class DeskSettings(Settings):
    """A desk's settings: made from the deployment's values, never from the environment again."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment already reached the deployment's values a desk starts from; read
        # again, DUTY_DESK_TELEGRAM__DUTY_GROUP_ID would put every desk in one group.
        return (init_settings,)


def section_problems(label: str, section: dict[str, Any]) -> list[str]:
    """What is wrong with a desk section's own keys, each named under `label` (desks[key])."""
    problems: list[str] = []
    for name in section:
        if name in DESK_KEYS or name in DESK_IDENTITY_KEYS:
            continue
        if name in Settings.model_fields:
            problems.append(f"{label}.{name}: deployment-wide; set it at the top level")
        else:
            problems.append(
                f"{label}.{name}: unknown key (check its spelling against "
                "config/duty-desk.example.yaml)"
            )
    telegram = section.get("telegram")
    if isinstance(telegram, dict):
        # Unknown keys of telegram are named by the validation of the merged section.
        problems += [
            f"{label}.telegram.{name}: deployment-wide; set it at the top level"
            for name in telegram
            if name not in DESK_TELEGRAM_KEYS and name in TelegramSettings.model_fields
        ]
    shown = section.get("name")
    if shown is not None and (not isinstance(shown, str) or not shown.strip()):
        problems.append(f"{label}.name: expected the desk's display name, e.g. Trực ban Cục HQ")
    admins = section.get("admins", [])
    if not isinstance(admins, list) or not all(
        isinstance(a, int) and not isinstance(a, bool) for a in admins
    ):
        problems.append(f"{label}.admins: expected a list of person ids, e.g. [1001, 1002]")
    return problems


def desk_settings(deployment: Settings, label: str, section: dict[str, Any]) -> Settings:
    """The desk's complete, validated Settings; ConfigError names each problem under `label`."""
    shared = {person.id: person for person in deployment.people}
    own = section.get("people") or []
    own_ids = {p.get("id") for p in own if isinstance(p, dict)} if isinstance(own, list) else set()
    admins: list[int] = list(section.get("admins") or [])
    problems = [
        f"{label}.people: person {pid} is listed twice: here and under the shared people"
        for pid in sorted(i for i in own_ids if isinstance(i, int) and i in shared)
    ]
    problems += [
        f"{label}.admins: person {pid} is not listed under people"
        for pid in admins
        if pid not in shared and pid not in own_ids
    ]
    if problems:
        raise ConfigError(label, problems)
    values = _merged(deployment, section)
    copies = [_desk_copy(p, section, admins) for p in shared.values()]
    # Not a list: left as given, for the validation to say what is expected.
    values["people"] = copies + own if isinstance(own, list) else own
    try:
        desk = DeskSettings(**values)
    except ValidationError as exc:
        raise ConfigError(
            label, [describe_error(dict(err), prefix=f"{label}.") for err in exc.errors()]
        ) from None
    # Of the shared people, the desk knows those it names; the others are other desks'.
    named = _named_people(desk) | set(admins)
    shared_named = [p for p in desk.people[: len(copies)] if p.id in named]
    return desk.model_copy(update={"people": shared_named + desk.people[len(copies) :]})


def _merged(deployment: Settings, section: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        if name in DEPLOYMENT_KEYS or name == "people":
            continue
        current = getattr(deployment, name)
        if name in section:
            values[name] = deep_merge(_plain(current), section[name])
        else:
            # Taken as validated (pydantic does not check an instance again): secrets and
            # password files are not read a second time.
            values[name] = current
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    return value


def deep_merge(base: Any, over: Any) -> Any:
    """`over` on `base`: mappings merge key by key, lists and scalars replace."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return over


def _desk_copy(person: Person, section: dict[str, Any], admins: list[int]) -> Person:
    """A shared person as this desk sees them: its admin if named so, its unit if it has it."""
    units = section.get("units")
    listed = units if isinstance(units, list) else []
    keys = {u.get("key") for u in listed if isinstance(u, dict)}
    update: dict[str, Any] = {}
    if person.id in admins:
        update["admin"] = True
    if person.unit is not None and person.unit not in keys:
        update["unit"] = None
    return person.model_copy(update=update) if update else person


def _named_people(desk: Settings) -> set[int]:
    # The people of the desk's units (their contacts answer its requests) are its own too.
    named = {person.id for person in desk.people if person.unit is not None}
    named |= {pid for day in desk.roster.days.values() for _role, pid in roster_people(day)}
    named |= {u.head for u in desk.units if u.head is not None}
    named |= {e.officer for e in desk.enterprises if e.officer is not None}
    return named | set(desk.epz.rotation.officers)
