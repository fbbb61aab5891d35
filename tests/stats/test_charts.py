"""The reply chart of a long period: thousands of requests, still seen in both colours."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

from PIL import Image

from bot.i18n import translator
from bot.stats import charts
from bot.stats.figures import Figures, Reply
from bot.stats.periods import Span, StatsPeriod

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2026, 10, 1, 8, 0, tzinfo=TZ)


def quarter_of_replies(count: int) -> Figures:
    """`count` requests, one in ten past the 30 minutes and one in twenty never answered."""
    replies = []
    for n in range(count):
        delivered = START + dt.timedelta(minutes=40 * n)
        waited = dt.timedelta(minutes=90 if n % 10 == 0 else 12)
        never = n % 20 == 0
        replies.append(
            Reply(
                label=f"2026/{n + 1:04d}",
                addressee="Đội Kiểm soát Hải quan",
                delivered_at=delivered,
                replied_at=None if never else delivered + waited,
                waited=dt.timedelta(days=3) if never else waited,
                breached=n % 10 == 0,
            )
        )
    period = StatsPeriod(Span.QUARTER, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    end = START + dt.timedelta(days=92)
    return Figures(
        period, START, end, end, dt.timedelta(minutes=30), {}, tuple(replies), (), (), (), 0, 0,
        Counter(),
    )  # fmt: skip


def pixels(png: bytes, *hues: range) -> int:
    """How many strongly coloured pixels of a chart have a hue in the ranges (0-255)."""
    with Image.open(io.BytesIO(png)) as image:
        hsv = image.convert("RGB").convert("HSV")
    hue_of, saturation = hsv.getchannel("H").tobytes(), hsv.getchannel("S").tobytes()
    return sum(
        1 for h, s in zip(hue_of, saturation, strict=True) if s > 100 and any(h in r for r in hues)
    )


def test_thousands_of_requests_still_show_in_both_colours() -> None:
    drawn = {c.name: c.png for c in charts.render(quarter_of_replies(3000), translator("vi", TZ))}
    replies = drawn["replies"]
    assert replies.startswith(b"\x89PNG")
    # Green bars in time, red ones past the limit: even a third of a pixel wide, both show.
    assert pixels(replies, range(60, 110)) > 20_000
    assert pixels(replies, range(0, 10), range(240, 256)) > 10_000
