"""What every configuration section shares: strictness, secrets from files, the error."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

ENV_PREFIX = "DUTY_DESK_"


class Section(BaseModel):
    """A configuration section: a misspelt key fails at load instead of being ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load_secret(section: BaseModel, field: str, file_field: str) -> None:
    """Fill a secret from its file (a container secret) when it is not given directly."""
    path = getattr(section, file_field)
    if getattr(section, field) is not None or path is None:
        return
    # The sections are frozen once validated; this runs inside validation.
    object.__setattr__(section, field, SecretStr(read_secret(path, file_field)))


def read_secret(path: Path, file_field: str) -> str:
    """A secret file's content, without the newline editors and `echo` leave at its end."""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"{file_field} {path} cannot be read: {exc.strerror}") from None


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and what is expected."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))
