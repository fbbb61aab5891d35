"""The bot knows where it stands: checked at start-up, told of changes, following upgrades."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from functools import partial
from typing import Any

import pytest
from sqlmodel import Session, select
from telegram import Bot

from bot.db.models import ChatMigration, LogbookEntry
from bot.devtools.emulator import BotApiEmulator
from bot.sender import OutboxSender
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    LEADER,
    OFFICER,
    PEOPLE,
    SECTION,
    TEAM_CHAT,
    UNIT_CHAT,
    UNIT_CONTACT,
    Desktop,
    launch,
    text_of,
)
from tests.e2e.test_alerts import alert_body, frame, post

ADMINS = (LEADER, CLERK)
# The duty group once Telegram upgraded it from a basic group to a supergroup.
SUPERGROUP = -1009876543210


def people_with_admins() -> list[dict[str, Any]]:
    """The desk's people, the shift leader and the clerk being its administrators."""
    return [{**person, "admin": person["id"] in ADMINS} for person in PEOPLE]


def basic_group(emu: BotApiEmulator) -> None:
    """The duty group is a basic group, as a new Telegram group starts out."""
    emu.add_chat(GROUP, "group", "Tổ trực ban HQ")


async def checked(desktop: Desktop) -> None:
    """Wait for the start-up check (bot.handlers.membership.CHECK_KEY), then for its messages."""
    check = desktop.app.bot_data.get("standing_check")
    if check is not None:
        await check
    await desktop.settle()


def texts(desktop: Desktop, chat_id: int) -> list[str]:
    return [text_of(m) for m in desktop.emu.bot_messages(chat_id)]


def logbook_notes(desktop: Desktop) -> list[str]:
    with Session(desktop.engine) as session:
        entries = session.exec(select(LogbookEntry).order_by(LogbookEntry.id)).all()  # type: ignore[arg-type]
        return [entry.notes for entry in entries if entry.notes]


async def alert_photos(desktop: Desktop, camera: str) -> list[dict[str, Any]]:
    """Post a signed camera alert with its own frame; the photos that reached the group since."""
    image = base64.b64encode(frame()).decode()
    status, _ = await post(desktop, alert_body(camera, image_base64=image))
    assert status == 202
    await desktop.settle()
    return [m for m in desktop.emu.bot_messages() if m.get("photo")]


async def test_start_up_tells_each_admin_once_what_the_bot_lacks(migrated_url: str) -> None:
    def prepare(emu: BotApiEmulator) -> None:
        emu.set_bot_status(GROUP, "member")
        emu.set_bot_status(TEAM_CHAT, "left")
        emu.standing.privacy_mode = True

    async with launch(migrated_url, prepare=prepare, people=people_with_admins()) as desktop:
        await checked(desktop)
        for admin in ADMINS:
            (told,) = texts(desktop, admin)
            assert "không phải là quản trị viên của nhóm trực ban «Tổ trực ban HQ»" in told
            assert "Hãy đặt bot làm quản trị viên của nhóm" in told
            assert "chế độ riêng tư" in told and "/setprivacy" in told
            assert f"nhóm của Đội Kiểm soát Hải quan ({TEAM_CHAT})" in told
            assert "Hãy thêm bot vào nhóm đó" in told
            # The unit chat the bot is in is not named.
            assert str(UNIT_CHAT) not in told
        assert texts(desktop, OFFICER) == [] and texts(desktop, GROUP) == []

        # Once per start, in each administrator's own language.
        desktop.desk.preferences.set_locale(CLERK, "en")
        await desktop.restart()
        await checked(desktop)
        assert len(texts(desktop, LEADER)) == 2
        english = texts(desktop, CLERK)[-1]
        assert "Make the bot an administrator of the group" in english
        assert f"the chat of Đội Kiểm soát Hải quan ({TEAM_CHAT})" in english
        assert "Add the bot to that chat" in english


async def test_all_well_at_start_up_is_a_log_line_and_no_message(
    migrated_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.membership.service")
    async with launch(migrated_url, people=people_with_admins()) as desktop:
        await checked(desktop)
        assert texts(desktop, LEADER) == [] and texts(desktop, CLERK) == []
    assert "The bot has what it needs in the desk's 3 chats" in caplog.text


async def test_demotion_and_removal_are_told_recorded_and_their_repair_too(
    migrated_url: str,
) -> None:
    async with launch(migrated_url, people=people_with_admins()) as desktop:
        await checked(desktop)
        emu = desktop.emu

        emu.set_bot_status(GROUP, "member", by=SECTION, date=desktop.clock.now())
        await desktop.settle()
        for admin in ADMINS:
            (told,) = texts(desktop, admin)
            assert "Trần Thị Bình đã gỡ quyền quản trị của bot" in told
            assert "Hãy đặt bot làm quản trị viên của nhóm" in told
        (note,) = logbook_notes(desktop)
        assert "Trần Thị Bình đã gỡ quyền quản trị của bot" in note

        emu.set_bot_status(UNIT_CHAT, "kicked", by=UNIT_CONTACT, date=desktop.clock.now())
        await desktop.settle()
        told = texts(desktop, LEADER)[-1]
        assert "Võ Văn Giang đã đưa bot ra khỏi nhóm của Chi cục HQ CK cảng Sài Gòn KV1" in told
        assert "Hãy thêm bot vào nhóm đó" in told
        # A unit's chat is not the duty group's record.
        assert len(logbook_notes(desktop)) == 1

        emu.set_bot_status(GROUP, "administrator", by=LEADER, date=desktop.clock.now())
        emu.set_bot_status(UNIT_CHAT, "member", by=UNIT_CONTACT, date=desktop.clock.now())
        await desktop.settle()
        fixed = texts(desktop, CLERK)[-2:]
        assert all(text.startswith("✅") for text in fixed)
        assert "Nguyễn Văn An đã khôi phục bot trong nhóm trực ban" in fixed[0]
        assert "Chi cục HQ CK cảng Sài Gòn KV1" in fixed[1]
        assert "khôi phục bot" in logbook_notes(desktop)[-1]
        assert len(texts(desktop, LEADER)) == 4


async def test_an_upgraded_group_is_followed_and_still_after_a_restart(migrated_url: str) -> None:
    async with launch(migrated_url, prepare=basic_group, people=people_with_admins()) as desktop:
        await checked(desktop)
        assert texts(desktop, LEADER) == []
        # A message queued for the old id, held for later, waits in the outbox.
        later = desktop.clock.now() + dt.timedelta(minutes=10)
        desktop.desk.outbox.send(GROUP, "Nhắc: kiểm tra camera lúc 09:10", not_before=later)

        desktop.emu.migrate_chat(GROUP, SUPERGROUP, by=LEADER, date=desktop.clock.now())
        await desktop.settle()
        (told,) = texts(desktop, LEADER)
        assert str(SUPERGROUP) in told and "telegram.duty_group_id" in told
        assert any(str(SUPERGROUP) in note for note in logbook_notes(desktop))
        await desktop.later(11)
        assert texts(desktop, SUPERGROUP)[-1] == "Nhắc: kiểm tra camera lúc 09:10"

        # The desk addresses alerts to the configured id; they reach the supergroup.
        (card,) = await alert_photos(desktop, "12")
        assert card["chat"]["id"] == SUPERGROUP
        # What is said there is filed, and its ✍ goes there.
        said = desktop.say(OFFICER, "#ghichu Kiểm tra lại camera cổng B", chat_id=SUPERGROUP)
        await desktop.settle()
        assert desktop.emu.reactions[(SUPERGROUP, said["message_id"])]
        assert "Kiểm tra lại camera cổng B" in logbook_notes(desktop)[-1]

        # A restart with the configuration still naming the old id keeps to the new one,
        # and reminds the administrators to update it.
        await desktop.restart()
        await checked(desktop)
        reminder = texts(desktop, LEADER)[-1]
        assert (
            "vẫn ghi id cũ" in reminder and f"telegram.duty_group_id thành {SUPERGROUP}" in reminder
        )
        photos = await alert_photos(desktop, "13")
        assert [p["chat"]["id"] for p in photos] == [SUPERGROUP, SUPERGROUP]
        mark = desktop.emu.mark()
        desktop.say(OFFICER, "/shift", chat_id=SUPERGROUP)
        answer = await desktop.answer(SUPERGROUP, mark)
        assert "Nguyễn Văn An" in text_of(answer)


async def test_an_upgrade_while_the_bot_was_down_is_found_at_start_up(migrated_url: str) -> None:
    async with launch(migrated_url, prepare=basic_group, people=people_with_admins()) as desktop:
        await checked(desktop)
        await desktop.stop()
        desktop.emu.migrate_chat(GROUP, SUPERGROUP, by=LEADER)
        # Telegram keeps updates for 24 hours; the notices are gone after a long stop.
        desktop.emu.updates.clear()

        await desktop.restart()
        await checked(desktop)
        (told,) = texts(desktop, LEADER)
        assert f"telegram.duty_group_id thành {SUPERGROUP}" in told
        (card,) = await alert_photos(desktop, "12")
        assert card["chat"]["id"] == SUPERGROUP


async def test_the_sender_follows_an_upgrade_telegram_reports_and_resends(
    migrated_url: str,
) -> None:
    async with launch(migrated_url, prepare=basic_group, people=people_with_admins()) as desktop:
        await checked(desktop)
        await desktop.stop()
        desk, emu = desktop.desk, desktop.emu
        emu.migrate_chat(GROUP, SUPERGROUP, by=LEADER)
        emu.updates.clear()
        desk.outbox.send(GROUP, "Tin nhắn gửi tới id cũ")

        from bot.handlers.membership import follow_migration

        bot = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
        async with bot:
            sender = OutboxSender(
                bot, desk.outbox, desk.clock, 3, on_migrated=partial(follow_migration, desk)
            )
            await sender.drain()
        assert texts(desktop, SUPERGROUP) == ["Tin nhắn gửi tới id cũ"]
        assert str(SUPERGROUP) in texts(desktop, LEADER)[-1]
        with Session(desktop.engine) as session:
            (moved,) = session.exec(select(ChatMigration)).all()
            assert (moved.old_chat_id, moved.new_chat_id) == (GROUP, SUPERGROUP)
