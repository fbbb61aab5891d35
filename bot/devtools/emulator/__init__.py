"""A Telegram Bot API emulator (aiohttp) for end-to-end tests, benchmarks and a sandbox."""

from .params import ApiError
from .server import BotApiEmulator
from .state import StoredFile
from .text import EntityParseError, detect_entities, parse_html, utf16_len

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "EntityParseError",
    "StoredFile",
    "detect_entities",
    "parse_html",
    "utf16_len",
]
