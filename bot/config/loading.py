"""Loading the settings once: the YAML file, a roster CSV, DUTY_DESK_* overrides, clear errors."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.base import ENV_PREFIX, ConfigError, describe_error
from bot.config.desks import deployment_desks
from bot.config.settings import Settings

DEFAULT_CONFIG_PATH = Path("config/duty-desk.yaml")


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


# PyYAML's C parser where it is built (the wheels have it): the same documents, read ten
# times faster (a deployment's configuration in a few milliseconds instead of tens).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [f"is not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["the top level must be a mapping of keys"])
    return data


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
    base = source.parent if source is not None else None
    _expand_roster(data.get("roster"), base)
    _gather_desks(data, source)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(label, [describe_error(dict(err)) for err in exc.errors()]) from None
    try:
        # Built now, so that a bad desk stops start-up rather than the first update.
        deployment_desks(settings)
    except ConfigError as exc:
        raise ConfigError(label, exc.problems) from None
    return settings


def _expand_roster(roster: Any, base: Path | None) -> None:
    """Add a roster CSV's days (`file`, relative to the file naming it) to the section's days."""
    if not isinstance(roster, dict) or not roster.get("file"):
        return
    roster_file = Path(str(roster["file"]))
    if base is not None and not roster_file.is_absolute():
        roster_file = base / roster_file
    from_csv = read_roster_csv(roster_file)
    roster["days"] = {**from_csv, **(roster.get("days") or {})}


def _gather_desks(data: dict[str, Any], source: Path | None) -> None:
    """Put the desks of the `desks` list and of the desks folder into data["desks"], in order."""
    listed = data.get("desks")
    places: dict[str, str] = {}
    problems: list[str] = []
    if isinstance(listed, list):
        for index, section in enumerate(listed):
            if isinstance(section, dict):
                _expand_roster(section.get("roster"), source.parent if source else None)
                _place(places, problems, section.get("key"), f"desks[{index}] of {source}")
    folder = _desks_folder(data, source)
    from_files = []
    for path in _desk_files(folder):
        section = _read_yaml(path)
        section.setdefault("key", path.stem)
        _expand_roster(section.get("roster"), path.parent)
        _place(places, problems, section.get("key"), str(path))
        from_files.append(section)
    if problems:
        raise ConfigError(str(source), problems)
    # A `desks` that is not a list is left as it is, for the validation to name.
    if from_files and (listed is None or isinstance(listed, list)):
        data["desks"] = [*(listed or []), *from_files]


def _desk_files(folder: Path | None) -> list[Path]:
    """The desk files of the folder in name order; other files (notes, CSV rosters) are not."""
    if folder is None:
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _place(places: dict[str, str], problems: list[str], key: Any, place: str) -> None:
    if not isinstance(key, str):
        return
    if key in places:
        problems.append(f"desks[{key}]: the same key twice, in {places[key]} and in {place}")
    places.setdefault(key, place)


def _desks_folder(data: dict[str, Any], source: Path | None) -> Path | None:
    """The folder of desk files: `desks_folder` (relative to the file), else desks/ if present."""
    given = os.environ.get(f"{ENV_PREFIX}DESKS_FOLDER") or data.get("desks_folder")
    if source is None and given is None:
        return None
    base = source.parent if source is not None else Path()
    if given is None:
        default = base / "desks"
        return default if default.is_dir() else None
    folder = Path(str(given))
    folder = folder if folder.is_absolute() else base / folder
    if not folder.is_dir():
        raise ConfigError(
            str(source) if source else "environment",
            [f"desks_folder: {folder} is not a folder (expected one YAML file per desk)"],
        )
    return folder
