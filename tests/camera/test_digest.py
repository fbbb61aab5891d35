"""A storm's digest is split into messages that each fit Telegram's 4,096 characters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.camera.alerts import digest_pages
from bot.config import Settings
from bot.db.models import AlertSource, CameraAlert
from bot.i18n import translator

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


def test_every_camera_is_listed_and_no_page_is_too_long() -> None:
    settings = Settings(
        cameras=[
            {"number": f"{n:03d}", "name": f"Camera {n}", "place": f"Cảng Cát Lái, cổng số {n}"}
            for n in range(200)
        ]
    )
    members = [
        CameraAlert(
            camera=f"{n:03d}",
            kind="tampering",
            source=AlertSource.ONVIF,
            count=n + 1,
            occurred_at=NOW,
            received_at=NOW,
            last_seen_at=NOW,
            digest=True,
        )
        for n in range(200)
    ]
    pages = digest_pages(translator("vi", ZoneInfo("Asia/Ho_Chi_Minh")), members, settings)
    assert len(pages) > 1
    assert all(len(page) <= 4096 for page in pages)
    assert pages[0].startswith(f"🚨 <b>Báo động từ 200 camera (1/{len(pages)})</b>")
    listed = "\n".join(pages)
    assert all(f"CAM {n:03d} · Cảng Cát Lái, cổng số {n} —" in listed for n in range(200))
    assert "×200 (09:00)" in listed
