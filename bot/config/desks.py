"""Many duty rooms on one deployment: the desks, each with its own complete Settings.

A desk is one duty room: its group, units, cameras, enterprises, roster and settings. Without
`desks` the top level is the one desk of today ("main"); with them, each desk's section is
merged over the deployment's values (desk_settings.py) and the desks are checked against each
other here: one group, one camera number, one enterprise belongs to one desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.config.base import ConfigError
from bot.config.connections import ForumTopics
from bot.config.desk_settings import desk_settings, section_problems
from bot.config.settings import Settings

DEFAULT_DESK_KEY = "main"
DESK_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DESK_KEY_MAX_LENGTH = 64


@dataclass(frozen=True)
class DeskConfig:
    """One duty room: its key (kept in the database), display name and settings."""

    key: str
    name: str
    settings: Settings


def deployment_desks(settings: Settings) -> tuple[DeskConfig, ...]:
    """The desks of this deployment, in configuration order."""
    # Asked for on every update; the settings are frozen, so the desks are built once. The
    # cache names its object: model_copy copies __dict__, and a copy may have other desks.
    cached: tuple[int, tuple[DeskConfig, ...]] | None = settings.__dict__.get("_desks")
    if cached is None or cached[0] != id(settings):
        cached = (id(settings), _build(settings))
        object.__setattr__(settings, "_desks", cached)
    return cached[1]


def _build(settings: Settings) -> tuple[DeskConfig, ...]:
    if not settings.desks:
        documents = settings.documents
        named = "desk" in documents.model_fields_set and documents.desk.strip()
        return (DeskConfig(DEFAULT_DESK_KEY, documents.desk if named else "main", settings),)
    problems = _top_level_problems(settings)
    desks: list[DeskConfig] = []
    seen: set[str] = set()
    for index, section in enumerate(settings.desks):
        key = section.get("key")
        label = f"desks[{key}]" if isinstance(key, str) and key else f"desks[{index}]"
        found = _key_problems(label, key, seen) + section_problems(label, section)
        seen.add(str(key))
        if found:
            problems += found
            continue
        try:
            desk = desk_settings(settings, label, section)
        except ConfigError as exc:
            problems += exc.problems
            continue
        desks.append(DeskConfig(str(key), str(section.get("name") or key), desk))
    if not problems:
        problems = _across_desks(settings, desks)
    if problems:
        raise ConfigError("desks", problems)
    return tuple(desks)


def _key_problems(label: str, key: Any, seen: set[str]) -> list[str]:
    if not isinstance(key, str) or not key:
        return [f"{label}.key: each desk needs a key, e.g. dongnai (a-z, 0-9, _ and -)"]
    if not DESK_KEY.match(key) or len(key) > DESK_KEY_MAX_LENGTH:
        return [
            f"{label}.key: expected lower-case letters, digits, _ and -, starting with a "
            f"letter or digit, at most {DESK_KEY_MAX_LENGTH} characters (e.g. dongnai)"
        ]
    if key in seen:
        return [f"{label}: two desks have this key; each desk needs its own"]
    return []


def _top_level_problems(settings: Settings) -> list[str]:
    """With desks, the top level holds defaults only: what describes one desk is refused."""
    given = {
        "telegram.duty_group_id": settings.telegram.duty_group_id is not None,
        "telegram.topics": settings.telegram.topics != ForumTopics(),
        "units": bool(settings.units),
        "cameras": bool(settings.cameras),
        "enterprises": bool(settings.enterprises),
        "roster": bool(settings.roster.days) or settings.roster.file is not None,
        # Who checks a desk's enterprises in turn is that desk's to say.
        "epz.rotation.officers": bool(settings.epz.rotation.officers),
    }
    return [
        f"{key}: with desks, each desk lists its own (desks[<key>].{key})"
        for key, present in given.items()
        if present
    ]


def _across_desks(settings: Settings, desks: list[DeskConfig]) -> list[str]:
    problems: list[str] = []
    if len(desks) > 1:
        problems += [
            f"desks[{desk.key}].telegram.duty_group_id: each desk needs its duty group"
            for desk in desks
            if desk.settings.telegram.duty_group_id is None
        ]
    groups: dict[int, str] = {}
    cameras: dict[str, str] = {}
    enterprises: dict[str, str] = {}
    for desk in desks:
        for where, chat_id, whose in _desk_groups(desk):
            if chat_id in groups and not groups[chat_id].startswith(f"desks[{desk.key}]"):
                problems.append(f"{where}: group {chat_id} is already {groups[chat_id]}")
            groups.setdefault(chat_id, whose)
        for camera in desk.settings.cameras:
            owner = cameras.setdefault(camera.number, desk.key)
            if owner != desk.key:
                problems.append(
                    f"desks[{desk.key}].cameras: camera {camera.number} is already "
                    f"desks[{owner}]'s; a camera number belongs to one desk (an alert is "
                    "routed by it)"
                )
        for enterprise in desk.settings.enterprises:
            owner = enterprises.setdefault(enterprise.key, desk.key)
            if owner != desk.key:
                problems.append(
                    f"desks[{desk.key}].enterprises: {enterprise.key} is already "
                    f"desks[{owner}]'s; an enterprise belongs to one desk"
                )
    return problems + _shared_units(settings, desks)


def _desk_groups(desk: DeskConfig) -> list[tuple[str, int, str]]:
    """Each group the desk names: where it is named, its id, and whose group it is."""
    label = f"desks[{desk.key}]"
    found = []
    if desk.settings.telegram.duty_group_id is not None:
        found.append(
            (
                f"{label}.telegram.duty_group_id",
                desk.settings.telegram.duty_group_id,
                f"{label}'s duty group",
            )
        )
    found += [
        (f"{label}.units[{unit.key}].chat_id", unit.chat_id, f"{label}'s unit {unit.key}")
        for unit in desk.settings.units
        if unit.chat_id is not None
    ]
    return found


def _shared_units(settings: Settings, desks: list[DeskConfig]) -> list[str]:
    """A shared person's unit must be a unit of some desk (each desk keeps it if it has it)."""
    units = {unit.key for desk in desks for unit in desk.settings.units}
    return [
        f"people: {person.name} names unit {person.unit!r}, which is not among any desk's units"
        for person in settings.people
        if person.unit is not None and person.unit not in units
    ]
