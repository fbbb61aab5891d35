"""Logging that never prints the bot token or a webhook's secret token."""

from __future__ import annotations

import logging
import re

# The token sits in every Bot API URL that httpx logs; mask it wherever it appears.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# python-telegram-bot logs setWebhook's parameters at DEBUG, the secret token among them; the
# value after the key (a parameter, a header, a dict's repr) is masked.
_SECRET_TOKEN = re.compile(r"(secret[_-]token['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9_-]+", re.IGNORECASE)


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token, and any secret token's value, in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _SECRET_TOKEN.sub(r"\1<secret>", _TOKEN.sub("<token>", message))
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def configure_logging(level: str) -> None:
    """Log to stderr at a level, with tokens redacted and httpx kept quiet."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactTokens())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs each request URL, token included, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # PTB logs every 429 at ERROR with a traceback; the outbox records and retries them.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
