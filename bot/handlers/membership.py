"""The bot's standing, Telegram side: the start-up check, my_chat_member, upgraded groups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from typing import cast

from telegram import Bot, ChatFullInfo, ChatMember, ChatMemberRestricted, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.desk import Desk
from bot.desks import Desks
from bot.handlers.access import GATE_GROUP
from bot.handlers.common import DESKS_KEY, App, Context, desk_of
from bot.membership.service import MemberChange
from bot.membership.standing import BotStanding, DeskChat

log = logging.getLogger(__name__)

CHECK_KEY = "standing_check"
# Chats looked at together at start-up: enough to be done in a second or two with a dozen
# unit chats, few enough to leave the connection pool to the first alerts and replies.
CHECK_CONCURRENCY = 4
# Telegram answers getChat in well under a second; a chat still unanswered after this is
# logged as unchecked rather than holding the check (and the report) up.
CHECK_TIMEOUT_SECONDS = 15.0
# Before the gate: an upgrade's notice arrives in the new supergroup, which the gate does not
# know yet; followed first, the gate then lets the new group's messages through.
MIGRATION_GROUP = GATE_GROUP - 10
MEMBER_GROUP = 20
_ABSENT = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
_ADMIN = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


class InDutyGroup(filters.MessageFilter):
    """Messages of a desk's duty group, under the id Telegram uses for it now."""

    def __init__(self, desks: Desks) -> None:
        super().__init__(name="InDutyGroup")
        self._desks = desks

    def filter(self, message: Message) -> bool:
        """Whether the message was said in a duty group."""
        return message.chat_id in self._desks.duty_groups()


def standing_of(member: ChatMember, chat: ChatFullInfo | None = None) -> BotStanding:
    """Translate Telegram's ChatMember of the bot into plain values."""
    status = str(member.status)
    if member.status in _ABSENT:
        return BotStanding(present=False, status=status)
    if member.status in _ADMIN:
        return BotStanding(present=True, is_admin=True, status=status)
    if isinstance(member, ChatMemberRestricted):
        return BotStanding(
            present=member.is_member, can_send=member.can_send_messages, status=status
        )
    # A plain member writes unless the group lets no member write.
    permissions = chat.permissions if chat is not None else None
    can_send = permissions is None or permissions.can_send_messages is not False
    return BotStanding(present=True, can_send=can_send, status=status)


@dataclass(frozen=True)
class Look:
    """What Telegram answered about the bot in one chat."""

    standing: BotStanding | None = None
    title: str = ""
    moved_to: int | None = None


async def look_at(bot: Bot, chat_id: int) -> Look:
    """Ask Telegram about the bot in a chat; an empty Look when it could not be asked."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            chat = await bot.get_chat(chat_id)
            member = await bot.get_chat_member(chat_id, bot.id)
    except ChatMigrated as exc:
        return Look(moved_to=exc.new_chat_id)
    except Forbidden as exc:
        # "bot is not a member of the group chat" / "bot was kicked from the group chat".
        kicked = "kicked" in exc.message.lower()
        return Look(BotStanding(present=False, status="kicked" if kicked else "left"))
    except BadRequest as exc:
        if "not found" in exc.message.lower():
            return Look(BotStanding(present=False, status="not found"))
        log.warning("Could not check the bot in chat %s: %s", chat_id, exc.message)
        return Look()
    except (TimeoutError, TelegramError) as exc:
        log.warning("Could not check the bot in chat %s: %s", chat_id, exc)
        return Look()
    return Look(standing_of(member, chat), chat.title or "")


async def check_standing(app: App) -> None:
    """Check each desk's duty group and unit chats, then tell its administrators what is wrong."""
    limit = asyncio.Semaphore(CHECK_CONCURRENCY)
    for desk in cast(Desks, app.bot_data[DESKS_KEY]):
        await check_desk_standing(app, desk, limit)


async def check_desk_standing(app: App, desk: Desk, limit: asyncio.Semaphore) -> None:
    """Check one desk's chats and report to it."""

    async def check(chat: DeskChat) -> tuple[DeskChat, BotStanding] | None:
        async with limit:
            look = await look_at(app.bot, chat.chat_id)
            if look.moved_to is not None:
                # Upgraded while the bot was down: follow it; the report below says so.
                desk.membership.follow(chat.chat_id, look.moved_to, desk.clock.now(), tell=False)
                chat = replace(chat, chat_id=look.moved_to)
                look = await look_at(app.bot, chat.chat_id)
        if look.standing is None:
            return None
        return replace(chat, name=chat.name or look.title), look.standing

    try:
        results = await asyncio.gather(*(check(chat) for chat in desk.membership.desk_chats()))
        findings = [result for result in results if result is not None]
        desk.membership.report_start(findings, bool(app.bot.can_read_all_group_messages))
    except Exception:
        # The desk runs without the check; nothing it does depends on it.
        log.exception("Checking the bot's standing in the desk's chats failed")


def start_check(app: App) -> None:
    """Check the bot's standing in the background, so polling starts at once."""
    app.bot_data[CHECK_KEY] = asyncio.create_task(check_standing(app), name="standing-check")


async def stop_check(app: App) -> None:
    """Stop a check still under way (a shutdown right after start)."""
    task = app.bot_data.pop(CHECK_KEY, None)
    if isinstance(task, asyncio.Task):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def on_my_chat_member(update: Update, context: Context) -> None:
    """Someone added, removed, promoted or demoted the bot in a chat."""
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    desk_of(context).membership.member_changed(
        MemberChange(
            chat_id=change.chat.id,
            title=change.chat.title or "",
            old=standing_of(change.old_chat_member),
            new=standing_of(change.new_chat_member),
            by_id=change.from_user.id,
            by_name=change.from_user.full_name,
            at=change.date,
        ),
        bool(context.bot.can_read_all_group_messages),
    )


async def on_migration(update: Update, context: Context) -> None:
    """Telegram upgraded one of the desk's groups to a supergroup: follow its new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    desk = desk_of(context)
    if desk.membership.desk_chat(old) is None:
        # Someone else's group: not the desk's to follow.
        return
    desk.membership.follow(old, new, message.date)


def follow_migration(desk: Desk, old_chat_id: int, new_chat_id: int) -> None:
    """The sender met a group upgraded to a supergroup: follow it (and resend there)."""
    desk.membership.follow(old_chat_id, new_chat_id, desk.clock.now())


def register(app: App) -> None:
    """Wire the upgrade notices (before the gate) and the bot's membership changes."""
    app.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migration), group=MIGRATION_GROUP
    )
    app.add_handler(
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        group=MEMBER_GROUP,
    )
