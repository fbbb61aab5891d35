"""Bot API method implementations over the emulated world, with Telegram's checks and errors."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from .params import ApiError, Params, Upload, bad_request
from .standing import BotMember
from .state import EmulatorState, JsonDict, StoredFile, reply_snapshot, scope_key, unix_time
from .text import EntityParseError, parse_html, trim, utf16_len
from .webhook import Webhook

Handler = Callable[[Params], Awaitable[Any]]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_TEXT_LIMIT = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CAPTION_KEYS = ("caption", "parse_mode", "caption_entities")
_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "reply_markup",
    "photo",
    "document",
)
_BUTTON_ACTIONS = frozenset(
    {"url", "callback_data", "web_app", "login_url", "switch_inline_query", "pay"}
    | {"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game"}
    | {"copy_text"}
)
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def _content(message: JsonDict) -> tuple[Any, ...]:
    return tuple(message.get(k) for k in _CONTENT_KEYS)


def _set_or_drop(message: JsonDict, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


class ApiMethods:
    """The Bot API methods the emulator answers, keyed by lower-cased method name."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.closing = False
        self._poll_generation = 0
        self.webhook = Webhook(state)
        table: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.webhook.set_webhook,
            "deleteWebhook": self.webhook.delete_webhook,
            "getWebhookInfo": self.webhook.get_webhook_info,
            "logOut": self.ok,
            "close": self.ok,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendMediaGroup": self.send_media_group,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageMedia": self.edit_message_media,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMessageReaction": self.set_message_reaction,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "pinChatMessage": self.pin_chat_message,
            "unpinChatMessage": self.unpin_chat_message,
            "getFile": self.get_file,
        }
        self._table = {name.lower(): (name, handler) for name, handler in table.items()}

    def lookup(self, method: str) -> tuple[str, Handler] | None:
        """Return (canonical name, handler) for a case-insensitive method name."""
        return self._table.get(method.lower())

    # --- shared checks -------------------------------------------------------------------------

    def _chat(self, p: Params) -> JsonDict:
        value = p.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        chat = None
        if isinstance(value, int) and not isinstance(value, bool):
            self.state.standing.check_migrated(value)
            chat = self.state.resolve_chat(value)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _message(self, p: Params, missing: str) -> JsonDict:
        chat = self._chat(p)
        if p.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the emulator")
        message = self.state.messages.get((chat["id"], p.req_int("message_id")))
        if message is None:
            raise bad_request(missing)
        return message

    def _editable(self, p: Params) -> JsonDict:
        message = self._message(p, "message to edit not found")
        if message.get("from", {}).get("id") != self.state.bot_user["id"] and (
            message["chat"]["type"] != "channel"
        ):
            raise bad_request("message can't be edited")
        return message

    def _format(self, p: Params, text_key: str, entities_key: str) -> tuple[str, list[JsonDict]]:
        text = p.opt_str(text_key) or ""
        entities = p.obj(entities_key)
        if entities is not None:
            if not isinstance(entities, list):
                raise bad_request(f"can't parse {entities_key} JSON object")
        elif (p.opt_str("parse_mode") or "").lower() == "html":
            try:
                text, entities = parse_html(text, self.state.users.get)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        else:
            # Markdown modes are stored verbatim: the emulator only validates HTML.
            entities = []
        return trim(text, entities)

    def _caption(self, p: Params) -> JsonDict:
        caption, entities = self._format(p, "caption", "caption_entities")
        if utf16_len(caption) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
        fields: JsonDict = {}
        _set_or_drop(fields, "caption", caption)
        _set_or_drop(fields, "caption_entities", entities)
        return fields

    def _markup(self, p: Params) -> JsonDict | None:
        markup = p.obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            # Reply keyboards, removals and force-reply are never part of a Message.
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                self._check_button(button)
        return markup if any(rows) else None

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        data = button.get("callback_data")
        if data is not None:
            if not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        elif not _BUTTON_ACTIONS & button.keys():
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )

    def _placement(self, p: Params, chat: JsonDict) -> JsonDict:
        """Return reply_to_message / message_thread_id fields for a new bot message."""
        fields: JsonDict = {}
        reply = p.obj("reply_parameters")
        if reply is None and p.has("reply_to_message_id"):
            reply = {
                "message_id": p.req_int("reply_to_message_id"),
                "allow_sending_without_reply": p.flag("allow_sending_without_reply"),
            }
        target = None
        if reply is not None:
            if not isinstance(reply, dict) or "message_id" not in reply:
                raise bad_request("can't parse reply parameters JSON object")
            target = self.state.messages.get((chat["id"], int(reply["message_id"])))
            if target is not None:
                fields["reply_to_message"] = reply_snapshot(target)
            elif not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        thread = p.opt_int("message_thread_id")
        if thread is None and target is not None and target.get("is_topic_message"):
            thread = target.get("message_thread_id")
        if thread is not None:
            fields["message_thread_id"] = thread
            if chat.get("is_forum"):
                fields["is_topic_message"] = True
        return fields

    def _send(self, chat: JsonDict, p: Params, content: JsonDict) -> JsonDict:
        if chat["type"] == "private" and chat["id"] in self.state.not_started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        self.state.standing.check_send(chat)
        fields: JsonDict = {}
        if chat["type"] == "channel":
            fields["sender_chat"] = chat
        else:
            fields["from"] = self.state.bot_user
        fields.update(self._placement(p, chat))
        fields.update(content)
        return self.state.add_bot_message(chat["id"], fields)

    def _input_file(
        self, value: Any, files: dict[str, Upload], name: str, kind: str, *, direct: bool
    ) -> StoredFile:
        """Resolve an upload (direct part or attach://) or a file_id into a stored file."""
        upload = files.get(name) if direct else None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request("can't parse InputMedia: media not found")
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            return self.state.store_file(
                upload.data, kind, file_name=upload.filename, mime_type=upload.content_type
            )
        if not isinstance(value, str) or not value:
            raise bad_request(f'parameter "{name}" is required')
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = self.state.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    @staticmethod
    def _media_fields(stored: StoredFile) -> JsonDict:
        if stored.kind == "photo":
            return {"photo": [stored.photo_size()]}
        return {"document": stored.document()}

    # --- updates and bot identity --------------------------------------------------------------

    async def ok(self, p: Params) -> bool:
        """Answer True (logOut, close)."""
        return True

    async def get_me(self, p: Params) -> JsonDict:
        """Return the bot's User with its capabilities."""
        return {
            **self.state.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.state.standing.privacy_mode,
            "supports_inline_queries": False,
        }

    async def get_updates(self, p: Params) -> list[JsonDict]:
        """Long-poll for updates, confirming by offset and honouring allowed_updates."""
        self.webhook.refuse_polling()
        self._poll_generation += 1
        generation = self._poll_generation
        queue = self.state.updates
        offset = p.opt_int("offset")
        limit = min(max(p.opt_int("limit", 100) or 100, 1), 100)
        try:
            timeout = max(float(p.opt_str("timeout") or 0), 0.0)
        except ValueError:
            raise bad_request("invalid timeout specified") from None
        allowed = p.obj("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        queue.set_allowed(allowed)
        if offset:
            queue.confirm(offset)
        # Wakes wait_until_consumed and ends any older long poll (Telegram answers it 409).
        self.state.notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            updates = queue.take(limit)
            remaining = deadline - asyncio.get_running_loop().time()
            if updates or remaining <= 0 or self.closing:
                return updates
            await self.state.wait_changed(remaining)
            self.webhook.refuse_polling()
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )

    # --- sending -----------------------------------------------------------------------------

    async def send_message(self, p: Params) -> JsonDict:
        """Send a text message."""
        chat = self._chat(p)
        text, entities = self._format(p, "text", "entities")
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > TEXT_LIMIT:
            raise bad_request("message is too long")
        content: JsonDict = {"text": text}
        _set_or_drop(content, "entities", entities)
        _set_or_drop(content, "reply_markup", self._markup(p))
        return self._send(chat, p, content)

    async def send_photo(self, p: Params) -> JsonDict:
        """Send a photo (upload or file_id)."""
        return await self._send_media(p, "photo")

    async def send_document(self, p: Params) -> JsonDict:
        """Send a document (upload or file_id)."""
        return await self._send_media(p, "document")

    async def _send_media(self, p: Params, kind: str) -> JsonDict:
        chat = self._chat(p)
        caption = self._caption(p)
        markup = self._markup(p)
        stored = self._input_file(p.values.get(kind), p.files, kind, kind, direct=True)
        content = {**self._media_fields(stored), **caption}
        _set_or_drop(content, "reply_markup", markup)
        return self._send(chat, p, content)

    async def send_media_group(self, p: Params) -> list[JsonDict]:
        """Send an album of photos or documents."""
        chat = self._chat(p)
        if not p.has("media"):
            raise bad_request('parameter "media" is required')
        media = p.obj("media")
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if not media:
            raise bad_request("there are no messages to send")
        if len(media) > 10:
            raise bad_request("too many messages to send as an album")
        contents: list[JsonDict] = []
        for item in media:
            if not isinstance(item, dict):
                raise bad_request("can't parse InputMedia: media must be an Object")
            kind = item.get("type")
            if kind not in ("photo", "document"):
                raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported here')
            stored = self._input_file(item.get("media"), p.files, "media", kind, direct=False)
            caption_params = Params({k: item[k] for k in _CAPTION_KEYS if k in item})
            contents.append({**self._media_fields(stored), **self._caption(caption_params)})
        kinds = {"document" in c for c in contents}
        if len(kinds) > 1:
            raise bad_request("document can't be mixed with other media types")
        if len(contents) > 1:
            # As Telegram does, a single item is sent as a plain message outside any album.
            group_id = str(10**15 + self.state.next_id())
            for content in contents:
                content["media_group_id"] = group_id
        return [self._send(chat, p, content) for content in contents]

    # --- editing and deleting ---------------------------------------------------------------

    def _apply_edit(self, old: JsonDict, new: JsonDict) -> JsonDict:
        if _content(new) == _content(old):
            raise bad_request(NOT_MODIFIED)
        new["edit_date"] = max(unix_time(self.state.now()), old["date"])
        self.state.replace_message(new)
        return new

    async def edit_message_text(self, p: Params) -> JsonDict:
        """Edit the text (and inline keyboard) of a bot message."""
        old = self._editable(p)
        text, entities = self._format(p, "text", "entities")
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > TEXT_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        new = {**old, "text": text}
        _set_or_drop(new, "entities", entities)
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        _set_or_drop(new, "reply_markup", self._markup(p))
        return self._apply_edit(old, new)

    async def edit_message_caption(self, p: Params) -> JsonDict:
        """Edit the caption (and inline keyboard) of a bot media message."""
        old = self._editable(p)
        if "photo" not in old and "document" not in old:
            raise bad_request("there is no caption in the message to edit")
        new = {k: v for k, v in old.items() if k not in ("caption", "caption_entities")}
        new.update(self._caption(p))
        _set_or_drop(new, "reply_markup", self._markup(p))
        return self._apply_edit(old, new)

    async def edit_message_media(self, p: Params) -> JsonDict:
        """Replace the photo or document of a bot media message (with its caption)."""
        old = self._editable(p)
        if "photo" not in old and "document" not in old:
            raise bad_request("there is no media in the message to edit")
        item = p.obj("media")
        if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
            raise bad_request("can't parse InputMedia: a photo or document is expected")
        stored = self._input_file(item.get("media"), p.files, "media", item["type"], direct=False)
        new = {
            k: v
            for k, v in old.items()
            if k not in ("photo", "document", "caption", "caption_entities")
        }
        caption_params = Params({k: item[k] for k in _CAPTION_KEYS if k in item})
        new.update({**self._media_fields(stored), **self._caption(caption_params)})
        _set_or_drop(new, "reply_markup", self._markup(p))
        return self._apply_edit(old, new)

    async def edit_message_reply_markup(self, p: Params) -> JsonDict:
        """Replace or remove the inline keyboard of a bot message."""
        old = self._editable(p)
        new = dict(old)
        _set_or_drop(new, "reply_markup", self._markup(p))
        return self._apply_edit(old, new)

    async def delete_message(self, p: Params) -> bool:
        """Delete a message."""
        chat = self._chat(p)
        if not self.state.remove_message(chat["id"], p.req_int("message_id")):
            raise bad_request("message to delete not found")
        return True

    # --- callbacks, commands, reactions, chat info ------------------------------------------

    async def answer_callback_query(self, p: Params) -> bool:
        """Record the bot's answer to a button press."""
        query_id = p.req_str("callback_query_id")
        if query_id not in self.state.queries or query_id in self.state.answers:
            raise bad_request(QUERY_INVALID)
        text = p.opt_str("text")
        if text is not None and len(text) > CALLBACK_TEXT_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        self.state.answers[query_id] = {
            "text": text,
            "show_alert": p.flag("show_alert"),
            "url": p.opt_str("url"),
            "cache_time": p.opt_int("cache_time", 0),
        }
        self.state.notify()
        return True

    @staticmethod
    def _commands_key(p: Params) -> tuple[str, str]:
        scope = p.obj("scope")
        if scope is not None and not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        return scope_key(scope), p.opt_str("language_code") or ""

    async def set_my_commands(self, p: Params) -> bool:
        """Store the command list for a scope and language."""
        commands = p.obj("commands")
        if not isinstance(commands, list):
            raise bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise bad_request("too many commands")
        cleaned: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self.state.stored_commands[self._commands_key(p)] = cleaned
        return True

    async def get_my_commands(self, p: Params) -> list[JsonDict]:
        """Return the stored command list for a scope and language."""
        return list(self.state.stored_commands.get(self._commands_key(p), []))

    async def delete_my_commands(self, p: Params) -> bool:
        """Forget the command list for a scope and language."""
        self.state.stored_commands.pop(self._commands_key(p), None)
        return True

    async def set_message_reaction(self, p: Params) -> bool:
        """Record the bot's reaction to a message."""
        message = self._message(p, "message to react not found")
        reaction = p.obj("reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction types JSON object")
        self.state.reactions[(message["chat"]["id"], message["message_id"])] = reaction
        self.state.notify()
        return True

    async def send_chat_action(self, p: Params) -> bool:
        """Accept a chat action for a known chat."""
        self._chat(p)
        if p.opt_str("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def get_chat(self, p: Params) -> JsonDict:
        """Return a ChatFullInfo with the fields PTB requires (only of a chat the bot is in)."""
        chat = self._chat(p)
        self.state.standing.check_access(chat)
        info: JsonDict = {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        pinned = self.state.messages.get((chat["id"], self.state.pinned.get(chat["id"], 0)))
        if pinned is not None:
            info["pinned_message"] = pinned
        return info

    @staticmethod
    def _member(user: JsonDict, status: str) -> JsonDict:
        return BotMember(status).as_chat_member(user)

    async def get_chat_member(self, p: Params) -> JsonDict:
        """Return a user's ChatMember; the bot's as set (an administrator unless set)."""
        chat = self._chat(p)
        self.state.standing.check_access(chat)
        user_id = p.req_int("user_id")
        if user_id == self.state.bot_user["id"]:
            return self.state.standing.of(chat).as_chat_member(self.state.bot_user)
        user = self.state.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return self._member(user, self.state.member_status(chat["id"], user_id))

    async def get_chat_administrators(self, p: Params) -> list[JsonDict]:
        """Return the chat's creator and administrators, the bot when it is one."""
        chat = self._chat(p)
        if chat["type"] == "private":
            raise bad_request("there are no administrators in the private chat")
        self.state.standing.check_access(chat)
        bot = self.state.standing.of(chat)
        admins = [bot.as_chat_member(self.state.bot_user)] if bot.is_admin else []
        for user_id, status in self.state.members.get(chat["id"], {}).items():
            if status in ("creator", "administrator") and user_id in self.state.users:
                admins.append(self._member(self.state.users[user_id], status))
        return admins

    async def pin_chat_message(self, p: Params) -> bool:
        """Pin a message."""
        message = self._message(p, "message to pin not found")
        self.state.pinned[message["chat"]["id"]] = message["message_id"]
        self.state.notify()
        return True

    async def unpin_chat_message(self, p: Params) -> bool:
        """Unpin the pinned (or given) message."""
        chat = self._chat(p)
        self.state.pinned.pop(chat["id"], None)
        self.state.notify()
        return True

    async def get_file(self, p: Params) -> JsonDict:
        """Return a File whose file_path the download route serves."""
        stored = self.state.files.get(p.req_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.file()
