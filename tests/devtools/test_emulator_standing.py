"""The emulator's bot standing: status and rights per chat, my_chat_member, upgraded groups."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberRestricted
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.devtools.emulator import BotApiEmulator

USER = 501
SUPERGROUP = -1001234567890
BASIC_GROUP = -4001234567
UPGRADED = -1009876543210


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(USER, "Lan")
        emulator.add_chat(SUPERGROUP, "supergroup", "Phòng trực ban")
        emulator.add_chat(BASIC_GROUP, "group", "Tổ trực ban")
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    client = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with client:
        yield client


async def test_the_bot_is_an_administrator_until_a_test_says_otherwise(
    emu: BotApiEmulator, bot: Bot
) -> None:
    member = await bot.get_chat_member(SUPERGROUP, bot.id)
    assert isinstance(member, ChatMemberAdministrator) and member.can_pin_messages

    emu.set_bot_status(SUPERGROUP, "administrator", rights={"can_pin_messages": False})
    member = await bot.get_chat_member(SUPERGROUP, bot.id)
    assert isinstance(member, ChatMemberAdministrator) and not member.can_pin_messages
    assert [a.user.id for a in await bot.get_chat_administrators(SUPERGROUP)] == [bot.id]

    emu.set_bot_status(SUPERGROUP, "member")
    assert (await bot.get_chat_member(SUPERGROUP, bot.id)).status == ChatMemberStatus.MEMBER
    assert await bot.get_chat_administrators(SUPERGROUP) == ()
    await bot.send_message(SUPERGROUP, "vẫn gửi được")

    emu.set_bot_status(SUPERGROUP, "restricted", can_send_messages=False)
    member = await bot.get_chat_member(SUPERGROUP, bot.id)
    assert isinstance(member, ChatMemberRestricted) and not member.can_send_messages
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to send text messages"):
        await bot.send_message(SUPERGROUP, "bị chặn")

    emu.set_bot_status(SUPERGROUP, "left")
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(SUPERGROUP, "không còn trong nhóm")
    with pytest.raises(Forbidden, match="not a member"):
        await bot.get_chat(SUPERGROUP)
    emu.set_bot_status(SUPERGROUP, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.get_chat_member(SUPERGROUP, bot.id)
    with pytest.raises(ValueError, match="unknown status"):
        emu.set_bot_status(SUPERGROUP, "owner")


async def test_a_person_changing_the_bot_sends_my_chat_member(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.set_bot_status(SUPERGROUP, "member", by=USER)
    emu.set_bot_status(SUPERGROUP, "left", by=USER)
    demoted, removed = await bot.get_updates(timeout=0)
    assert demoted.my_chat_member is not None and removed.my_chat_member is not None
    assert demoted.my_chat_member.from_user.id == USER
    assert demoted.my_chat_member.chat.id == SUPERGROUP
    assert demoted.my_chat_member.old_chat_member.status == ChatMemberStatus.ADMINISTRATOR
    assert demoted.my_chat_member.new_chat_member.status == ChatMemberStatus.MEMBER
    assert removed.my_chat_member.new_chat_member.status == ChatMemberStatus.LEFT
    assert removed.my_chat_member.new_chat_member.user.id == bot.id


async def test_a_basic_group_upgraded_answers_with_its_new_id(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.set_bot_status(BASIC_GROUP, "member")
    new = emu.migrate_chat(BASIC_GROUP, UPGRADED, by=USER)
    assert new == {"id": UPGRADED, "type": "supergroup", "title": "Tổ trực ban"}
    to_new, from_old = await bot.get_updates(timeout=0)
    assert to_new.message is not None and from_old.message is not None
    assert to_new.message.chat.id == BASIC_GROUP
    assert to_new.message.migrate_to_chat_id == UPGRADED
    assert from_old.message.chat.id == UPGRADED
    assert from_old.message.migrate_from_chat_id == BASIC_GROUP

    with pytest.raises(ChatMigrated) as refused:
        await bot.send_message(BASIC_GROUP, "tới id cũ")
    assert refused.value.new_chat_id == UPGRADED
    with pytest.raises(ChatMigrated):
        await bot.get_chat(BASIC_GROUP)
    sent = await bot.send_message(UPGRADED, "tới siêu nhóm")
    assert sent.chat.type == "supergroup"
    # The bot keeps its standing in the supergroup.
    assert (await bot.get_chat_member(UPGRADED, bot.id)).status == ChatMemberStatus.MEMBER
    with pytest.raises(ValueError, match="only a basic group migrates"):
        emu.migrate_chat(SUPERGROUP, -1005, by=USER)


async def test_what_reaches_a_bot_that_is_not_an_administrator(
    emu: BotApiEmulator, bot: Bot
) -> None:
    allowed = ["message", "message_reaction"]
    said = emu.inject_message(SUPERGROUP, USER, "ghi nhận")
    emu.inject_reaction(SUPERGROUP, said["message_id"], USER, ["📌"])
    assert len(await bot.get_updates(timeout=0, allowed_updates=allowed)) == 2

    # Telegram sends reactions only to administrators.
    emu.set_bot_status(SUPERGROUP, "member")
    emu.inject_reaction(SUPERGROUP, said["message_id"], USER, ["👍"])
    assert emu.pending_updates() == 2

    # With privacy mode on, a plain member sees commands and replies to itself only.
    emu.standing.privacy_mode = True
    assert (await bot.get_me()).can_read_all_group_messages is False
    emu.inject_message(SUPERGROUP, USER, "không thấy")
    emu.inject_message(SUPERGROUP, USER, "/shift")
    assert emu.pending_updates() == 3

    # Out of the group, nothing said there reaches the bot.
    emu.set_bot_status(SUPERGROUP, "left")
    emu.inject_message(SUPERGROUP, USER, "/shift")
    assert emu.pending_updates() == 3
