"""Telegram text rules: UTF-16 offsets, entity detection, trimming and the HTML parse mode."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import accumulate
from typing import Any

Entity = dict[str, Any]
UserLookup = Callable[[int], dict[str, Any] | None]

# Telegram measures entity offsets and text limits in UTF-16 code units, so astral characters
# (most emoji) count twice.
_ASTRAL = 0xFFFF


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > _ASTRAL)


def utf16_offsets(text: str) -> list[int]:
    """Return the UTF-16 offset of every code point index, plus the total length at the end."""
    return [0, *accumulate(2 if ord(ch) > _ASTRAL else 1 for ch in text)]


def _entity(kind: str, offsets: list[int], start: int, end: int) -> Entity:
    return {"type": kind, "offset": offsets[start], "length": offsets[end] - offsets[start]}


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order entities like Telegram: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --- entities Telegram detects by itself in user messages ---------------------------------------

# Mirrors TDLib's find_bot_commands: a command may not touch word characters, '/', '<' or '>'.
_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")
_HASHTAG_MAX = 256


def _is_hashtag_char(ch: str) -> bool:
    # Unicode letters, digits and combining marks, so decomposed Vietnamese (e.g. "ự" written as
    # "u" + two marks) stays inside the hashtag.
    return ch == "_" or unicodedata.category(ch)[0] in "LNM" or ch in "\u200c\u00b7"


def _find_hashtags(text: str, offsets: list[int]) -> list[Entity]:
    found: list[Entity] = []
    pos = text.find("#")
    while pos != -1:
        end = pos + 1
        if pos == 0 or not _is_hashtag_char(text[pos - 1]):
            while end < len(text) and _is_hashtag_char(text[end]):
                end += 1
            body = text[pos + 1 : end]
            # Telegram needs at least one non-digit so "#123" stays plain text.
            if body and not all(unicodedata.category(ch) == "Nd" for ch in body):
                end = min(end, pos + 1 + _HASHTAG_MAX)
                found.append(_entity("hashtag", offsets, pos, end))
        pos = text.find("#", end)
    return found


def detect_entities(text: str) -> list[Entity]:
    """Return the bot_command, mention and hashtag entities Telegram adds to a user's text."""
    if not text:
        return []
    offsets = utf16_offsets(text)
    found = [
        _entity("bot_command", offsets, m.start(), m.end()) for m in _COMMAND_RE.finditer(text)
    ]
    found += [_entity("mention", offsets, m.start(), m.end()) for m in _MENTION_RE.finditer(text)]
    found += _find_hashtags(text, offsets)
    return sort_entities(found)


# --- trimming ------------------------------------------------------------------------------------

_TRIM = " \t\r\n"


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace like Telegram does and clip entities to what is left."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    size = utf16_len(stripped)
    clipped: list[Entity] = []
    for ent in entities:
        start = max(ent["offset"] - lead, 0)
        end = min(ent["offset"] + ent["length"] - lead, size)
        if end > start:
            clipped.append({**ent, "offset": start, "length": end - start})
    return stripped, clipped


# --- HTML parse mode -----------------------------------------------------------------------------


class EntityParseError(ValueError):
    """Raised when text in HTML parse mode is rejected; str() is Telegram's wording."""


_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "span"}
    | {"tg-spoiler", "tg-emoji", "blockquote"}
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TG_USER_RE = re.compile(r"^tg://user\?id=(\d+)$")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_char_ref(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at pos; return (character, end index) or None."""
    match = _CHAR_REF_RE.match(text, pos)
    if match is None:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


class _OpenTag:
    __slots__ = ("argument", "name", "start")

    def __init__(self, name: str, argument: str, start: int) -> None:
        self.name = name
        self.argument = argument
        self.start = start  # UTF-16 offset in the output text


class _HtmlParser:
    """A port of TDLib's parse_html: same accepted syntax and same error wording."""

    def __init__(self, source: str, lookup_user: UserLookup | None) -> None:
        self.src = source
        self.lookup_user = lookup_user
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []
        self.pre_language: dict[int, str] = {}  # id(pre tag) -> language from an inner <code>

    def error(self, message: str, index: int | None = None) -> EntityParseError:
        if index is not None:
            message = f"{message} at byte offset {_byte_offset(self.src, index)}"
        return EntityParseError(message)

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.utf16 += utf16_len(chunk)

    def parse(self) -> tuple[str, list[Entity]]:
        src, i = self.src, 0
        while i < len(src):
            lt = src.find("<", i)
            amp = src.find("&", i)
            stop = min(p for p in (lt, amp, len(src)) if p != -1)
            if stop > i:
                self.emit(src[i:stop])
                i = stop
                continue
            if src[i] == "&":
                decoded = _decode_char_ref(src, i)
                if decoded is None:
                    # Deliberately stricter than Telegram (which keeps a stray "&" literally):
                    # an unescaped "&" almost always means user text reached HTML unescaped.
                    raise self.error('Unescaped "&", use "&amp;"', i)
                self.emit(decoded[0])
                i = decoded[1]
            elif src.startswith("</", i):
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            name = self.stack[-1].name
            raise self.error(f'Can\'t find end tag corresponding to start tag "{name}"')
        text = "".join(self.out)
        return text, sort_entities([e for e in self.entities if e["length"] > 0])

    def start_tag(self, begin: int) -> int:
        src, i = self.src, begin + 1
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        if i >= len(src):
            raise self.error("Unclosed start tag", begin)
        name = src[begin + 1 : i].lower()
        if name not in _TAGS:
            raise self.error(f'Unsupported start tag "{name}"', begin)
        argument = ""
        while True:
            while i < len(src) and src[i].isspace():
                i += 1
            if i >= len(src):
                raise self.error("Unclosed start tag", begin)
            if src[i] == ">":
                break
            attr_begin = i
            while i < len(src) and not src[i].isspace() and src[i] not in "=>":
                i += 1
            attr = src[attr_begin:i].lower()
            if not attr:
                raise self.error(f'Empty attribute name in the tag "{name}"', begin)
            while i < len(src) and src[i].isspace():
                i += 1
            if name == "blockquote" and attr == "expandable" and src[i : i + 1] != "=":
                argument = "expandable"
                continue
            if src[i : i + 1] != "=":
                raise self.error(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}"',
                    begin,
                )
            value, i = self.attribute_value(i + 1, name, begin)
            argument = self.tag_argument(name, attr, value, argument)
        if name == "span" and argument != "tg-spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', begin)
        self.stack.append(_OpenTag(name, argument, self.utf16))
        return i + 1

    def attribute_value(self, i: int, name: str, begin: int) -> tuple[str, int]:
        src = self.src
        while i < len(src) and src[i].isspace():
            i += 1
        if i >= len(src):
            raise self.error("Unclosed start tag", begin)
        if src[i] not in "'\"":
            token_begin = i
            while i < len(src) and (src[i].isalnum() or src[i] in ".-"):
                i += 1
            if i == token_begin:
                raise self.error(
                    f'Expected quote in declaration of an attribute of the tag "{name}"', begin
                )
            if i < len(src) and src[i] != ">" and not src[i].isspace():
                raise self.error("Unexpected end of name token", token_begin)
            return src[token_begin:i], i
        quote, i = src[i], i + 1
        chars: list[str] = []
        while i < len(src) and src[i] != quote:
            decoded = _decode_char_ref(src, i) if src[i] == "&" else None
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
            else:
                chars.append(src[i])
                i += 1
        if i >= len(src):
            raise self.error("Unclosed start tag", begin)
        return "".join(chars), i + 1

    @staticmethod
    def tag_argument(name: str, attr: str, value: str, current: str) -> str:
        if name == "a" and attr == "href":
            return value
        if name == "code" and attr == "class" and value.startswith("language-"):
            return value.removeprefix("language-")
        if name == "span" and attr == "class" and value.startswith("tg-"):
            return value
        if name == "tg-emoji" and attr == "emoji-id":
            return value
        return current

    def end_tag(self, begin: int) -> int:
        src = self.src
        if not self.stack:
            raise self.error("Unexpected end tag", begin)
        i = begin + 2
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        end_name = src[begin + 2 : i]
        while i < len(src) and src[i].isspace():
            i += 1
        if i >= len(src) or src[i] != ">":
            raise self.error("Unclosed end tag", begin)
        tag = self.stack.pop()
        if end_name and end_name.lower() != tag.name:
            raise self.error(
                f"Unmatched end tag at byte offset {_byte_offset(src, begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.close(tag)
        return i + 1

    def close(self, tag: _OpenTag) -> None:
        entity: Entity = {"type": "", "offset": tag.start, "length": self.utf16 - tag.start}
        if tag.name == "a":
            user_match = _TG_USER_RE.match(tag.argument)
            user = self.lookup_user(int(user_match[1])) if user_match and self.lookup_user else None
            if user is not None:
                entity.update(type="text_mention", user=user)
            elif tag.argument:
                entity.update(type="text_link", url=tag.argument)
            else:
                return
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif tag.name == "blockquote":
            expandable = tag.argument == "expandable"
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        elif tag.name == "code" and tag.argument:
            parent = self.stack[-1] if self.stack else None
            # <pre><code class="language-x"> is one pre entity carrying the language.
            if parent is not None and parent.name == "pre" and parent.start == tag.start:
                self.pre_language[id(parent)] = tag.argument
                return
            entity["type"] = "code"
        else:
            entity["type"] = _SIMPLE_TYPES[tag.name]
            if tag.name == "pre" and id(tag) in self.pre_language:
                entity["language"] = self.pre_language.pop(id(tag))
        self.entities.append(entity)


def parse_html(source: str, lookup_user: UserLookup | None = None) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and entities; raise EntityParseError if invalid."""
    return _HtmlParser(source, lookup_user).parse()
