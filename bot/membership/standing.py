"""What the bot needs in each of the desk's chats, and what to tell an administrator when not."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import Translator


class ChatRole(StrEnum):
    """Why the desk needs a chat."""

    DUTY_GROUP = "duty_group"
    UNIT = "unit"


@dataclass(frozen=True)
class DeskChat:
    """A chat the bot must be in: the id it uses now, and what the configuration says."""

    chat_id: int
    role: ChatRole
    configured_id: int
    # The unit's name, or the duty group's title once Telegram told it.
    name: str = ""
    unit_key: str = ""

    @property
    def moved(self) -> bool:
        """The configuration still names the id of a group Telegram upgraded."""
        return self.chat_id != self.configured_id


@dataclass(frozen=True)
class BotStanding:
    """What Telegram says of the bot in a chat, as plain values."""

    present: bool
    is_admin: bool = False
    can_send: bool = True
    # Telegram's status word (member, administrator, left, kicked, restricted...), for logs.
    status: str = ""


class Problem(StrEnum):
    """Something the bot lacks in a chat, each with its remedy."""

    ABSENT = "absent"
    NOT_ADMIN = "not_admin"
    BLIND = "blind"
    MUTED = "muted"
    MOVED = "moved"


def problems_of(chat: DeskChat, standing: BotStanding, reads_all: bool) -> list[Problem]:
    """What is wrong with the bot's standing in a chat (empty when all is well).

    `reads_all` is BotFather's privacy mode turned off: the bot sees every group message
    even when it is not an administrator.
    """
    found = [Problem.MOVED] if chat.moved else []
    if not standing.present:
        return [*found, Problem.ABSENT]
    if chat.role is ChatRole.DUTY_GROUP and not standing.is_admin:
        # Telegram sends reactions (the 📌 shortcut) only to a group's administrators.
        found.append(Problem.NOT_ADMIN)
        if not reads_all:
            found.append(Problem.BLIND)
    if not standing.can_send:
        found.append(Problem.MUTED)
    return found


def chat_label(tr: Translator, chat: DeskChat) -> str:
    """How a chat is named to an administrator."""
    if chat.role is ChatRole.DUTY_GROUP:
        if chat.name:
            return tr("the duty group «{title}» ({id})").format(title=chat.name, id=chat.chat_id)
        return tr("the duty group ({id})").format(id=chat.chat_id)
    return tr("the chat of {unit} ({id})").format(unit=chat.name, id=chat.chat_id)


def problem_text(tr: Translator, chat: DeskChat, problem: Problem) -> str:
    """One problem in a chat, with what to do about it."""
    label = chat_label(tr, chat)
    if problem is Problem.ABSENT and chat.role is ChatRole.DUTY_GROUP:
        return tr(
            "The bot is not a member of {chat}: nothing said there reaches the logbook and "
            "nothing the desk posts arrives. Add the bot to the group and make it an "
            "administrator."
        ).format(chat=label)
    if problem is Problem.ABSENT:
        return tr(
            "The bot is not a member of {chat}: requests to this unit cannot be delivered. "
            "Add the bot to that chat."
        ).format(chat=label)
    if problem is Problem.NOT_ADMIN:
        return tr(
            "The bot is not an administrator of {chat}: Telegram does not send it the 📌 "
            "reactions, so they file nothing in the logbook. Make the bot an administrator of "
            "the group."
        ).format(chat=label)
    if problem is Problem.BLIND:
        return tr(
            "The bot does not see the ordinary messages of {chat} (privacy mode is on): they "
            "are not recorded in the logbook. Make the bot an administrator of the group, or "
            "turn privacy mode off in @BotFather (/setprivacy → Disable)."
        ).format(chat=label)
    if problem is Problem.MUTED:
        return tr(
            "The bot may not send messages in {chat}: nothing the desk posts there arrives. "
            "Allow it to send messages, or make it an administrator."
        ).format(chat=label)
    setting = (
        "telegram.duty_group_id"
        if chat.role is ChatRole.DUTY_GROUP
        else f"units[{chat.unit_key}].chat_id"
    )
    return tr(
        "Telegram upgraded {chat} to a supergroup; its old id was {old}. The bot follows the "
        "new id, but the configuration still names the old one: set {setting} to {new}."
    ).format(chat=label, old=chat.configured_id, setting=setting, new=chat.chat_id)
