"""Messages of the emulated Telegram as the page shows them: HTML from entities, files, buttons."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from bot.devtools.emulator.text import sort_entities, utf16_offsets

JsonDict = dict[str, Any]

# Entities drawn by a pair of tags; the rest (bot commands, hashtags...) by their own rule.
_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "bot_command": ('<span class="command">', "</span>"),
    "hashtag": ('<span class="hashtag">', "</span>"),
    "mention": ('<span class="mention">', "</span>"),
    "text_mention": ('<span class="mention">', "</span>"),
    "phone_number": ('<span class="phone">', "</span>"),
}


def _opening(entity: JsonDict, text: str) -> tuple[str, str]:
    kind = entity["type"]
    if kind == "text_link":
        url = str(entity.get("url", ""))
        # Only web links are followed; a tg:// link has nowhere to go in the page.
        if url.startswith(("http://", "https://")):
            return f'<a href="{escape(url)}" target="_blank" rel="noopener">', "</a>"
        return '<span class="link">', "</span>"
    if kind == "url":
        target = text if text.startswith(("http://", "https://")) else f"https://{text}"
        return f'<a href="{escape(target)}" target="_blank" rel="noopener">', "</a>"
    return _TAGS.get(kind, ("", ""))


def entities_html(text: str, entities: list[JsonDict] | None) -> str:
    """Telegram text with its entities (UTF-16 offsets) as safe HTML, line breaks kept."""
    if not entities:
        return escape(text).replace("\n", "<br>")
    offsets = utf16_offsets(text)
    index = {unit: i for i, unit in enumerate(offsets)}
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in sort_entities(entities):
        start = index.get(int(entity["offset"]))
        end = index.get(int(entity["offset"]) + int(entity["length"]))
        if start is None or end is None or end <= start:
            continue
        opening, closing = _opening(entity, text[start:end])
        opens.setdefault(start, []).append(opening)
        # Inner entities close first: they were opened last.
        closes.setdefault(end, []).insert(0, closing)
    parts: list[str] = []
    for i, ch in enumerate(text):
        parts.extend(closes.get(i, ()))
        parts.extend(opens.get(i, ()))
        parts.append("<br>" if ch == "\n" else escape(ch))
    parts.extend(closes.get(len(text), ()))
    return "".join(parts)


def _buttons(message: JsonDict) -> list[list[JsonDict]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [
        [{k: button[k] for k in ("text", "callback_data", "url") if k in button} for button in row]
        for row in rows
    ]


def _author(message: JsonDict) -> JsonDict:
    user = message.get("from") or {}
    name = " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k))
    return {"id": user.get("id"), "name": name, "is_bot": bool(user.get("is_bot"))}


def message_view(message: JsonDict, tz: ZoneInfo) -> JsonDict:
    """What the page needs of one message."""
    local = dt.datetime.fromtimestamp(int(message["date"]), tz)
    view: JsonDict = {
        "chat_id": message["chat"]["id"],
        "message_id": message["message_id"],
        "from": _author(message),
        "time": local.strftime("%H:%M"),
        "date": local.strftime("%d/%m/%Y"),
        "edited": bool(message.get("_edits") or message.get("edit_date")),
        "buttons": _buttons(message),
        "media_group_id": message.get("media_group_id"),
    }
    if "text" in message:
        view["html"] = entities_html(message["text"], message.get("entities"))
    elif "caption" in message:
        view["html"] = entities_html(message["caption"], message.get("caption_entities"))
    else:
        view["html"] = ""
    photo = message.get("photo")
    if photo:
        view["photo"] = f"/api/files/{photo[-1]['file_id']}"
    document = message.get("document")
    if document:
        view["document"] = {
            "name": document.get("file_name") or document["file_id"],
            "url": f"/api/files/{document['file_id']}",
            "size": document.get("file_size", 0),
        }
    reply = message.get("reply_to_message")
    if reply:
        view["reply_to"] = {
            "from": _author(reply)["name"],
            "text": str(reply.get("text") or reply.get("caption") or "")[:80],
        }
    return view
