"""Inline keyboards as the outbox stores them: rows of buttons carrying callback data."""

from __future__ import annotations

from dataclasses import dataclass

Keyboard = list[list[dict[str, str]]]


@dataclass(frozen=True)
class Button:
    """An inline button that sends callback data back to the bot."""

    text: str
    data: str


def keyboard(rows: list[list[Button]]) -> Keyboard:
    """Turn rows of buttons into Telegram's inline keyboard shape."""
    return [[{"text": b.text, "callback_data": b.data} for b in row] for row in rows if row]
