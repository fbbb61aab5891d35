"""Loading the settings once: the YAML file, a roster CSV, DUTY_DESK_* overrides, clear errors."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.base import ENV_PREFIX, ConfigError
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
