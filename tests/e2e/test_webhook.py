"""Webhook mode: Telegram posts the updates, only with its secret, and switching loses none."""

from __future__ import annotations

import itertools
import socket
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_application, running
from bot.config import Settings, WebhookSettings
from bot.db.models import EntryOrigin
from bot.desk import Desk
from bot.operating import held_roles
from bot.webhook import WebhookStartError
from bot.webhook.server import SECRET_HEADER
from tests.conftest import SHIFT_DAY
from tests.e2e.conftest import GROUP, LEADER, OFFICER, Desktop, launch, text_of

SECRET = "webhook-secret_0123456789abcdef"


def free_port() -> int:
    """A port nothing listens on now (the public URL must name it before the bot starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_mode(port: int | None = None) -> dict[str, Any]:
    """The telegram keys of webhook mode, Telegram (the emulator) posting straight to the bot."""
    port = port or free_port()
    return {
        "mode": "webhook",
        "webhook": {
            "url": f"http://127.0.0.1:{port}/telegram",
            "port": port,
            "secret_token": SECRET,
        },
    }


def switched(settings: Settings, mode: str) -> Settings:
    """The same desk configured to take its updates the other way."""
    telegram = dict(settings.telegram)
    if mode == "webhook":
        telegram.update(mode="webhook", webhook=WebhookSettings(**webhook_mode()["webhook"]))
    else:
        telegram.update(mode="polling", webhook=WebhookSettings())
    return settings.model_copy(update={"telegram": type(settings.telegram)(**telegram)})


async def handled(desktop: Desktop) -> None:
    """Telegram holds nothing more, the bot handled all it took, and sent what followed."""
    await desktop.emu.wait_until_consumed()
    # Telegram has its answer once an update is queued; the handlers run after it.
    await desktop.app.update_queue.join()
    await desktop.settle()


def recorded(desktop: Desktop) -> list[str]:
    return [message.text for message in desktop.desk.logbook.messages(SHIFT_DAY)]


async def test_in_webhook_mode_the_group_is_recorded_and_answered(migrated_url: str) -> None:
    async with launch(migrated_url, telegram=webhook_mode()) as desktop:
        emu = desktop.emu
        assert emu.webhook.url.endswith("/telegram") and emu.webhook.secret_token == SECRET
        note = desktop.say(OFFICER, "Đội kiểm soát 2 đã niêm phong container TGHU8593740")
        mark = emu.mark()
        desktop.say(OFFICER, "/shift")
        answer = await desktop.answer(GROUP, mark)
        assert "Ca trực ngày" in text_of(answer)
        # Reactions are asked for too: the 📌 files the message.
        emu.inject_reaction(GROUP, note["message_id"], LEADER, ["📌"], date=desktop.clock.now())
        await handled(desktop)

        assert "Đội kiểm soát 2 đã niêm phong container TGHU8593740" in recorded(desktop)
        page = desktop.desk.logbook.page(SHIFT_DAY, 0)
        assert [entry.origin for entry in page.entries] == [EntryOrigin.REACTION]
        # Everything came by the webhook: the bot never polled.
        assert len(emu.webhook.delivered) == 3
        assert not [method for method, _ in emu.calls if method == "getUpdates"]
        # What /readyz lists: no poller; the webhook, the sender and the standing check.
        roles = held_roles(desktop.app, desktop.settings)
        assert {"webhook", "sender", "standing"} <= set(roles) and "poller" not in roles


async def test_a_request_without_telegrams_secret_is_refused_and_nothing_is_recorded(
    migrated_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = webhook_mode()
    async with launch(migrated_url, telegram=config) as desktop:
        forged = {
            "update_id": 900,
            "message": {
                "message_id": 900,
                "date": int(desktop.clock.now().timestamp()),
                "chat": {"id": GROUP, "type": "supergroup", "title": "Tổ trực ban HQ"},
                "from": {"id": OFFICER, "is_bot": False, "first_name": "Dung"},
                "text": "/shift giả mạo",
            },
        }
        mark = desktop.emu.mark()
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "not-the-secret"}):
                url = config["webhook"]["url"]
                async with session.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
        await handled(desktop)

        assert "/shift giả mạo" not in recorded(desktop)
        assert desktop.emu.bot_messages(GROUP)[mark:] == []
        assert SECRET not in caplog.text and "not-the-secret" not in caplog.text
        # Telegram's own posts still go through.
        desktop.say(OFFICER, "Camera 15 đã có hình trở lại")
        await handled(desktop)
        assert "Camera 15 đã có hình trở lại" in recorded(desktop)


async def test_switching_to_webhook_and_back_loses_no_update(migrated_url: str) -> None:
    async with launch(migrated_url) as desktop:
        emu = desktop.emu
        # Telegram waits long between attempts; switching is what ends the wait.
        emu.webhook.first_retry_seconds = 60.0
        desktop.say(OFFICER, "1. Nhận ca, polling")
        await handled(desktop)
        await desktop.stop()
        desktop.say(OFFICER, "2. Gửi khi bot đang chuyển sang webhook")

        desktop.settings = switched(desktop.settings, "webhook")
        await desktop.restart()
        desktop.say(OFFICER, "3. Qua webhook")
        await handled(desktop)
        assert emu.webhook.active
        await desktop.stop()
        # Telegram tries the webhook, finds nobody, and keeps the update.
        desktop.say(OFFICER, "4. Gửi khi bot đang chuyển về polling")

        desktop.settings = switched(desktop.settings, "polling")
        await desktop.restart()
        desktop.say(OFFICER, "5. Lại polling")
        await handled(desktop)

        assert recorded(desktop) == [
            "1. Nhận ca, polling",
            "2. Gửi khi bot đang chuyển sang webhook",
            "3. Qua webhook",
            "4. Gửi khi bot đang chuyển về polling",
            "5. Lại polling",
        ]
        assert not emu.webhook.active and emu.webhook.given_up == []
        deleted = [params for method, params in emu.calls if method == "deleteWebhook"]
        assert deleted and not any(params.get("drop_pending_updates") for params in deleted)


async def test_a_port_already_taken_stops_start_up_naming_the_key(migrated_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(WebhookStartError) as caught:
            async with launch(migrated_url, telegram=webhook_mode(port)):
                pass
    assert caught.value.key == "telegram.webhook.port"
    assert f"127.0.0.1:{port}" in caught.value.reason


@asynccontextmanager
async def round_robin(
    backends: list[str], answered: Counter[tuple[str, int]]
) -> AsyncIterator[str]:
    """A reverse proxy taking turns between the processes; 502 for one that does not answer."""
    turns = itertools.cycle(backends)

    async def forward(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k == SECRET_HEADER}
        backend = next(turns)
        try:
            async with session.post(backend, data=await request.read(), headers=headers) as got:
                status = got.status
        except aiohttp.ClientConnectionError:
            status = 502
        answered[backend, status] += 1
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/telegram", forward)
    runner = web.AppRunner(app)
    async with aiohttp.ClientSession() as session:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            yield f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
        finally:
            await runner.cleanup()


async def test_two_processes_behind_one_proxy_share_the_updates(migrated_url: str) -> None:
    ports = [free_port(), free_port()]
    backends = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    answered: Counter[tuple[str, int]] = Counter()
    async with round_robin(backends, answered) as public:
        first = {"url": public, "port": ports[0], "secret_token": SECRET}
        async with launch(migrated_url, telegram={"mode": "webhook", "webhook": first}) as desktop:
            # The second process: the same desk and address, its own port.
            telegram = dict(desktop.settings.telegram)
            telegram["webhook"] = WebhookSettings(**{**first, "port": ports[1]})
            settings = desktop.settings.model_copy(
                update={"telegram": type(desktop.settings.telegram)(**telegram)}
            )
            second = build_application(
                settings, desk=Desk.build(settings, desktop.engine, desktop.clock)
            )
            async with AsyncExitStack() as other:
                await other.enter_async_context(running(second))
                for n in range(1, 5):
                    desktop.say(OFFICER, f"Tin {n} qua hai tiến trình")
                await handled(desktop)
                await second.update_queue.join()
            assert answered == {(backends[0], 200): 2, (backends[1], 200): 2}
            # One process stops: Telegram retries what the proxy could not hand it, and the
            # other takes it.
            for n in range(5, 7):
                desktop.say(OFFICER, f"Tin {n} qua hai tiến trình")
            await handled(desktop)

            assert recorded(desktop) == [f"Tin {n} qua hai tiến trình" for n in range(1, 7)]
            assert answered[backends[0], 200] == 4 and answered[backends[1], 502] >= 1
            assert desktop.emu.webhook.given_up == []
            # Both processes set the same webhook; neither took it away when it stopped.
            assert desktop.emu.webhook.url == public
            setting = [p for method, p in desktop.emu.calls if method == "setWebhook"]
            assert [p["url"] for p in setting] == [public, public]
