"""How the operator watches the desk: the health and metrics port, the log lines' shape."""

from __future__ import annotations

from pydantic import Field

from bot.config.base import Section


class OpsSettings(Section):
    """The operator's HTTP port: /healthz, /readyz and /metrics (Prometheus)."""

    # On by default and on loopback only: a scraper or a probe on the same host (or a reverse
    # proxy) reaches it; nothing it serves is meant for the internet.
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(9464, ge=0, le=65535)
    # Telegram counts as reachable while it answered the bot (a send, a 429, a getMe) within
    # this long; past it, /readyz asks Telegram itself (getMe) before it answers.
    telegram_fresh_seconds: int = Field(60, ge=5, le=3600)
