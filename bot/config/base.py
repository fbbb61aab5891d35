"""What every configuration section shares: strictness, secrets from files, the error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

ENV_PREFIX = "DUTY_DESK_"


# A phone number as printed on a form: digits with spaces, dots, dashes, "+" or brackets.
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{6,18}[0-9]$")


def phone_number(number: str) -> str:
    """A configured phone number, spaces made single; refused with the shape expected."""
    number = " ".join(number.split())
    if number and not _PHONE.match(number):
        raise ValueError(
            "a phone number has 8 to 15 digits, spaces or dots allowed (e.g. 0903 123 456 "
            "or +84 28 3829 1234)"
        )
    return number


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


def describe_error(error: dict[str, Any], prefix: str = "") -> str:
    """One validation error as `key: what is wrong`, the key after `prefix` (a desk's)."""
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"] and error["type"] == "value_error":
        # A check across sections names the key it is about at the start of its message.
        return prefix + message
    key = prefix + where if where else (prefix.rstrip(".") or "(top level)")
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key (check its spelling against config/duty-desk.example.yaml)"
    given = error.get("input")
    if error["type"] != "value_error" and isinstance(given, str | int | float | bool):
        return f"{key}: {message} (got {given!r})"
    return f"{key}: {message}"
