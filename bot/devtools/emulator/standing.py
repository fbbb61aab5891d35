"""Where the emulated bot stands in each chat: its status, its rights, and upgraded groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .params import ApiError, bad_request

JsonDict = dict[str, Any]

BOT_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
# The sending rights a restricted member has (ChatMemberRestricted), all tied to one switch.
_SEND_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
)
UPGRADED = "group chat was upgraded to a supergroup chat"


@dataclass(slots=True)
class BotMember:
    """The bot's membership of one chat, as a test set it."""

    status: str
    can_send_messages: bool = True
    # Administrator rights that differ from "all granted".
    rights: dict[str, bool] = field(default_factory=dict)

    @property
    def present(self) -> bool:
        """Whether the bot is in the chat at all."""
        return self.status not in ("left", "kicked")

    @property
    def is_admin(self) -> bool:
        """Whether the bot is an administrator (or the creator) of the chat."""
        return self.status in ("creator", "administrator")

    def as_chat_member(self, user: JsonDict) -> JsonDict:
        """Return the bot's ChatMember object."""
        member: JsonDict = {"user": user, "status": self.status}
        if self.status == "creator":
            member["is_anonymous"] = False
        elif self.status == "administrator":
            member.update(can_be_edited=False, is_anonymous=False)
            member.update(dict.fromkeys(ADMIN_RIGHTS, True))
            member.update(self.rights)
        elif self.status == "restricted":
            member.update(is_member=True, until_date=0, can_edit_tag=False)
            member.update(dict.fromkeys(_SEND_RIGHTS, self.can_send_messages))
            member.update(
                can_change_info=False,
                can_invite_users=False,
                can_pin_messages=False,
                can_manage_topics=False,
            )
        elif self.status == "kicked":
            member["until_date"] = 0
        return member


class BotStanding:
    """The bot's status per chat (an administrator of every group unless set) and migrations."""

    def __init__(self) -> None:
        self.members: dict[int, BotMember] = {}
        # Basic groups upgraded to supergroups: old id -> new id.
        self.migrated: dict[int, int] = {}
        # BotFather's privacy mode: on, a bot that is not an administrator sees only commands
        # and replies to itself in groups (off by default, as duty-desk's README asks).
        self.privacy_mode = False

    def of(self, chat: JsonDict) -> BotMember:
        """Return the bot's membership of a chat."""
        member = self.members.get(chat["id"])
        if member is not None:
            return member
        return BotMember("member" if chat["type"] == "private" else "administrator")

    def set(self, chat_id: int, member: BotMember) -> None:
        """Record the bot's new membership of a chat."""
        if member.status not in BOT_STATUSES:
            raise ValueError(f"unknown status {member.status!r}; use one of {sorted(BOT_STATUSES)}")
        self.members[chat_id] = member

    def check_migrated(self, chat_id: int) -> None:
        """Refuse a call to an upgraded group as Telegram does, naming the new id."""
        new_id = self.migrated.get(chat_id)
        if new_id is not None:
            raise ApiError(400, f"Bad Request: {UPGRADED}", migrate_to_chat_id=new_id)

    def check_access(self, chat: JsonDict) -> None:
        """Refuse to show a chat the bot is not in (Telegram's answer for a private group)."""
        if chat["type"] == "private":
            return
        member = self.of(chat)
        if member.status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        if member.status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")

    def check_send(self, chat: JsonDict) -> None:
        """Refuse a message to a chat the bot is not in or may not write to."""
        self.check_access(chat)
        member = self.of(chat)
        if member.status == "restricted" and not member.can_send_messages:
            raise bad_request("not enough rights to send text messages to the chat")

    def sees(self, chat: JsonDict, fields: JsonDict, bot_id: int) -> bool:
        """Whether a group message reaches the bot (present; privacy mode lets few through)."""
        if chat["type"] == "private":
            return True
        member = self.of(chat)
        if not member.present:
            return False
        if member.is_admin or not self.privacy_mode:
            return True
        text = str(fields.get("text") or fields.get("caption") or "")
        replied = (fields.get("reply_to_message") or {}).get("from", {}).get("id")
        return text.startswith("/") or replied == bot_id
