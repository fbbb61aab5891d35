"""Logging that never prints the bot token or a webhook's secret token: as text lines, or as
one JSON object a line."""

from __future__ import annotations

import logging
import re
from types import TracebackType
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

# The token sits in every Bot API URL that httpx logs; mask it wherever it appears.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# python-telegram-bot logs setWebhook's parameters at DEBUG, the secret token among them; the
# value after the key (a parameter, a header, a dict's repr) is masked.
_SECRET_TOKEN = re.compile(r"(secret[_-]token['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9_-]+", re.IGNORECASE)

LogFormat = Literal["text", "json"]
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def redact(text: str) -> str:
    """The text with anything shaped like a bot token, and any secret token's value, replaced."""
    return _SECRET_TOKEN.sub(r"\1<secret>", _TOKEN.sub("<token>", text))


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token, and any secret token's value, in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


class TextLines(logging.Formatter):
    """Text lines; a traceback is redacted too (an HTTP error may quote the URL)."""

    def formatException(self, ei: _ExcInfo) -> str:
        return redact(super().formatException(ei))


class JsonLines(JsonFormatter):
    """One JSON object a line: time, level, logger, message and exception (when there is one)."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
                "stack_info": "stack",
            },
            timestamp="time",
            # Vietnamese stays readable in the line; JSON allows it.
            json_ensure_ascii=False,
        )

    def formatException(self, ei: _ExcInfo) -> str:
        # As one string (the library may also give a list of lines, not asked for here).
        return redact(logging.Formatter.formatException(self, ei))

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # The time first, as in the text lines, so a line reads from the left.
        return {"time": log_data.pop("time", None), **log_data}


def configure_logging(level: str, log_format: LogFormat = "text") -> None:
    """Log to stderr at a level, with tokens redacted and httpx kept quiet."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactTokens())
    handler.setFormatter(
        JsonLines()
        if log_format == "json"
        else TextLines("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs each request URL, token included, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # PTB logs every 429 at ERROR with a traceback; the outbox records and retries them.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
