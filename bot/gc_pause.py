"""The garbage collector through a bot's start-up: no full collection until it is over.

Importing the bot and building its desks leaves some 150,000 objects that live as long as the
process. Each full collection walks all of them, finds nothing to free, and two or three fall
in a start (some fifty milliseconds on the way to the first getUpdates, more on a busy
machine). Young and middle collections go on, freeing the short-lived cycles of the imports;
the full ones wait until start-up is over, when what it built is frozen out of the
collector's walks (bot/app.py).
"""

from __future__ import annotations

import gc

# The oldest generation's threshold while held: in practice never reached.
HELD = 1_000_000_000
# The threshold held back, given back by `release`.
_held_back: list[int] = []


def hold_full_collections() -> None:
    """Keep the collector from full collections until `release` (young ones go on)."""
    young, older, oldest = gc.get_threshold()
    if oldest != HELD:
        _held_back.append(oldest)
    gc.set_threshold(young, older, HELD)


def release() -> bool:
    """Let full collections happen again, as often as before; True if they were held."""
    if not _held_back:
        return False
    young, older, _held = gc.get_threshold()
    gc.set_threshold(young, older, _held_back.pop())
    return True
