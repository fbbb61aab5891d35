"""The official documents the desk produces (888 Annexes I-V, 247 Annex II), Telegram-free."""
