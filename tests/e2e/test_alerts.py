"""Camera alerts over the signed webhook: posted with an annotated snapshot, folded, acted on."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
import json
from typing import Any

import aiohttp
from PIL import Image
from sqlmodel import Session, select

from bot.camera.intake import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from bot.db.models import CameraAlert, CameraEventRecord, Incident, LogbookEntry
from tests.e2e.conftest import (
    CLERK,
    GROUP,
    INTAKE_SECRET,
    OFF_DUTY,
    OFFICER,
    UNIT_CHAT,
    Desktop,
    buttons_of,
    launch,
    text_of,
)


def frame(
    color: tuple[int, int, int] = (90, 120, 90), size: tuple[int, int] = (1920, 1080)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def alert_body(camera: str = "12", kind: str = "motion", **extra: Any) -> bytes:
    payload = {"camera": camera, "type": kind, "time": "2026-11-25T09:00:00+07:00", **extra}
    return json.dumps(payload).encode()


async def post(
    desktop: Desktop,
    body: bytes,
    *,
    signed: bool = True,
    timestamp: str | None = None,
    secret: str = INTAKE_SECRET,
) -> tuple[int, dict[str, Any]]:
    stamp = timestamp or str(int(desktop.clock.now().timestamp()))
    headers = {"Content-Type": "application/json"}
    if signed:
        headers |= {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}
    port = desktop.app.bot_data["intake"].port
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{port}/api/v1/alerts", data=body, headers=headers) as response,
    ):
        return response.status, await response.json()


def photos(desktop: Desktop) -> list[dict[str, Any]]:
    return [m for m in desktop.emu.bot_messages(GROUP) if m.get("photo")]


async def test_a_signed_alert_is_posted_with_an_annotated_snapshot(desktop: Desktop) -> None:
    original = frame()
    status, answer = await post(
        desktop,
        alert_body(
            image_base64=base64.b64encode(original).decode(),
            description="Người lạ trèo rào",
            references={"container": "CSQU3054383"},
        ),
    )
    assert status == 202 and answer["ok"] is True
    await desktop.settle()
    (card,) = photos(desktop)
    caption = text_of(card)
    assert "CAM 12 · Cổng B làn vào — Chuyển động" in caption
    assert "Cảng Cát Lái, cổng B" in caption and "Người lạ trèo rào" in caption
    assert "container: CSQU3054383" in caption
    assert [label for label, _ in buttons_of(card)] == [
        "📝 Mở vụ việc",
        "👁 Đã xem",
        "🎥 Camera lân cận",
        "✖ Báo động giả",
    ]
    sent = Image.open(io.BytesIO(desktop.emu.file_bytes(card["photo"][-1]["file_id"])))
    assert max(sent.size) == 1280
    # The caption band is drawn over the bottom of the frame.
    assert sent.getpixel((5, sent.height - 5)) != sent.getpixel((5, 5))


async def test_bad_requests_are_refused_precisely_and_counted(desktop: Desktop) -> None:
    body = alert_body()
    assert (await post(desktop, body, signed=False))[0] == 401
    assert (await post(desktop, body, secret="wrong"))[1]["error"] == "bad_signature"
    stale = str(int(desktop.clock.now().timestamp()) - 3600)
    assert (await post(desktop, body, timestamp=stale))[1]["error"] == "stale"
    assert (await post(desktop, b"{not json"))[0] == 400
    status, answer = await post(desktop, alert_body(camera="99"))
    assert status == 422 and answer["error"] == "unknown_camera"
    assert (await post(desktop, json.dumps({"type": "motion"}).encode()))[0] == 422
    big = alert_body(image_base64="A" * (6 * 1024 * 1024))
    assert (await post(desktop, big))[0] == 413
    stamp = str(int(desktop.clock.now().timestamp()))
    assert (await post(desktop, body, timestamp=stamp))[0] == 202
    assert (await post(desktop, body, timestamp=stamp))[1]["error"] == "replayed"
    port = desktop.app.bot_data["intake"].port
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/health") as response,
    ):
        health = await response.json()
    assert health["intake"] == {
        "unsigned": 1,
        "bad_signature": 1,
        "stale": 1,
        "malformed": 2,
        "unknown_camera": 1,
        "too_large": 1,
        "accepted": 1,
        "replayed": 1,
    }
    await desktop.settle()
    with Session(desktop.desk.engine) as session:
        assert len(session.exec(select(CameraAlert)).all()) == 1


async def test_a_burst_folds_into_one_edited_message(desktop: Desktop) -> None:
    for second in range(6):
        if second:
            desktop.clock.advance(dt.timedelta(seconds=10))
        status, _ = await post(desktop, alert_body(kind="tampering", id=f"nvr-{second}"))
        assert status == 202
    await desktop.settle()
    (card,) = photos(desktop)
    assert "6 lần, lần cuối 09:00" in text_of(card)  # 09:00:50 local
    assert card["_edits"] >= 1
    # A fault also goes to the logbook and to the unit managing the camera, once.
    unit = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
    assert unit == ["⚠️ Camera 12 (Cảng Cát Lái, cổng B): Phá hoại, che chắn camera"]
    with Session(desktop.desk.engine) as session:
        notes = [e.work_performed for e in session.exec(select(LogbookEntry))]
    assert notes == ["Camera 12 (Cảng Cát Lái, cổng B): Phá hoại, che chắn camera"]
    # The same alert id sent again is not counted twice.
    await post(desktop, alert_body(kind="tampering", id="nvr-3"))
    await desktop.settle()
    assert "6 lần" in text_of(photos(desktop)[0])


async def test_a_storm_across_cameras_becomes_a_digest(desktop: Desktop) -> None:
    for camera in ("12", "13", "14", "15", "16"):
        assert (await post(desktop, alert_body(camera=camera)))[0] == 202
    assert (await post(desktop, alert_body(camera="16", id="again")))[0] == 202
    await desktop.settle()
    assert len(photos(desktop)) == 3
    digest = [m for m in desktop.emu.bot_messages(GROUP) if "Báo động từ" in text_of(m)]
    assert len(digest) == 1
    text = text_of(digest[0])
    # The digest is the storm's wall: every camera with an open alert, carded ones too.
    assert "Báo động từ 5 camera" in text
    assert "CAM 12 · Cảng Cát Lái, cổng B — Chuyển động ×1" in text
    assert "CAM 15 · Kho CFS số 2 — Chuyển động ×1" in text
    assert "CAM 16 · ICD Transimex — Chuyển động ×2" in text


async def test_false_alarm_records_who_and_why(desktop: Desktop) -> None:
    await post(desktop, alert_body())
    await desktop.settle()
    (card,) = photos(desktop)
    popup_query = desktop.emu.press_button(
        GROUP, card["message_id"], OFF_DUTY, data_of(card, "✖ Báo động giả")
    )
    assert (await desktop.emu.wait_for_answer(popup_query))["show_alert"] is True
    mark = desktop.emu.mark()
    desktop.emu.press_button(GROUP, card["message_id"], OFFICER, data_of(card, "✖ Báo động giả"))
    await desktop.answer(GROUP, mark, lambda m: "báo động giả" in text_of(m))
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "Mèo chạy qua hàng rào")
    await desktop.answer(GROUP, mark, lambda m: "Đã ghi nhận là báo động giả" in text_of(m))
    edited = await desktop.emu.wait_for_edit(
        GROUP, card["message_id"], predicate=lambda m: "Báo động giả" in text_of(m)
    )
    assert "Báo động giả (Phạm Thị Dung): Mèo chạy qua hàng rào" in text_of(edited)
    assert buttons_of(edited) == []
    with Session(desktop.desk.engine) as session:
        notes = [e.notes for e in session.exec(select(LogbookEntry)) if e.notes]
    assert notes == ["Báo động giả tại camera 12 (Chuyển động): Mèo chạy qua hàng rào"]


def data_of(message: dict[str, Any], label: str) -> str:
    return dict(buttons_of(message))[label]


async def test_an_alert_opens_its_incident_in_one_tap_and_a_second_tap_shows_that_one(
    desktop: Desktop,
) -> None:
    await post(desktop, alert_body(description="Xe đỗ sai làn"))
    await desktop.settle()
    (card,) = photos(desktop)
    before = len(desktop.emu.bot_messages(GROUP))
    query = desktop.emu.press_button(
        GROUP, card["message_id"], OFFICER, data_of(card, "📝 Mở vụ việc")
    )
    answered = await desktop.emu.wait_for_answer(query)
    assert "Đã mở vụ việc 2026/0001" in answered["text"]
    await desktop.settle()
    # One tap, no question: the incident's card is the one new message in the group.
    (incident_card,) = desktop.emu.bot_messages(GROUP)[before:]
    text = text_of(incident_card)
    assert "Vụ việc 2026/0001" in text
    assert "Cảng Cát Lái, cổng B" in text and "Camera 12" in text
    assert "Chuyển động Xe đỗ sai làn" in text and "1 tệp đính kèm" in text
    # The alert's card now says whose incident it is, and its first button shows it.
    edited = await desktop.emu.wait_for_edit(
        GROUP, card["message_id"], predicate=lambda m: "2026/0001" in text_of(m)
    )
    assert "📝 Vụ việc 2026/0001, do Phạm Thị Dung mở" in text_of(edited)
    assert [label for label, _ in buttons_of(edited)] == [
        "📝 Vụ việc 2026/0001",
        "🎥 Camera lân cận",
    ]

    # Another officer taps the first button again: the same incident, shown, not a second one.
    mark = desktop.emu.mark()
    query = desktop.emu.press_button(
        GROUP, card["message_id"], CLERK, data_of(edited, "📝 Vụ việc 2026/0001")
    )
    answered = await desktop.emu.wait_for_answer(query)
    assert "Vụ việc 2026/0001 đã được Phạm Thị Dung mở trước đó" in answered["text"]
    shown = await desktop.answer(GROUP, mark, lambda m: "2026/0001" in text_of(m))
    assert "Xe đỗ sai làn" in text_of(shown)
    with Session(desktop.desk.engine) as session:
        incident = session.exec(select(Incident)).one()
        alert = session.exec(select(CameraAlert)).one()
        assert alert.incident_id == incident.id
        assert alert.incident_by == "Phạm Thị Dung"


async def test_seen_on_an_alert_takes_one_tap_and_is_logged(desktop: Desktop) -> None:
    await post(desktop, alert_body())
    await desktop.settle()
    (card,) = photos(desktop)
    # Someone off shift is refused by a pop-up; nothing changes.
    refused = desktop.emu.press_button(
        GROUP, card["message_id"], OFF_DUTY, data_of(card, "👁 Đã xem")
    )
    assert (await desktop.emu.wait_for_answer(refused))["show_alert"] is True
    query = desktop.emu.press_button(GROUP, card["message_id"], OFFICER, data_of(card, "👁 Đã xem"))
    assert "đã xem" in (await desktop.emu.wait_for_answer(query))["text"]
    edited = await desktop.emu.wait_for_edit(
        GROUP, card["message_id"], predicate=lambda m: "Đã xem:" in text_of(m)
    )
    assert "👁 Đã xem: Phạm Thị Dung lúc 09:00" in text_of(edited)
    assert "👁 Đã xem" not in dict(buttons_of(edited))
    with Session(desktop.desk.engine) as session:
        notes = [e.notes for e in session.exec(select(LogbookEntry)) if e.notes]
        alert = session.exec(select(CameraAlert)).one()
    assert notes == ["Đã xem cảnh báo camera 12 (Chuyển động)"]
    assert alert.seen_by == "Phạm Thị Dung"


def reminders(desktop: Desktop) -> list[str]:
    return [
        text_of(m) for m in desktop.emu.bot_messages(GROUP) if "chưa có ai tiếp nhận" in text_of(m)
    ]


async def test_an_alert_nobody_takes_is_reminded_to_the_officers_then_the_leader(
    desktop: Desktop,
) -> None:
    await post(desktop, alert_body(id="taken"))
    await post(desktop, alert_body(camera="14", id="left"))
    await desktop.settle()
    taken, _left = photos(desktop)
    desktop.emu.press_button(GROUP, taken["message_id"], OFFICER, data_of(taken, "👁 Đã xem"))
    await desktop.later(9)
    assert reminders(desktop) == []
    await desktop.later(1)
    # Only the alert nobody took: the officers on shift are named, so their phones ring.
    (first,) = reminders(desktop)
    assert first.startswith("⏰ Lê Văn Cường, Phạm Thị Dung: Cảnh báo CAM 14")
    assert "chưa có ai tiếp nhận sau 10 phút: bấm «Đã xem» hoặc «Mở vụ việc»" in first
    (message,) = [m for m in desktop.emu.bot_messages(GROUP) if text_of(m) == first]
    mentioned = {e["user"]["id"] for e in message.get("entities", []) if e.get("user")}
    assert mentioned == {CLERK, OFFICER}
    await desktop.later(10)
    # Still nobody: the shift leader is told (in office hours, in the group by name).
    second = reminders(desktop)[1]
    assert second.startswith("Nguyễn Văn An: ⏰ Cảnh báo CAM 14") and "sau 20 phút" in second
    await desktop.later(60)
    assert len(reminders(desktop)) == 2


async def test_a_storm_within_telegrams_limits_loses_nothing(migrated_url: str) -> None:
    async with launch(migrated_url, telegram_limits=True) as desktop:
        for n in range(60):
            camera = ("12", "13", "14", "15", "16")[n % 5]
            kind = ("motion", "tampering", "intrusion")[n % 3]
            status, _ = await post(desktop, alert_body(camera=camera, kind=kind, id=f"e{n}"))
            assert status == 202
        await desktop.settle()
        with Session(desktop.desk.engine) as session:
            assert len(session.exec(select(CameraEventRecord)).all()) == 60
            alerts = session.exec(select(CameraAlert)).all()
        assert sum(a.count for a in alerts if not a.camera.startswith("*")) == 60
        assert desktop.emu.refused_429 == 0
        sent_to_group = [m for m in desktop.emu.bot_messages(GROUP)]
        assert len(sent_to_group) <= 20
        # Every camera is visible: on its own card or in the digest.
        visible = " ".join(text_of(m) for m in sent_to_group)
        assert all(f"CAM {number}" in visible for number in ("12", "13", "14", "15", "16"))


async def test_events_stored_before_a_crash_are_shown_after_the_restart(desktop: Desktop) -> None:
    await desktop.stop()
    # The intake had stored the event (and answered 202) when the bot went down.
    with Session(desktop.desk.engine) as session:
        session.add(
            CameraEventRecord(
                camera="13",
                kind="intrusion",
                source="webhook",
                external_id="nvr-77",
                occurred_at=desktop.clock.now(),
                received_at=desktop.clock.now(),
                detail="Người lạ trong bãi",
            )
        )
        session.commit()
    await desktop.restart()
    await desktop.settle()
    (card,) = photos(desktop)
    assert "CAM 13 · Cổng B làn ra — Xâm nhập vùng cấm" in text_of(card)
    assert "Người lạ trong bãi" in text_of(card)
    with Session(desktop.desk.engine) as session:
        assert session.exec(select(CameraEventRecord)).one().alert_id is not None


async def test_a_retry_from_before_a_restart_is_not_counted_and_spoils_nothing_sent_with_it(
    desktop: Desktop,
) -> None:
    assert (await post(desktop, alert_body(camera="13", id="nvr-1")))[0] == 202
    await desktop.settle()
    await desktop.restart()
    desktop.clock.advance(dt.timedelta(seconds=1))
    # The sender retries nvr-1, signed anew (this bot has never seen it), while another alert
    # arrives: both reach the intake together and are stored in one go.
    (retry, retry_answer), (fresh, fresh_answer) = await asyncio.gather(
        post(desktop, alert_body(camera="13", id="nvr-1")),
        post(desktop, alert_body(camera="13", id="nvr-2")),
    )
    await desktop.settle()
    assert (retry, retry_answer["duplicate"]) == (202, True)
    assert (fresh, fresh_answer["duplicate"]) == (202, False)
    with Session(desktop.desk.engine) as session:
        events = session.exec(select(CameraEventRecord)).all()
        (alert,) = session.exec(select(CameraAlert).where(CameraAlert.camera == "13")).all()
    assert sorted(e.external_id or "" for e in events) == ["nvr-1", "nvr-2"]
    assert all(e.alert_id == alert.id for e in events)
    assert alert.count == 2
    # The card's counter says so.
    assert "2 lần" in text_of(photos(desktop)[-1])


async def test_faults_arriving_together_reach_their_unit_as_one_notice(desktop: Desktop) -> None:
    # Cameras 12 and 13 belong to the same unit; their faults come in at the same moment.
    answers = await asyncio.gather(
        post(desktop, alert_body(camera="12", kind="tampering", id="f-12")),
        post(desktop, alert_body(camera="13", kind="video_loss", id="f-13")),
    )
    assert [status for status, _ in answers] == [202, 202]
    await desktop.settle()
    unit = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
    # Stored in one batch, they go at once as one message; in two, the second waits its turn.
    if len(unit) == 1:
        assert unit[0].startswith("⚠️ 2 sự cố camera:")
    else:
        await desktop.later(minutes=0.5)
        unit = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
        assert len(unit) == 2
    joined = "\n".join(unit)
    assert joined.count("Camera 12 (Cảng Cát Lái, cổng B): Phá hoại, che chắn camera") == 1
    assert joined.count("Camera 13 (Cảng Cát Lái, cổng B): Mất tín hiệu hình ảnh") == 1
    # The logbook still has each fault on its own line.
    with Session(desktop.desk.engine) as session:
        notes = [e.work_performed for e in session.exec(select(LogbookEntry))]
    assert sum("Camera 12" in n for n in notes) == 1 and sum("Camera 13" in n for n in notes) == 1


async def test_a_storm_of_faults_reaches_its_unit_as_a_few_lists(desktop: Desktop) -> None:
    # The first fault is told at once; those that follow wait a little and go as one list,
    # so a storm does not flood the unit's chat with a message per fault.
    status, _ = await post(desktop, alert_body(camera="12", kind="tampering", id="s-1"))
    assert status == 202
    await desktop.settle()
    assert [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)] == [
        "⚠️ Camera 12 (Cảng Cát Lái, cổng B): Phá hoại, che chắn camera"
    ]
    for n, (camera, kind) in enumerate(
        [("13", "video_loss"), ("12", "video_loss"), ("13", "tampering"), ("12", "defocus")]
    ):
        status, _ = await post(desktop, alert_body(camera=camera, kind=kind, id=f"s-{n + 2}"))
        assert status == 202
        await desktop.settle()
    # Within the quarter minute after the first notice, nothing more reaches the unit...
    assert len(desktop.emu.bot_messages(UNIT_CHAT)) == 1
    await desktop.later(minutes=0.5)
    unit = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
    # ...then one list of the four, each fault named once.
    assert len(unit) == 2
    assert unit[1].startswith("⚠️ 4 sự cố camera:")
    for line in [
        "Camera 13 (Cảng Cát Lái, cổng B): Mất tín hiệu hình ảnh",
        "Camera 12 (Cảng Cát Lái, cổng B): Mất tín hiệu hình ảnh",
        "Camera 13 (Cảng Cát Lái, cổng B): Phá hoại, che chắn camera",
        "Camera 12 (Cảng Cát Lái, cổng B): Hình ảnh bị mờ",
    ]:
        assert "\n".join(unit).count(line) == 1, line
    # A fault after a quiet spell waits no longer than the spacing requires.
    await desktop.later(minutes=1)
    status, _ = await post(desktop, alert_body(camera="13", kind="defocus", id="s-9"))
    await desktop.settle()
    unit = [text_of(m) for m in desktop.emu.bot_messages(UNIT_CHAT)]
    assert unit[-1] == "⚠️ Camera 13 (Cảng Cát Lái, cổng B): Hình ảnh bị mờ"
