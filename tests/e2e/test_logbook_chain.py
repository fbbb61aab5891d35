"""The logbook's hash chain: a shift written through the bot verifies; an edit outside it shows."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.db.models import LogbookEntry
from bot.logbook.chain import Break, head, verify
from tests.e2e.conftest import CLERK, GROUP, LEADER, OFFICER, Desktop

ROOT = Path(__file__).resolve().parents[2]


async def write_a_shift(desktop: Desktop) -> list[LogbookEntry]:
    desktop.say(OFFICER, "/log Kiểm tra định kỳ 24 camera khu vực cảng: hoạt động bình thường")
    original = desktop.say(OFFICER, "#vuviec Xe 51C-123.45 vào bãi không qua cổng")
    desktop.say(LEADER, "#chidao Đề nghị Đội 1 kiểm tra ngay")
    desktop.say(CLERK, "#ketqua Đội 1 đã kiểm tra, hàng đúng khai báo")
    await desktop.settle()
    # An edit becomes a correction: a new entry, sealed like the others.
    desktop.clock.advance(dt.timedelta(minutes=5))
    desktop.emu.inject_edit(
        GROUP, original["message_id"], "#vuviec Xe 51C-123.46 vào bãi", date=desktop.clock.now()
    )
    await desktop.settle()
    with Session(desktop.desk.engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.chain_seq))).all())


def run_verify(url: str) -> subprocess.CompletedProcess[str]:
    """The real command, as the clerk would run it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "logbook", "verify"],
        cwd=ROOT,
        env={"DUTY_DESK_DATABASE__URL": url, "PATH": "/usr/bin:/bin", "DUTY_DESK_LOCALE": "vi"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_every_entry_is_sealed_in_order_and_the_chain_verifies(desktop: Desktop) -> None:
    entries = await write_a_shift(desktop)
    assert len(entries) == 5
    assert [e.chain_seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in pairwise(entries))
    assert entries[-1].corrects_id == entries[1].id
    verdict = verify(desktop.desk.engine)
    assert verdict.intact and verdict.checked == 5
    assert head(desktop.desk.engine) == entries[-1].entry_hash

    done = run_verify(desktop.settings.database.url)
    assert done.returncode == 0, done.stderr
    assert "5 mục" in done.stdout and entries[-1].entry_hash in done.stdout


async def test_an_edited_row_is_named_by_verify(desktop: Desktop) -> None:
    entries = await write_a_shift(desktop)
    # Someone "corrects" the result straight in the database.
    with desktop.desk.engine.begin() as connection:
        connection.execute(
            text("UPDATE logbook_entry SET result = 'Không phát hiện vi phạm' WHERE id = :id"),
            {"id": entries[3].id},
        )
    verdict = verify(desktop.desk.engine)
    assert verdict.broken == Break.CHANGED
    assert verdict.entry is not None and verdict.entry.id == entries[3].id
    assert verdict.checked == 3

    done = run_verify(desktop.settings.database.url)
    assert done.returncode == 1
    assert f"mục số {entries[3].seq}" in done.stderr
    assert "nội dung đã bị sửa" in done.stderr


async def test_removed_rows_are_found_in_the_middle_and_at_the_end(desktop: Desktop) -> None:
    entries = await write_a_shift(desktop)
    with desktop.desk.engine.begin() as connection:
        connection.execute(text("DELETE FROM logbook_entry WHERE id = :id"), {"id": entries[4].id})
    verdict = verify(desktop.desk.engine)
    assert verdict.broken == Break.TRUNCATED and verdict.checked == 4
    assert "bị cắt bớt" in run_verify(desktop.settings.database.url).stderr

    with desktop.desk.engine.begin() as connection:
        connection.execute(text("DELETE FROM logbook_entry WHERE id = :id"), {"id": entries[2].id})
    verdict = verify(desktop.desk.engine)
    assert verdict.broken == Break.MISSING
    assert verdict.entry is not None and verdict.entry.id == entries[3].id


@pytest.mark.parametrize("forged", ["relink", "reseal"])
async def test_a_forged_entry_breaks_the_link_after_it(desktop: Desktop, forged: str) -> None:
    entries = await write_a_shift(desktop)
    # A forger who recomputes the edited entry's own seal still breaks the next entry's link.
    from bot.logbook.chain import seal

    with Session(desktop.desk.engine) as session:
        row = session.get(LogbookEntry, entries[1].id)
        assert row is not None
        row.incident = "Không có gì"
        if forged == "reseal":
            row.entry_hash = seal(row.prev_hash, row)
        else:
            row.prev_hash = "f" * 64
        session.add(row)
        session.commit()
    verdict = verify(desktop.desk.engine)
    assert verdict.entry is not None
    if forged == "reseal":
        assert (verdict.broken, verdict.entry.id) == (Break.RELINKED, entries[2].id)
    else:
        assert (verdict.broken, verdict.entry.id) == (Break.RELINKED, entries[1].id)
