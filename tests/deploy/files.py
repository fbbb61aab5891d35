"""The deployment files read as their tools read them, and DUTY_DESK_* names resolved."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel

from bot.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
UNITS = ROOT / "deploy" / "systemd"
# Read by the command itself, not settings: the configuration file and the log level.
COMMAND_ENV = {f"{ENV_PREFIX}CONFIG", f"{ENV_PREFIX}LOG_LEVEL"}
SECRETS_DIR = "/run/secrets/"


def setting(env_name: str) -> str | None:
    """The settings key an environment name sets (telegram.token_file), or None if none."""
    if not env_name.startswith(ENV_PREFIX):
        return None
    parts = env_name.removeprefix(ENV_PREFIX).lower().split("__")
    model: type[BaseModel] = Settings
    for depth, part in enumerate(parts):
        found = model.model_fields.get(part)
        if found is None:
            return None
        if depth < len(parts) - 1:
            nested = [
                kind
                for kind in (found.annotation, *get_args(found.annotation))
                if isinstance(kind, type) and issubclass(kind, BaseModel)
            ]
            if not nested:
                return None
            model = nested[0]
    return ".".join(parts)


def compose() -> dict[str, Any]:
    """The compose file as compose reads it (anchors and merge keys resolved)."""
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def bot_services(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the bot (the image's default command, `run`)."""
    return {
        name: service
        for name, service in spec["services"].items()
        if service.get("image", "").startswith("duty-desk") and "command" not in service
    }


@dataclass
class Dockerfile:
    """A Dockerfile's instructions in order: (INSTRUCTION, arguments)."""

    instructions: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls) -> Dockerfile:
        lines: list[str] = []
        pending = ""
        for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
            stripped = raw.strip()
            if stripped.startswith("#") or not stripped:
                continue
            if stripped.endswith("\\"):
                pending += stripped[:-1] + " "
                continue
            lines.append(pending + stripped)
            pending = ""
        parsed = cls()
        for line in lines:
            keyword, _, rest = line.partition(" ")
            parsed.instructions.append((keyword.upper(), rest.strip()))
        return parsed

    def all(self, keyword: str) -> list[str]:
        return [rest for kind, rest in self.instructions if kind == keyword]

    def index(self, keyword: str) -> int:
        return next(i for i, (kind, _) in enumerate(self.instructions) if kind == keyword)


@dataclass
class Unit:
    """A systemd unit: each section's keys with every value given (keys repeat)."""

    sections: dict[str, dict[str, list[str]]]

    @classmethod
    def read(cls, path: Path) -> Unit:
        sections: dict[str, dict[str, list[str]]] = {}
        current: dict[str, list[str]] = {}
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[]"), {})
                continue
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
        return cls(sections)

    def service(self, key: str) -> list[str]:
        return self.sections["Service"].get(key, [])

    def environment(self) -> dict[str, str]:
        """Environment= assignments (each may hold several, shell-quoted)."""
        pairs = [item for value in self.service("Environment") for item in shlex.split(value)]
        return dict(pair.split("=", 1) for pair in pairs)

    def credentials(self) -> dict[str, str]:
        """LoadCredential= names and the host files they come from."""
        return dict(value.split(":", 1) for value in self.service("LoadCredential"))
