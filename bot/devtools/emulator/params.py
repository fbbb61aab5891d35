"""Bot API request parameters: decoding form/JSON values and Telegram-shaped errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# Parameters whose form value is a JSON-serialised object, as PTB and the Bot API send them.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "media",
        "reaction",
        "link_preview_options",
        "menu_button",
    }
)
INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "from_chat_id",
    }
)
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "is_big",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "show_caption_above_media",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    }
)


class ApiError(Exception):
    """A failed Bot API call, answered as {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram would send for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(reason: str) -> ApiError:
    """Return a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """Return a 429 flood-control error."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes

    def describe(self) -> dict[str, Any]:
        """Return a small JSON-friendly stand-in for the recorded call log."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    if name in INT_PARAMS and value.lstrip("-").isdigit():
        return int(value)
    if name in BOOL_PARAMS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


class Params:
    """Decoded parameters of one call with typed, Telegram-erroring accessors."""

    def __init__(self, raw: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values: dict[str, Any] = {k: _decode(k, v) for k, v in raw.items()}
        self.files: dict[str, Upload] = files or {}

    def logged(self) -> dict[str, Any]:
        """Return the values plus file descriptions, for the emulator's call log."""
        return {**self.values, **{k: f.describe() for k, f in self.files.items()}}

    def has(self, name: str) -> bool:
        """Return whether the parameter was sent (as a value or a file)."""
        return name in self.values or name in self.files

    def opt_str(self, name: str, default: str | None = None) -> str | None:
        """Return a string parameter."""
        value = self.values.get(name)
        return default if value is None else str(value)

    def req_str(self, name: str) -> str:
        """Return a required string parameter."""
        value = self.opt_str(name)
        if value is None:
            raise bad_request(f'parameter "{name}" is required')
        return value

    def opt_int(self, name: str, default: int | None = None) -> int | None:
        """Return an integer parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def req_int(self, name: str) -> int:
        """Return a required integer parameter."""
        value = self.opt_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        """Return a boolean parameter (absent means False)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str) -> Any:
        """Return a JSON parameter already decoded (None when absent)."""
        return self.values.get(name)
