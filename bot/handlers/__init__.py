"""Telegram-side handlers, one module per feature; each exposes register(app, desk)."""
