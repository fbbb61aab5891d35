"""Text as people type it, oddities included, and how every export must print it."""

from __future__ import annotations

import re

# What a phone, a paste from a terminal or a hostile sender can put in a message.
ODD = "\x1b[31m đỏ\x00 hết\u0085 chuỗi \u202eKO\u202c \u200fxong\tcột\r\nDòng hai \x7f\ud800"
# ... as every export prints it: each character that is not text shown as U+FFFD.
SHOWN = "�[31m đỏ� hết� chuỗi �KO� \u200fxong\tcột\nDòng hai ��"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]")


def odd(text: str, database_url: str) -> str:
    """The odd text as a database can keep it.

    A lone surrogate reaches the bot through Telegram's JSON, but neither database takes it
    (both store UTF-8), and PostgreSQL refuses NUL: recording such a message fails before any
    export (reported apart); every other oddity is kept as typed.
    """
    text = text.replace("\ud800", "")
    return text.replace("\x00", "") if database_url.startswith("postgresql") else text


def shown(text: str, database_url: str) -> str:
    """SHOWN for the text `odd` keeps."""
    text = text.replace("��", "�")
    return text.replace("đỏ�", "đỏ") if database_url.startswith("postgresql") else text


def shows(text: str, line: str, name: str) -> None:
    """The line is there (PDFs wrap it and print a tab as a space), and no control at all."""
    assert not CONTROLS.search(text), (name, CONTROLS.findall(text))
    if name.endswith(".pdf"):
        words = " ".join(line.replace("\t", " ").split())
        assert words in " ".join(text.split()), (name, words)
    else:
        assert line in text, (name, line)
