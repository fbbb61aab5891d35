"""End-to-end tests of the Bot API emulator driven by the real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import html
import io
import sys
import time
import unicodedata
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MessageEntity,
    ReactionTypeEmoji,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.devtools.emulator import BotApiEmulator, EntityParseError, parse_html

USER = 501
OTHER_USER = 502
GROUP = -1001234567890


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(USER, "Lan", last_name="Nguyễn", username="lan_truc")
        emulator.add_user(OTHER_USER, "Minh")
        emulator.add_chat(GROUP, "supergroup", "Phòng trực ban", is_forum=True)
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    client = Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url)
    async with client:
        yield client


def _png(width: int = 32, height: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# PTB 22.x warns about RetryAfter.retry_after becoming a timedelta, even inside its own __init__.
_RETRY_AFTER_WARNING = "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"


def _seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _raw(emu: BotApiEmulator, method: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, emu.origin + kwargs.pop("path"), **kwargs) as response,
    ):
        return response.status, await response.json()


# --- sending, editing, files ---------------------------------------------------------------------


async def test_text_round_trip_with_html_keyboard_edit_and_delete(
    emu: BotApiEmulator, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Nhận ca", callback_data="take:1")]])
    sent = await bot.send_message(
        GROUP, "<b>Ca đêm</b> bắt đầu", parse_mode="HTML", reply_markup=keyboard
    )

    assert sent.text == "Ca đêm bắt đầu"
    assert sent.entities == (MessageEntity(MessageEntity.BOLD, 0, 6),)
    assert sent.reply_markup == keyboard
    assert sent.from_user is not None and sent.from_user.username == "duty_desk_bot"
    assert sent.chat.title == "Phòng trực ban"
    [stored] = emu.bot_messages(GROUP)
    assert stored["text"] == "Ca đêm bắt đầu" and stored["_edits"] == 0

    edited = await bot.edit_message_text(
        "Ca đêm: <i>Lan</i>", GROUP, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, type(sent))
    assert edited.text == "Ca đêm: Lan" and edited.edit_date is not None
    [stored] = emu.bot_messages(GROUP)
    # Editing without reply_markup drops the keyboard, as Telegram does.
    assert stored["_edits"] == 1 and "reply_markup" not in stored
    assert stored["date"] == sent.date.timestamp()

    second = await bot.send_message(GROUP, "thứ hai", reply_to_message_id=sent.message_id)
    assert second.message_id == sent.message_id + 1
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == sent.message_id

    assert await bot.delete_message(GROUP, sent.message_id) is True
    assert [m["text"] for m in emu.bot_messages(GROUP)] == ["thứ hai"]
    assert emu.calls[0][0] == "getMe"
    assert ("deleteMessage", {"chat_id": GROUP, "message_id": sent.message_id}) in emu.calls


async def test_photos_documents_and_downloads(emu: BotApiEmulator, bot: Bot) -> None:
    png = _png(48, 20)
    photo_msg = await bot.send_photo(GROUP, png, caption="<b>Camera 3</b>", parse_mode="HTML")
    photo = photo_msg.photo[-1]
    assert (photo.width, photo.height, photo.file_size) == (48, 20, len(png))
    assert photo_msg.caption == "Camera 3"
    assert photo_msg.caption_entities == (MessageEntity(MessageEntity.BOLD, 0, 8),)
    assert emu.file_bytes(photo.file_id) == png

    again = await bot.send_photo(USER, photo.file_id)
    assert again.photo[-1].file_id == photo.file_id
    assert emu.bot_messages(USER)[0]["chat"]["type"] == "private"

    doc_msg = await bot.send_document(GROUP, b"ca,nguoi\n1,Lan\n", filename="bao_cao.csv")
    assert doc_msg.document is not None
    assert (doc_msg.document.file_name, doc_msg.document.mime_type) == ("bao_cao.csv", "text/csv")

    injected = emu.inject_message(GROUP, USER, photo=png, caption="ảnh hiện trường")
    file = await bot.get_file(injected["photo"][-1]["file_id"])
    assert file.file_path is not None and file.file_path.startswith(emu.base_file_url)
    assert bytes(await file.download_as_bytearray()) == png

    album = await bot.send_media_group(GROUP, [InputMediaPhoto(png), InputMediaPhoto(_png(8, 8))])
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id is not None
    assert album[1].photo[-1].width == 8

    with pytest.raises(BadRequest, match=r"(?i)too many messages to send as an album"):
        await bot.send_media_group(GROUP, [InputMediaPhoto(png)] * 11)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(GROUP, "no-such-file-id")


# --- errors --------------------------------------------------------------------------------------


async def test_bad_requests_match_telegram(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await bot.send_message(-42, "hi")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(GROUP, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(GROUP, "x" * 4097)
    await bot.send_message(GROUP, "😀" * 2048)  # exactly 4096 UTF-16 units is allowed
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(GROUP, "😀" * 2048 + "x")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="đ" * 33)]])
        await bot.send_message(GROUP, "nút", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(GROUP, _png(), caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(GROUP, "trả lời", reply_to_message_id=999)

    sent = await bot.send_message(GROUP, "gốc")
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("mới", GROUP, 999)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified: specified new message"):
        await bot.edit_message_text("gốc", GROUP, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(GROUP, 999)

    status, body = await _raw(
        emu, "POST", path=f"/bot{emu.token}/sendMessage", json={"chat_id": -42, "text": "x"}
    )
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )


async def test_a_user_who_never_wrote_to_the_bot_cannot_be_written_to(
    emu: BotApiEmulator, bot: Bot
) -> None:
    silent = 503
    emu.add_user(silent, "Quang", started_bot=False)
    with pytest.raises(Forbidden, match=r"bot can't initiate conversation with a user"):
        await bot.send_message(silent, "chào")
    assert emu.bot_messages(silent) == []
    emu.inject_message(silent, silent, "/start")
    assert (await bot.send_message(silent, "chào")).text == "chào"


@pytest.mark.filterwarnings(_RETRY_AFTER_WARNING)
async def test_flood_control_raises_retry_after(emu: BotApiEmulator, bot: Bot) -> None:
    emu.fail_next("sendMessage", times=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(GROUP, "gấp")
        assert _seconds(caught.value) == 7
    assert (await bot.send_message(GROUP, "gấp")).text == "gấp"
    assert [name for name, _ in emu.calls].count("sendMessage") == 3
    assert len(emu.bot_messages(GROUP)) == 1

    status, body = await _raw(emu, "GET", path=f"/bot{emu.token}/getMe")
    assert status == 200 and body["result"]["can_read_all_group_messages"] is True
    emu.fail_next("getme", retry_after=3)
    status, body = await _raw(emu, "GET", path=f"/bot{emu.token}/getMe")
    assert (status, body["parameters"]) == (429, {"retry_after": 3})
    assert body["description"] == "Too Many Requests: retry after 3"


@pytest.mark.filterwarnings(_RETRY_AFTER_WARNING)
async def test_per_chat_flood_limit() -> None:
    async with BotApiEmulator(flood_limit_per_chat=(2, 30.0)) as emu:
        emu.add_user(USER, "Lan")
        async with Bot(emu.token, base_url=emu.base_url) as client:
            await client.send_message(USER, "1")
            await client.send_message(USER, "2")
            with pytest.raises(RetryAfter) as caught:
                await client.send_message(USER, "3")
            assert 29 <= _seconds(caught.value) <= 30
            emu.add_user(OTHER_USER, "Minh")
            assert (await client.send_message(OTHER_USER, "khác")).text == "khác"


async def test_wrong_token_and_unknown_method(emu: BotApiEmulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=emu.base_url):
            pass
    status, body = await _raw(emu, "POST", path="/bot999:WRONG/getMe")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await _raw(emu, "POST", path=f"/bot{emu.token}/launchRocket")
    assert (status, body["description"]) == (404, "Not Found")
    # Method names are case-insensitive; parameters may come as a query string.
    status, body = await _raw(
        emu, "GET", path=f"/bot{emu.token}/SENDMESSAGE", params={"chat_id": USER, "text": "hi"}
    )
    assert status == 200 and body["result"]["text"] == "hi"
    assert emu.calls[-1] == ("sendMessage", {"chat_id": USER, "text": "hi"})


# --- updates -------------------------------------------------------------------------------------


async def test_get_updates_offset_confirmation_and_long_poll(emu: BotApiEmulator, bot: Bot) -> None:
    for text in ("một", "hai", "ba"):
        emu.inject_message(GROUP, USER, text)
    first = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["một", "hai", "ba"]
    assert emu.pending_updates() == 3  # fetched but not yet confirmed

    again = await bot.get_updates(offset=first[1].update_id, timeout=0)
    assert [u.update_id for u in again] == [first[1].update_id, first[2].update_id]
    assert emu.pending_updates() == 2

    assert await bot.get_updates(offset=first[2].update_id + 1, timeout=0) == ()
    assert emu.pending_updates() == 0
    await emu.wait_until_consumed(timeout=0.5)

    poll = asyncio.create_task(bot.get_updates(offset=first[2].update_id + 1, timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    emu.inject_message(GROUP, USER, "bốn")
    [late] = await poll
    assert late.message is not None and late.message.text == "bốn"
    assert time.monotonic() - started < 1.0

    emu.inject_message(GROUP, USER, "năm")
    emu.inject_message(GROUP, USER, "sáu")
    limited = await bot.get_updates(offset=late.update_id + 1, limit=1, timeout=0)
    assert [u.message.text for u in limited if u.message] == ["năm"]
    with pytest.raises(TimeoutError):
        await emu.wait_until_consumed(timeout=0.05)


async def test_reactions_only_with_allowed_updates(emu: BotApiEmulator, bot: Bot) -> None:
    message = emu.inject_message(GROUP, USER, "sự cố mạng")
    [update] = await bot.get_updates(timeout=0)
    offset = update.update_id + 1

    emu.inject_reaction(GROUP, message["message_id"], USER, ["👍"])
    assert await bot.get_updates(offset=offset, timeout=0) == ()
    assert emu.pending_updates() == 0  # dropped for good, like Telegram

    await bot.get_updates(offset=offset, timeout=0, allowed_updates=["message_reaction"])
    emu.inject_message(GROUP, USER, "không được giao")
    emu.inject_reaction(GROUP, message["message_id"], USER, ["🔥"], old=["👍"])
    [reaction] = await bot.get_updates(offset=offset, timeout=0)
    assert reaction.message_reaction is not None
    assert reaction.message_reaction.new_reaction == (ReactionTypeEmoji("🔥"),)
    assert reaction.message_reaction.old_reaction == (ReactionTypeEmoji("👍"),)
    assert reaction.message_reaction.user is not None
    assert reaction.message_reaction.user.id == USER

    # Not sending allowed_updates keeps the last list; an empty list restores the default.
    offset = reaction.update_id + 1
    emu.inject_reaction(GROUP, message["message_id"], OTHER_USER, ["👀"])
    [kept] = await bot.get_updates(offset=offset, timeout=0)
    assert kept.message_reaction is not None
    emu.inject_reaction(GROUP, message["message_id"], OTHER_USER, ["❤"])
    assert await bot.get_updates(offset=kept.update_id + 1, timeout=0, allowed_updates=[]) == ()


async def test_button_press_and_callback_answer(emu: BotApiEmulator, bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Xác nhận", callback_data="ack:7")],
            [InlineKeyboardButton("Web", url="https://example.vn")],
        ]
    )
    sent = await bot.send_message(GROUP, "Sự cố #7", reply_markup=markup)
    with pytest.raises(AssertionError, match="ack:8"):
        emu.press_button(GROUP, sent.message_id, USER, "ack:8")

    query_id = emu.press_button(GROUP, sent.message_id, USER, "ack:7")
    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.id == query_id and query.data == "ack:7"
    assert query.from_user.id == USER
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await query.answer("Đã nhận", show_alert=True) is True
    answer = await emu.wait_for_answer(query_id, timeout=1)
    assert answer["text"] == "Đã nhận" and answer["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")

    await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=None)
    with pytest.raises(AssertionError):
        emu.press_button(GROUP, sent.message_id, USER, "ack:7")


# --- entities and HTML ---------------------------------------------------------------------------


async def test_utf16_entity_offsets_with_vietnamese_and_emoji(
    emu: BotApiEmulator, bot: Bot
) -> None:
    text = "🚨 Báo #sựcố lúc 2h 😀 /report@duty_desk_bot #ca_đêm #123 @lan_truc"
    emu.inject_message(GROUP, USER, text)
    [update] = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None
    by_type = {
        kind: sorted(message.parse_entities([kind]).values())
        for kind in ("hashtag", "bot_command", "mention")
    }
    assert by_type == {
        "hashtag": ["#ca_đêm", "#sựcố"],
        "bot_command": ["/report@duty_desk_bot"],
        "mention": ["@lan_truc"],
    }
    hashtag = message.entities[0]
    assert (hashtag.type, hashtag.offset, hashtag.length) == ("hashtag", 7, 5)
    command = next(e for e in message.entities if e.type == "bot_command")
    assert command.offset == len(text[: text.index("/")]) + 2  # two emoji before it

    decomposed = unicodedata.normalize("NFD", "#sựcố mới")
    [tag] = emu.inject_message(GROUP, USER, decomposed)["entities"]
    assert tag["length"] == len(unicodedata.normalize("NFD", "#sựcố"))

    sent = await bot.send_message(GROUP, "😀 <b>Trực</b> 👍 <i>ổn</i>", parse_mode="HTML")
    assert sent.parse_entities() == {
        MessageEntity(MessageEntity.BOLD, 3, 4): "Trực",
        MessageEntity(MessageEntity.ITALIC, 11, 2): "ổn",
    }


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<b>đậm", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("ổn <div>x</div>", 'Unsupported start tag "div" at byte offset 5'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("Tom & Jerry", 'Unescaped "&", use "&amp;" at byte offset 4'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<a href=x", "Unclosed start tag at byte offset 0"),
    ],
)
def test_parse_html_rejects_like_telegram(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == error


async def test_html_validation_over_http(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unescaped"):
        await bot.send_message(GROUP, "Lỗi <b>A & B</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_photo(GROUP, _png(), caption="<br>", parse_mode="HTML")
    assert emu.bot_messages() == []

    source = (
        '<strong>A</strong> &lt;&amp;&gt;&quot; <a href="https://x.vn/?a=1&amp;b=2">link</a> '
        '<tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> <u>u</u> <del>d</del> '
        '<pre><code class="language-python">x = 1</code></pre> <code>c</code> '
        "<blockquote expandable>q</blockquote> "
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        f' <a href="tg://user?id={USER}">Lan</a> {html.escape("<raw>")}'
    )
    sent = await bot.send_message(GROUP, source, parse_mode="HTML")
    assert sent.text == 'A <&>" link s t u d x = 1 c q 👍 Lan <raw>'
    kinds = [(e.type, sent.parse_entity(e)) for e in sent.entities]
    assert kinds == [
        ("bold", "A"),
        ("text_link", "link"),
        ("spoiler", "s"),
        ("spoiler", "t"),
        ("underline", "u"),
        ("strikethrough", "d"),
        ("pre", "x = 1"),
        ("code", "c"),
        ("expandable_blockquote", "q"),
        ("custom_emoji", "👍"),
        ("text_mention", "Lan"),
    ]
    assert sent.entities[1].url == "https://x.vn/?a=1&b=2"
    assert sent.entities[6].language == "python"
    assert sent.entities[10].user is not None and sent.entities[10].user.id == USER
    # Markdown is passed through untouched (the emulator validates HTML only).
    plain = await bot.send_message(GROUP, "*đậm*", parse_mode="MarkdownV2")
    assert plain.text == "*đậm*"


# --- test-side helpers, commands, control API ----------------------------------------------------


async def test_waits_mark_and_edits(emu: BotApiEmulator, bot: Bot) -> None:
    early = await bot.send_message(GROUP, "trước")
    mark = emu.mark()
    waiter = asyncio.create_task(
        emu.wait_for_message(GROUP, after=mark, predicate=lambda m: "xong" in m["text"])
    )
    await bot.send_message(GROUP, "đang làm")
    await bot.send_message(USER, "xong (chat khác)")
    await asyncio.sleep(0)
    assert not waiter.done()
    done = await bot.send_message(GROUP, "xong")
    assert (await waiter)["message_id"] == done.message_id

    # A message already seen by the waiter can still match once an edit changes it.
    mark = emu.mark()
    progress = await bot.send_message(GROUP, "đang xử lý")
    waiter = asyncio.create_task(
        emu.wait_for_message(GROUP, after=mark, predicate=lambda m: m["text"] == "hoàn tất")
    )
    await asyncio.sleep(0.01)
    await bot.edit_message_text("hoàn tất", GROUP, progress.message_id)
    finished = await waiter
    assert finished["message_id"] == progress.message_id and finished["_edits"] == 1

    editing = asyncio.create_task(
        emu.wait_for_edit(GROUP, early.message_id, predicate=lambda m: m["text"] == "sau")
    )
    await bot.edit_message_text("sau", GROUP, early.message_id)
    edited = await editing
    assert edited["_edits"] == 1 and edited["text"] == "sau"
    with pytest.raises(TimeoutError, match="no bot message"):
        await emu.wait_for_message(GROUP, after=emu.mark(), timeout=0.05)


async def test_commands_stored_per_scope_and_language(emu: BotApiEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    await bot.set_my_commands(
        [BotCommand("ca", "Ca trực"), BotCommand("baocao", "Báo cáo")],
        scope=BotCommandScopeChat(GROUP),
        language_code="vi",
    )
    assert emu.commands() == [{"command": "start", "description": "Bắt đầu"}]
    assert [c["command"] for c in emu.commands({"type": "chat", "chat_id": GROUP}, "vi")] == [
        "ca",
        "baocao",
    ]
    assert emu.commands({"type": "chat", "chat_id": GROUP}) == []
    fetched = await bot.get_my_commands(scope=BotCommandScopeChat(GROUP), language_code="vi")
    assert [c.command for c in fetched] == ["ca", "baocao"]
    await bot.delete_my_commands()
    assert emu.commands() == []
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "hoa")])

    message = emu.inject_message(GROUP, USER, "ping")
    assert await bot.set_message_reaction(GROUP, message["message_id"], "👍") is True
    assert emu.reactions[(GROUP, message["message_id"])] == [{"type": "emoji", "emoji": "👍"}]
    assert await bot.pin_chat_message(GROUP, message["message_id"]) is True
    chat = await bot.get_chat(GROUP)
    assert chat.is_forum is True and chat.pinned_message is not None
    assert (await bot.get_chat_member(GROUP, USER)).status == "member"
    assert (await bot.get_chat_member(GROUP, emu.bot_user["id"])).status == "administrator"
    assert await bot.send_chat_action(GROUP, "typing") is True


async def test_control_api(emu: BotApiEmulator, bot: Bot) -> None:
    status, body = await _raw(
        emu,
        "POST",
        path="/_emulator/message",
        json={"chat_id": GROUP, "user_id": USER, "text": "/ca"},
    )
    assert status == 200 and body["result"]["entities"][0]["type"] == "bot_command"
    sent = await bot.send_message(
        GROUP,
        "chọn",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    press = {"chat_id": GROUP, "message_id": sent.message_id, "user_id": USER, "data": "a"}
    status, body = await _raw(emu, "POST", path="/_emulator/press", json=press)
    assert status == 200 and body["result"]["query_id"] in emu.queries
    status, body = await _raw(emu, "POST", path="/_emulator/press", json={**press, "data": "b"})
    assert status == 400 and "no button" in body["description"]
    status, state = await _raw(emu, "GET", path="/_emulator/state")
    assert [m["text"] for m in state["messages"]] == ["/ca", "chọn"]
    assert state["pending_updates"] == 2


def test_update_queue_stays_linear_for_benchmarks() -> None:
    emu = BotApiEmulator()
    emu.add_user(USER, "Lan")
    started = time.monotonic()
    for i in range(30_000):
        emu.inject_message(USER, USER, f"tin {i}")
    offset, delivered = 0, 0
    while batch := emu.updates.take(100):
        delivered += len(batch)
        offset = batch[-1]["update_id"] + 1
        emu.updates.confirm(offset)
    assert delivered == 30_000 and emu.pending_updates() == 0
    assert time.monotonic() - started < 5


async def test_cli_serves_on_requested_port() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.devtools.emulator",
        "--port",
        "0",
        "--demo",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        assert line.startswith("Bot API emulator: base_url=http://127.0.0.1:")
        base_url = line.split("base_url=", 1)[1].strip()
        async with Bot("123456:TEST-TOKEN", base_url=base_url) as client:
            assert (await client.send_message(-1001, "chào")).chat.title == "Demo duty room"
    finally:
        process.terminate()
        await process.wait()


# --- a real PTB Application ----------------------------------------------------------------------


async def test_application_runs_handlers_against_the_emulator(emu: BotApiEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(
            f"Chào {update.effective_user.first_name}! {context.args}", do_quote=False
        )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await message.reply_html(f"<b>{html.escape(message.text)}</b>", do_quote=True)

    app = (
        Application.builder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        try:
            mark = emu.mark()
            emu.inject_message(GROUP, USER, "/start@other_bot bỏ qua")
            emu.inject_message(GROUP, USER, "/start@duty_desk_bot ca_đêm")
            reply = await emu.wait_for_message(GROUP, after=mark)
            assert reply["text"] == "Chào Lan! ['ca_đêm']"

            mark = emu.mark()
            asked = emu.inject_message(GROUP, USER, "a < b & c", message_thread_id=9)
            echoed = await emu.wait_for_message(GROUP, after=mark)
            assert echoed["text"] == "a < b & c"
            assert echoed["entities"] == [{"type": "bold", "offset": 0, "length": 9}]
            assert echoed["reply_to_message"]["message_id"] == asked["message_id"]
            assert echoed["message_thread_id"] == 9 and echoed["is_topic_message"] is True

            await emu.wait_until_consumed(timeout=5)
            assert [m["text"] for m in emu.bot_messages(GROUP)] == [reply["text"], "a < b & c"]
        finally:
            await app.updater.stop()
            await app.stop()
