"""The emulated Telegram world (users, chats, messages, files) and its test-side API."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from .standing import BotMember, BotStanding
from .text import detect_entities
from .updates import UpdateQueue

JsonDict = dict[str, Any]
MessageKey = tuple[int, int]
MessagePredicate = Callable[[JsonDict], bool]
_T = TypeVar("_T")

CHAT_TYPES = frozenset({"private", "group", "supergroup", "channel"})
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})


def unix_time(date: datetime | int | None = None) -> int:
    """Return a Telegram timestamp (whole unix seconds) for a datetime, int or now."""
    if date is None:
        return int(time.time())
    if isinstance(date, datetime):
        return int(date.timestamp())
    return int(date)


def _image_size(data: bytes) -> tuple[int, int]:
    """Return an image's (width, height); odd bytes get a plausible default."""
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return int(width), int(height)
    except Exception:
        # Tests often send placeholder bytes; Telegram would reject them, a fake size is kinder.
        return 640, 480


def reply_snapshot(message: JsonDict) -> JsonDict:
    """Return a message as embedded in reply_to_message (Telegram does not nest further)."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


@dataclass(slots=True)
class StoredFile:
    """A photo or document the emulator holds, by file_id, with its bytes."""

    file_id: str
    file_unique_id: str
    file_path: str
    kind: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def photo_size(self) -> JsonDict:
        """Return the file as a Telegram PhotoSize."""
        width, height = _image_size(self.data)
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(self.data),
        }

    def document(self) -> JsonDict:
        """Return the file as a Telegram Document."""
        doc: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def file(self) -> JsonDict:
        """Return the file as a Telegram File (the getFile result)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class EmulatorState:
    """Everything the fake Telegram knows, plus the plain methods tests drive it with."""

    def __init__(self, token: str, bot_username: str, bot_id: int) -> None:
        self.token = token
        # Telegram's own clock; tests that move time point it at their clock, so what the bot
        # sends is dated in the same day and shift as what the test's people send.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        first_name = bot_username.removesuffix("_bot").replace("_", " ").title() or "Bot"
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": bot_username,
        }
        self.users: dict[int, JsonDict] = {}
        # Users who never opened a private chat with the bot (or blocked it): Telegram refuses
        # the bot's messages to them with 403 until they write to it.
        self.not_started: set[int] = set()
        self.chats: dict[int, JsonDict] = {}
        # Current state of every message, user's and bot's, in creation order.
        self.messages: dict[MessageKey, JsonDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.answers: dict[str, JsonDict] = {}
        self.queries: dict[str, JsonDict] = {}
        self.calls: list[tuple[str, JsonDict]] = []
        self.updates = UpdateQueue()
        self.stored_commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.members: dict[int, dict[int, str]] = {}
        # The bot's own status and rights per chat, upgraded groups, privacy mode.
        self.standing = BotStanding()
        self.pinned: dict[int, int] = {}
        self.reactions: dict[MessageKey, list[JsonDict]] = {}
        self._edit_counts: dict[MessageKey, int] = {}
        self._bot_log: list[MessageKey] = []
        self._bot_index: dict[MessageKey, int] = {}
        self._edit_log: list[MessageKey] = []
        self._last_message_id: dict[int, int] = {}
        self._seq = itertools.count(1)
        self._fail_plan: dict[str, tuple[int, int]] = {}
        self._changed = asyncio.Event()

    # --- change notification ---------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter; each waits on the event current when it last looked."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_changed(self, seconds: float) -> None:
        """Return after the next change or after the given seconds."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), seconds)

    async def _wait_until(
        self, check: Callable[[], _T | None], seconds: float, describe: Callable[[], str]
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (result := check()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            await self.wait_changed(remaining)
        return result

    # --- world building ----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
        started_bot: bool = True,
    ) -> JsonDict:
        """Register a human user and return its Telegram User object.

        With `started_bot=False` the bot may not write to them privately until they write first.
        """
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        if not started_bot:
            self.not_started.add(user_id)
        return user

    def add_chat(
        self, chat_id: int, type: str, title: str | None = None, *, is_forum: bool = False
    ) -> JsonDict:
        """Register a chat and return its Telegram Chat object."""
        if type not in CHAT_TYPES:
            raise ValueError(f"unknown chat type {type!r}; use one of {sorted(CHAT_TYPES)}")
        if type == "private":
            user = self.users.get(chat_id)
            chat: JsonDict = {"id": chat_id, "type": "private"}
            if user is not None:
                chat.update(
                    {k: user[k] for k in ("first_name", "last_name", "username") if k in user}
                )
            elif title:
                chat["first_name"] = title
        else:
            chat = {"id": chat_id, "type": type, "title": title or f"Chat {chat_id}"}
            if is_forum:
                chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set a user's membership status (creator, administrator, member, left, kicked)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}; use one of {sorted(MEMBER_STATUSES)}")
        self.members.setdefault(chat_id, {})[user_id] = status

    def set_bot_status(
        self,
        chat_id: int,
        status: str,
        *,
        by: int | None = None,
        can_send_messages: bool = True,
        rights: dict[str, bool] | None = None,
        date: datetime | int | None = None,
    ) -> JsonDict | None:
        """Set the bot's status in a chat (an administrator of every group unless set).

        With `by` (the user who did it) the bot gets a `my_chat_member` update, as when a
        person adds, removes, promotes or demotes it; without, the world simply is so.
        `rights` overrides an administrator's rights, e.g. {"can_pin_messages": False}.
        """
        chat = self._require_chat(chat_id)
        old = self.standing.of(chat).as_chat_member(self.bot_user)
        self.standing.set(chat_id, BotMember(status, can_send_messages, dict(rights or {})))
        if by is None:
            return None
        payload: JsonDict = {
            "chat": chat,
            "from": self._require_user(by),
            "date": unix_time(date if date is not None else self.now()),
            "old_chat_member": old,
            "new_chat_member": self.standing.of(chat).as_chat_member(self.bot_user),
        }
        self.updates.push("my_chat_member", payload)
        self.notify()
        return payload

    def migrate_chat(
        self, old_id: int, new_id: int, by: int, *, date: datetime | int | None = None
    ) -> JsonDict:
        """Upgrade a basic group to a supergroup with a new id, as Telegram does.

        The old group gets a service message with `migrate_to_chat_id`, the new one a message
        with `migrate_from_chat_id`; from then on any call naming the old id is refused with
        400 and `migrate_to_chat_id`. Members and the bot's standing move along. Returns the
        new chat.
        """
        old = self._require_chat(old_id)
        if old["type"] != "group":
            raise ValueError(f"chat {old_id} is a {old['type']}; only a basic group migrates")
        user = self._require_user(by)
        new = self.add_chat(new_id, "supergroup", old.get("title"))
        self.members[new_id] = dict(self.members.get(old_id, {}))
        self.standing.set(new_id, self.standing.of(old))
        when = unix_time(date if date is not None else self.now())
        for chat_id, fields in (
            (old_id, {"from": user, "migrate_to_chat_id": new_id}),
            (new_id, {"from": user, "migrate_from_chat_id": old_id}),
        ):
            self.updates.push("message", self.create_message(chat_id, fields, when))
        self.standing.migrated[old_id] = new_id
        self.notify()
        return new

    def member_status(self, chat_id: int, user_id: int) -> str:
        """Return a user's status in a chat; users never seen there have "left"."""
        chat = self.chats.get(chat_id)
        if chat is not None and chat["type"] == "private" and chat_id == user_id:
            return "member"
        return self.members.get(chat_id, {}).get(user_id, "left")

    def resolve_chat(self, chat_id: int) -> JsonDict | None:
        """Return a chat, creating the private chat with a known user on demand."""
        chat = self.chats.get(chat_id)
        if chat is None and chat_id in self.users:
            chat = self.add_chat(chat_id, "private")
        return chat

    def _require_user(self, user_id: int) -> JsonDict:
        user = self.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; call add_user() first")
        return user

    def _require_chat(self, chat_id: int) -> JsonDict:
        chat = self.resolve_chat(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}; call add_chat() first")
        return chat

    def _require_message(self, chat_id: int, message_id: int) -> JsonDict:
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        return message

    # --- messages and files (shared by the test API and the Bot API methods) -----------------

    def next_id(self) -> int:
        """Return a fresh emulator-wide sequence number (file ids, query ids, album ids)."""
        return next(self._seq)

    def create_message(self, chat_id: int, fields: JsonDict, date: int) -> JsonDict:
        """Store a new message with the chat's next message_id and return it."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message: JsonDict = {
            "message_id": message_id,
            "date": date,
            "chat": self.chats[chat_id],
            **fields,
        }
        self.messages[(chat_id, message_id)] = message
        return message

    def add_bot_message(self, chat_id: int, fields: JsonDict) -> JsonDict:
        """Store a message the bot sent, log it in send order and wake waiters."""
        message = self.create_message(chat_id, fields, unix_time(self.now()))
        key = (chat_id, message["message_id"])
        self._bot_index[key] = len(self._bot_log)
        self._bot_log.append(key)
        self.notify()
        return message

    def replace_message(self, message: JsonDict) -> None:
        """Store a new version of a message (edits never mutate the old dict in place)."""
        key = (message["chat"]["id"], message["message_id"])
        self.messages[key] = message
        self._edit_counts[key] = self._edit_counts.get(key, 0) + 1
        self._edit_log.append(key)
        self.notify()

    def remove_message(self, chat_id: int, message_id: int) -> bool:
        """Delete a message; return whether it existed."""
        found = self.messages.pop((chat_id, message_id), None) is not None
        if found:
            self.notify()
        return found

    def store_file(
        self, data: bytes, kind: str, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Keep uploaded bytes under a new file_id and return the record."""
        number = self.next_id()
        if kind == "photo":
            path, mime_type = f"photos/file_{number}.jpg", mime_type or "image/jpeg"
        else:
            suffix = ""
            if file_name and "." in file_name:
                suffix = "." + file_name.rsplit(".", 1)[1]
            path = f"documents/file_{number}{suffix}"
            if not mime_type or mime_type == "application/octet-stream":
                guessed = mimetypes.guess_type(file_name or "", strict=False)[0]
                mime_type = guessed or mime_type
        stored = StoredFile(
            file_id=f"{kind.upper()}-{number:06d}-{self.bot_user['id']}",
            file_unique_id=f"U{number:06d}{kind[0]}",
            file_path=path,
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file_bytes(self, file_id: str) -> bytes:
        """Return the bytes behind a file_id (uploaded by the bot or injected by a user)."""
        return self.files[file_id].data

    # --- test-side injection ---------------------------------------------------------------

    def inject_message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        caption: str | None = None,
        photo: bytes | None = None,
        document: tuple[str, bytes] | None = None,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        date: datetime | int | None = None,
    ) -> JsonDict:
        """Queue a message from a user as a `message` update and return the Message."""
        user = self._require_user(user_id)
        chat = self._require_chat(chat_id)
        if text is None and photo is None and document is None:
            raise ValueError("a message needs text, photo or document")
        if text is not None and (photo is not None or document is not None):
            raise ValueError("media messages carry caption=, not text=")
        fields: JsonDict = {}
        if chat["type"] == "channel":
            fields["sender_chat"] = chat
        else:
            fields["from"] = user
        if message_thread_id is not None:
            fields["message_thread_id"] = message_thread_id
            if chat.get("is_forum"):
                fields["is_topic_message"] = True
        if reply_to_message_id is not None:
            target = self._require_message(chat_id, reply_to_message_id)
            fields["reply_to_message"] = reply_snapshot(target)
        if text is not None:
            fields.update(self._text_fields("text", "entities", text))
        if photo is not None:
            fields["photo"] = [self.store_file(photo, "photo").photo_size()]
        if document is not None:
            name, data = document
            fields["document"] = self.store_file(data, "document", file_name=name).document()
        if caption is not None:
            fields.update(self._text_fields("caption", "caption_entities", caption))
        message = self.create_message(chat_id, fields, unix_time(date))
        if chat["type"] == "private":
            self.not_started.discard(user_id)
        else:
            self.members.setdefault(chat_id, {}).setdefault(user_id, "member")
        kind = "channel_post" if chat["type"] == "channel" else "message"
        if self.standing.sees(chat, fields, self.bot_user["id"]):
            self.updates.push(kind, message)
        self.notify()
        return message

    @staticmethod
    def _text_fields(text_key: str, entities_key: str, text: str) -> JsonDict:
        fields: JsonDict = {text_key: text}
        entities = detect_entities(text)
        if entities:
            fields[entities_key] = entities
        return fields

    def inject_edit(
        self, chat_id: int, message_id: int, new_text: str, *, date: datetime | int | None = None
    ) -> JsonDict:
        """Edit a user's message (text, or caption for media) and queue `edited_message`."""
        old = self._require_message(chat_id, message_id)
        keys = ("text", "entities") if "text" in old else ("caption", "caption_entities")
        message = {k: v for k, v in old.items() if k not in keys}
        message.update(self._text_fields(keys[0], keys[1], new_text))
        message["edit_date"] = unix_time(date)
        self.replace_message(message)
        kind = "edited_channel_post" if old["chat"]["type"] == "channel" else "edited_message"
        self.updates.push(kind, message)
        self.notify()
        return message

    def inject_reaction(
        self,
        chat_id: int,
        message_id: int,
        user_id: int,
        new: list[str],
        old: list[str] | None = None,
        *,
        date: datetime | int | None = None,
    ) -> JsonDict:
        """Queue a `message_reaction` update (emoji reactions) and return its payload."""
        user = self._require_user(user_id)
        message = self._require_message(chat_id, message_id)
        payload: JsonDict = {
            "chat": message["chat"],
            "message_id": message_id,
            "user": user,
            "date": unix_time(date),
            "old_reaction": [{"type": "emoji", "emoji": e} for e in old or []],
            "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
        }
        # Telegram tells only an administrator of a group about reactions.
        if message["chat"]["type"] == "private" or self.standing.of(message["chat"]).is_admin:
            self.updates.push("message_reaction", payload)
        self.notify()
        return payload

    def press_button(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """Queue a `callback_query` for an inline button of a message; return the query id."""
        user = self._require_user(user_id)
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id} to press a button on")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        offered = [b.get("callback_data") for row in rows for b in row if "callback_data" in b]
        if data not in offered:
            raise AssertionError(
                f"message {message_id} in chat {chat_id} has no button with callback_data "
                f"{data!r}; its buttons carry {offered!r}"
            )
        return self._push_query(chat_id, user, message, data)

    def forge_press(
        self, chat_id: int, message_id: int | None, user_id: int, data: str | None
    ) -> str:
        """Queue a `callback_query` whatever its data, as a modified client can send one.

        The message (if any) is the real one, as Telegram attaches it; `data` need not be one
        of its buttons' (None leaves the field out, as for a game button).
        """
        user = self._require_user(user_id)
        message = self._require_message(chat_id, message_id) if message_id is not None else None
        return self._push_query(chat_id, user, message, data)

    def _push_query(
        self, chat_id: int, user: JsonDict, message: JsonDict | None, data: str | None
    ) -> str:
        query_id = str(self.bot_user["id"] * 10_000_000 + self.next_id())
        query: JsonDict = {
            "id": query_id,
            "from": user,
            # Telegram's chat_instance is an opaque per-chat string; any stable value will do.
            "chat_instance": str(abs(chat_id) * 7919 + 17),
        }
        if message is not None:
            query["message"] = message
        if data is not None:
            query["data"] = data
        self.queries[query_id] = query
        self.updates.push("callback_query", query)
        self.notify()
        return query_id

    def inject_raw(self, kind: str, payload: Any) -> int:
        """Queue an update of any kind with any payload (a shape the library may not read)."""
        update = self.updates.push(kind, payload)
        self.notify()
        return int(update["update_id"])

    # --- test-side inspection ----------------------------------------------------------------

    def _view(self, key: MessageKey) -> JsonDict | None:
        message = self.messages.get(key)
        if message is None:
            return None
        return {**message, "_edits": self._edit_counts.get(key, 0)}

    def bot_messages(self, chat_id: int | None = None) -> list[JsonDict]:
        """Return the bot's live messages in send order, each with an "_edits" count."""
        views = (self._view(k) for k in self._bot_log if chat_id is None or k[0] == chat_id)
        return [v for v in views if v is not None]

    def chat_messages(self, chat_id: int) -> list[JsonDict]:
        """Return every live message of a chat, people's and the bot's, each with "_edits"."""
        views = (self._view(k) for k in self.messages if k[0] == chat_id)
        return [v for v in views if v is not None]

    def mark(self) -> int:
        """Return the sequence index the next bot message will get."""
        return len(self._bot_log)

    def pending_updates(self) -> int:
        """Return how many queued updates the bot has not confirmed yet."""
        return self.updates.pending

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """Return the commands setMyCommands stored for a scope and language."""
        return list(self.stored_commands.get((scope_key(scope), language_code), []))

    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Make the next `times` calls of a method answer 429 with this retry_after."""
        self._fail_plan[method.lower()] = (times, retry_after)

    def take_planned_failure(self, method: str) -> int | None:
        """Consume one planned 429 for a method and return its retry_after, if any."""
        plan = self._fail_plan.get(method.lower())
        if plan is None:
            return None
        times, retry_after = plan
        if times <= 1:
            del self._fail_plan[method.lower()]
        else:
            self._fail_plan[method.lower()] = (times - 1, retry_after)
        return retry_after

    # --- waiting -----------------------------------------------------------------------------

    async def wait_for_message(
        self,
        chat_id: int | None = None,
        *,
        predicate: MessagePredicate | None = None,
        after: int = 0,
        # The test API takes timeout= like asyncio.wait_for rather than asyncio.timeout blocks.
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Wait for the first live bot message at index >= after that matches predicate."""
        scanned = after
        edits_seen = len(self._edit_log)

        def matches(key: MessageKey) -> JsonDict | None:
            if chat_id is not None and key[0] != chat_id:
                return None
            view = self._view(key)
            return view if view is not None and (predicate is None or predicate(view)) else None

        def check() -> JsonDict | None:
            # Only new messages and messages edited since the last look can change the answer,
            # which keeps long waits linear instead of rescanning everything on every change.
            nonlocal scanned, edits_seen
            best: tuple[int, JsonDict] | None = None
            for key in self._edit_log[edits_seen:]:
                index = self._bot_index.get(key, -1)
                if after <= index < scanned and (best is None or index < best[0]):
                    view = matches(key)
                    if view is not None:
                        best = (index, view)
            edits_seen = len(self._edit_log)
            while scanned < len(self._bot_log) and best is None:
                view = matches(self._bot_log[scanned])
                if view is not None:
                    best = (scanned, view)
                scanned += 1
            return None if best is None else best[1]

        def describe() -> str:
            recent = [
                (m["chat"]["id"], m.get("text", m.get("caption")))
                for m in self.bot_messages(chat_id)[-5:]
            ]
            return (
                f"no bot message in chat {chat_id} from index {after} matched within {timeout}s; "
                f"last bot messages: {recent!r}"
            )

        return await self._wait_until(check, timeout, describe)

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        *,
        predicate: MessagePredicate | None = None,
        min_edits: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Wait until a message has been edited (min_edits times) and matches predicate."""
        key = (chat_id, message_id)

        def check() -> JsonDict | None:
            view = self._view(key)
            if view is None or view["_edits"] < min_edits:
                return None
            return view if predicate is None or predicate(view) else None

        def describe() -> str:
            return (
                f"message {message_id} in chat {chat_id} not edited as expected: {self._view(key)}"
            )

        return await self._wait_until(check, timeout, describe)

    async def wait_for_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Wait for the bot's answerCallbackQuery for a query id and return the answer."""
        return await self._wait_until(
            lambda: self.answers.get(query_id),
            timeout,
            lambda: f"callback query {query_id} not answered within {timeout}s",
        )

    async def wait_until_consumed(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot fetched and confirmed (by a later offset) every queued update."""
        await self._wait_until(
            lambda: True if self.updates.pending == 0 else None,
            timeout,
            lambda: f"{self.updates.pending} updates still unconfirmed after {timeout}s",
        )


def scope_key(scope: JsonDict | None) -> str:
    """Return a canonical key for a BotCommandScope (absent means the default scope)."""
    normalised = dict(scope or {"type": "default"})
    chat_id = normalised.get("chat_id")
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        normalised["chat_id"] = int(chat_id)
    return json.dumps(normalised, sort_keys=True, separators=(",", ":"))
