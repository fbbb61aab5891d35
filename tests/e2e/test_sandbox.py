"""The sandbox through plain HTTP: the demo desk, the page's API, a camera, a drill's report."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox import demo
from bot.sandbox.runtime import Sandbox, SandboxOptions

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(SandboxOptions(port=0, data_dir=tmp_path / "sandbox")) as running:
        yield running


async def get(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def post(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with session.post(url, json=body) as response:
        return response.status, await response.json()


async def messages(session: aiohttp.ClientSession, sandbox: Sandbox, chat: int) -> Any:
    return (await get(session, f"{sandbox.url}/api/chats/{chat}/messages"))["messages"]


async def until(check: Any, seconds: float = 20) -> Any:
    for _ in range(int(seconds * 10)):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("not seen in time")


async def test_the_page_api_plays_the_demo_desk(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        world = await get(session, f"{sandbox.url}/api/world")
        roles = {p["name"]: p["title"] for p in world["personas"]}
        assert roles["Nguyễn Văn An"] == "Lãnh đạo ca trực"
        assert {"Đầu mối Chi cục KV1", "Đầu mối DNCX ABC", "Thư ký ca trực"} <= set(roles.values())
        assert [c["title"] for c in world["chats"] if c["type"] == "group"] == [
            "Tổ trực ban Cục Hải quan",
            "Trực ban Chi cục HQ KV1",
            "Đội Kiểm soát Hải quan",
            "Tổ trực ban Cục HQ Đồng Nai",
        ]
        assert {c["number"] for c in world["cameras"]} == {"01", "02", "03", "C01", "DN01"}
        # The page's own words come from the catalogs, in the desk's language.
        texts = await get(session, f"{sandbox.url}/api/texts")
        assert texts["acting_as"] == "Đang là"
        assert texts["event_tampering"] == "🚫 Phá hoại, che chắn camera"

        status, sent = await post(
            session,
            f"{sandbox.url}/api/send",
            {"chat_id": demo.GROUP, "user_id": demo.OFFICER, "text": "/shift"},
        )
        assert status == 200 and sent["ok"]

        async def shift_answer() -> Any:
            found = await messages(session, sandbox, demo.GROUP)
            return next((m for m in found if "Ca trực ngày" in m["html"]), None)

        answer = await shift_answer() or await until(shift_answer)
        assert answer["from"]["is_bot"] and "Nguyễn Văn An" in answer["html"]
        # Telegram's formatting reaches the page as HTML.
        assert "<b>" in answer["html"]

        status, refused = await post(
            session,
            f"{sandbox.url}/api/send",
            {"chat_id": demo.LEADER, "user_id": demo.OFFICER, "text": "xin chào"},
        )
        assert status == 400 and "private chat" in refused["description"]


async def test_a_camera_alert_reaches_the_group_with_its_snapshot(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        # The bot subscribes to the cameras' events as it starts; wait for the yard's.
        await until(lambda: _subscribed(sandbox, "yard"))
        status, _ = await post(session, f"{sandbox.url}/api/cameras/yard/tampering", {})
        assert status == 200

        async def card() -> Any:
            found = await messages(session, sandbox, demo.GROUP)
            return next((m for m in found if m.get("photo") and "CAM 02" in m["html"]), None)

        alert = await until(card)
        assert "Bãi container B3" in alert["html"]
        async with session.get(sandbox.url + alert["photo"]) as response:
            assert response.status == 200 and response.content_type == "image/jpeg"
            assert (await response.read())[:2] == b"\xff\xd8"
        labels = [b["text"] for row in alert["buttons"] for b in row]
        assert "📝 Mở vụ việc" in labels

        # The unit's contact may not act for the desk: the bot answers with a pop-up.
        open_incident = next(
            b["callback_data"] for row in alert["buttons"] for b in row if b["text"] == labels[0]
        )
        status, answer = await post(
            session,
            f"{sandbox.url}/api/press",
            {
                "chat_id": demo.GROUP,
                "message_id": alert["message_id"],
                "user_id": demo.UNIT_CONTACT,
                "data": open_incident,
            },
        )
        assert status == 200 and answer["answered"] and answer["text"]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def listing(folder: Path) -> list[Path]:
    return list(folder.iterdir())


async def _subscribed(sandbox: Sandbox, key: str) -> bool:
    return sandbox.cameras[key].live_subscriptions() > 0


async def test_the_second_desk_answers_in_its_own_group_by_its_own_roster(
    sandbox: Sandbox,
) -> None:
    async with aiohttp.ClientSession() as session:
        # An leads the shift in Hồ Chí Minh City and is the section leader in Đồng Nai.
        await post(
            session,
            f"{sandbox.url}/api/send",
            {"chat_id": demo.DN_GROUP, "user_id": demo.DN_LEADER, "text": "/shift"},
        )

        async def dn_shift() -> Any:
            found = await messages(session, sandbox, demo.DN_GROUP)
            return next((m for m in found if "Ca trực ngày" in m["html"]), None)

        answer = await until(dn_shift)
        assert "Bùi Văn Long" in answer["html"] and "Ngô Thị Mai" in answer["html"]
        assert "Phạm Thị Dung" not in answer["html"]

        await until(lambda: _subscribed(sandbox, "longbinh"))
        status, _ = await post(session, f"{sandbox.url}/api/cameras/longbinh/tampering", {})
        assert status == 200

        async def dn_card() -> Any:
            found = await messages(session, sandbox, demo.DN_GROUP)
            return next((m for m in found if m.get("photo") and "CAM DN01" in m["html"]), None)

        await until(dn_card)
        in_hcm = await messages(session, sandbox, demo.GROUP)
        assert not any("DN01" in m["html"] for m in in_hcm)


async def test_a_drill_on_a_fast_clock_reports_the_30_minute_breach(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        listed = await get(session, f"{sandbox.url}/api/drills")
        assert "night-tampering" in [d["name"] for d in listed["drills"]]
        await until(lambda: _subscribed(sandbox, "yard"))
        status, started = await post(
            session, f"{sandbox.url}/api/drills/night-tampering", {"speed": 120}
        )
        assert status == 200 and started["drill"]["running"], started
        status, twice = await post(session, f"{sandbox.url}/api/drills/night-tampering", {})
        assert status == 400 and "already running" in twice["description"]

        async def ended() -> Any:
            drill = (await get(session, f"{sandbox.url}/api/drill"))["drill"]
            return drill if not drill["running"] else None

        drill = await until(ended, seconds=120)
    assert drill["error"] is None
    checks = {(c["rule"], c["verdict"]) for c in drill["report"]["checks"]}
    assert ("trả lời trong 30 phút", "breached") in checks
    assert ("duyệt trước khi thực hiện", "met") in checks
    reply = next(c for c in drill["report"]["checks"] if c["rule"] == "trả lời trong 30 phút")
    # The unit acknowledged 40 minutes after the request, by the bot's own records.
    assert reply["detail"].startswith("trả lời sau 4")
    text = read(Path(drill["report"]["file"]))
    assert "❌ trả lời trong 30 phút" in text
    # The desk's 30-minute rule itself fired on the fast clock: the group was told.
    group = [m for m in sandbox.emu.bot_messages(demo.GROUP)]
    assert any("trong vòng 30 phút" in str(m.get("text")) for m in group)
    assert sandbox.clock.speed == 1.0


async def test_run_with_no_configuration_opens_the_sandbox(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTY_DESK_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        seen = b""
        while b"http://127.0.0.1:" not in seen:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            assert line, "the sandbox exited before printing its address"
            seen += line
        url = seen.decode().split("http://", 1)[1].split()[0].rstrip(".,")
        async with aiohttp.ClientSession() as session:
            world = await get(session, f"http://{url}/api/world")
            assert len(world["personas"]) == len(demo.PERSONAS)
            async with session.get(f"http://{url}/") as page:
                assert page.status == 200 and "text/html" in page.content_type
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert "sandbox" in seen.decode()
    # Nothing was left behind in the folder it ran in but the sandbox's own data, removed.
    assert not listing(tmp_path)


async def test_an_unknown_drill_or_an_unwritable_report_is_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTY_DESK_")}
    env["PYTHONPATH"] = str(ROOT)
    unknown = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "drill",
        "no-such-drill",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, refused = await asyncio.wait_for(unknown.communicate(), timeout=60)
    assert unknown.returncode == 2
    assert "Không có bài diễn tập no-such-drill" in refused.decode()
    assert "epz-outage" in refused.decode()
    # A report that could not be kept is refused before anything starts.
    nowhere = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "drill",
        "epz-outage",
        "--report",
        str(tmp_path / "no-such-folder" / "report.txt"),
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, refused = await asyncio.wait_for(nowhere.communicate(), timeout=60)
    assert nowhere.returncode == 2
    assert "Không ghi được báo cáo diễn tập vào" in refused.decode()


async def drill_command(cwd: Path, env: dict[str, str], *options: str) -> tuple[int, str]:
    """Run `duty-desk drill epz-outage` to its end; it must exit by itself, in good time."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "drill",
        "epz-outage",
        "--speed",
        "120",
        "--port",
        "0",
        *options,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError("the drill command did not end after its report") from None
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_the_drill_command_prints_its_report_keeps_it_and_ends(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTY_DESK_")}
    env["PYTHONPATH"] = str(ROOT)
    # Without --data: the sandbox's folder is temporary, the report lands where it ran.
    code, seen = await drill_command(tmp_path, env)
    assert code == 0, seen
    assert "Báo cáo diễn tập: DNCX mất đường truyền, quá hạn khắc phục" in seen
    assert "❌ thời hạn khắc phục của DNCX — sự cố số 1: vi phạm" in seen
    (report,) = listing(tmp_path)
    assert report.name.startswith("drill-epz-outage-") and report.suffix == ".txt"
    assert f"Đã ghi báo cáo: {report}" in seen
    assert "❌ thời hạn khắc phục của DNCX" in read(report)
    # --report names the file; --data keeps the sandbox's database.
    elsewhere = tmp_path / "reports" / "epz.txt"
    elsewhere.parent.mkdir()
    code, seen = await drill_command(
        tmp_path, env, "--data", str(tmp_path / "data"), "--report", str(elsewhere)
    )
    assert code == 0, seen
    assert f"Đã ghi báo cáo: {elsewhere}" in seen
    assert "❌ thời hạn khắc phục của DNCX" in read(elsewhere)
    assert (tmp_path / "data" / "sandbox.db").exists()


async def test_the_readme_walkthrough_fits_a_phone_screen_message_by_message(
    sandbox: Sandbox,
) -> None:
    # README's two-minute walkthrough, step by step through the page's API, then the commands
    # that read the desk back; no message of the bot is longer than a phone screen (issue 16).
    async with aiohttp.ClientSession() as session:

        async def button(chat: int, fragment: str, data: str) -> tuple[int, str]:
            async def found() -> Any:
                for message in reversed(await messages(session, sandbox, chat)):
                    if fragment not in message["html"]:
                        continue
                    for row in message.get("buttons") or []:
                        for key in row:
                            if key["callback_data"].startswith(data):
                                return message["message_id"], key["callback_data"]
                return None

            return await until(found)

        async def tap(chat: int, user: int, fragment: str, data: str) -> None:
            message_id, exact = await button(chat, fragment, data)
            status, _ = await post(
                session,
                f"{sandbox.url}/api/press",
                {"chat_id": chat, "message_id": message_id, "user_id": user, "data": exact},
            )
            assert status == 200

        async def say(chat: int, user: int, text: str, then: str) -> None:
            status, _ = await post(
                session, f"{sandbox.url}/api/send", {"chat_id": chat, "user_id": user, "text": text}
            )
            assert status == 200

            async def answered() -> Any:
                return any(
                    m["from"]["is_bot"] and then in m["html"]
                    for m in await messages(session, sandbox, chat)
                )

            await until(answered)

        await until(lambda: _subscribed(sandbox, "yard"))
        status, _ = await post(session, f"{sandbox.url}/api/cameras/yard/tampering", {})
        assert status == 200
        await tap(demo.GROUP, demo.OFFICER, "CAM 02", "al:inc")
        await tap(demo.GROUP, demo.OFFICER, "Vụ việc 2026/0001", "pr:new")
        await tap(demo.GROUP, demo.OFFICER, "loại xử lý", "dr:kind:coordination")
        await tap(demo.GROUP, demo.OFFICER, "đơn vị nào", "dr:unit:hq-kv1")
        await tap(demo.GROUP, demo.OFFICER, "đơn vị nào", "dr:units-done")
        await say(
            demo.GROUP,
            demo.OFFICER,
            "Đề nghị Chi cục KV1 kiểm tra bãi B3, camera 02 bị che",
            "Phân tích, nhận định",
        )
        await tap(demo.GROUP, demo.OFFICER, "Phân tích, nhận định", "dr:assess:facts")
        await tap(demo.GROUP, demo.LEADER, "Đề xuất xử lý vụ việc", "ap:")
        await tap(demo.UNIT_CHAT, demo.UNIT_CONTACT, "Yêu cầu của trực ban", "rq:ack")
        await say(demo.UNIT_CHAT, demo.UNIT_CONTACT, "Đ/c Giang 0912 345 678, 45 phút", "Giang")

        async def acknowledged() -> Any:
            return any(
                "đã xác nhận" in m["html"] and "Giang" in m["html"]
                for m in await messages(session, sandbox, demo.GROUP)
            )

        await until(acknowledged)
        for command, answer in (
            ("/logbook", "Chi cục HQ CK cảng Sài Gòn KV1"),
            ("/incident 2026/0001", "Vụ việc 2026/0001"),
            ("/handover", "Bàn giao ca"),
            ("/cameras", "🎥"),
            ("/help", "duty-desk"),
            ("/pending", "chờ"),
        ):
            await say(demo.GROUP, demo.CLERK, command, answer)
        sent = sandbox.emu.bot_messages()
        assert len(sent) > 15
        for message in sent:
            text = message.get("text") or message.get("caption") or ""
            assert len(text) <= 1500, text[:300]
