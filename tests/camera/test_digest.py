"""A storm's digest: a line per camera while it fits, else a wall by area; never too long."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.camera.digest import digest_pages, units
from bot.config import Settings
from bot.db.models import AlertSource, CameraAlert
from bot.i18n import translator

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
AREAS = ["Cát Lái", "Hiệp Phước", "Tân Sơn Nhất"]
TR = translator("vi", ZoneInfo("Asia/Ho_Chi_Minh"))


def cameras(count: int) -> Settings:
    return Settings(
        cameras=[
            {
                "number": str(100 + n),
                "name": f"Camera {n}",
                "place": f"Cảng Cát Lái, cổng số {n}",
                "area": AREAS[n % len(AREAS)],
            }
            for n in range(count)
        ]
    )


def alert(number: int, kind: str, count: int) -> CameraAlert:
    return CameraAlert(
        camera=str(number),
        kind=kind,
        source=AlertSource.ONVIF,
        count=count,
        occurred_at=NOW,
        received_at=NOW,
        last_seen_at=NOW,
        digest=True,
    )


def test_a_few_cameras_get_a_line_each_with_place_kind_count_and_time() -> None:
    members = [alert(100, "motion", 3), alert(101, "tampering", 1)]
    (page,) = digest_pages(TR, members, cameras(2), NOW)
    assert page.startswith("🚨 <b>Báo động từ 2 camera</b> · 🕒 09:00")
    assert "• CAM 100 · Cảng Cát Lái, cổng số 0 — Chuyển động ×3 (09:00)" in page
    assert "• CAM 101 · Cảng Cát Lái, cổng số 1 — Phá hoại, che chắn camera ×1 (09:00)" in page


def test_two_hundred_cameras_fit_one_message_grouped_by_area() -> None:
    members = [alert(100 + n, "motion", n + 1) for n in range(200)]
    members += [alert(100 + n, "tampering", 2) for n in range(0, 200, 2)]
    (page,) = digest_pages(TR, members, cameras(200), NOW)
    assert units(page) <= 4096
    assert "Báo động từ 200 camera" in page
    assert "🏃 Chuyển động · 🚫 Phá hoại, che chắn camera" in page
    # Every camera with a count per kind, under its own area.
    cat_lai = next(line for line in page.splitlines() if line.startswith("<b>Cát Lái</b>"))
    assert cat_lai.startswith("<b>Cát Lái</b> (67): 100 🏃1🚫2 · 103 🏃4 · 106 🏃7🚫2")
    listed = set(re.findall(r"(?:: | · )(\d+) ", page))
    assert listed == {str(100 + n) for n in range(200)}


def test_more_than_one_message_holds_is_paged_and_every_page_fits() -> None:
    members = [alert(100 + n, kind, 1000 + n) for n in range(900) for kind in ("motion", "risk")]
    pages = digest_pages(TR, members, cameras(900), NOW)
    assert len(pages) > 1
    assert all(units(page) <= 4096 for page in pages)
    assert pages[0].startswith(f"🚨 <b>Báo động từ 900 camera (1/{len(pages)})</b>")
    assert pages[1].startswith(f"🚨 <b>Báo động từ 900 camera (2/{len(pages)})</b>")
    listed = set(re.findall(r"(?:: | · |… )(\d+) ", "\n".join(pages)))
    assert listed == {str(100 + n) for n in range(900)}
