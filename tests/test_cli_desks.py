"""The operator's commands on a deployment of two desks: each desk's chain, each desk's export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from sqlalchemy import text

from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.desks import Desks
from bot.logbook.service import Author
from tests.conftest import MORNING
from tests.e2e.conftest import LEADER, OFF_DUTY, OFFICER
from tests.e2e.test_desks import two_desks


class _Telegram:
    token, base_url, base_file_url = "1:t", "http://127.0.0.1:9/bot", "http://127.0.0.1:9/file"


@pytest.fixture
def deployment(migrated_url: str, tmp_path: Path) -> Path:
    config: dict[str, Any] = two_desks(_Telegram(), migrated_url)  # type: ignore[arg-type]
    engine = make_engine(migrated_url, desk=None)
    desks = Desks.build(Settings(**config), engine, ManualClock(MORNING))
    hq, dn = desks.by_key("hq"), desks.by_key("dn")
    assert hq is not None and dn is not None
    write = {"when": MORNING, "source": None, "source_key": None}
    hq.logbook.write(Author(OFFICER, "Dung"), "Kiểm tra 24 camera cảng Cát Lái", **write)
    dn.logbook.write(Author(OFF_DUTY, "Em"), "Kiểm tra cổng KCX Long Bình", **write)
    dn.logbook.write(Author(LEADER, "An"), "Giao ca Đồng Nai", **write)
    engine.dispose()
    path = tmp_path / "duty-desk.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_verify_walks_each_desks_chain_and_names_the_broken_one(
    deployment: Path, migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(deployment), "logbook", "verify"]) == 0
    shown = capsys.readouterr().out
    assert "hq (Trực ban Cục HQ TP.HCM)" in shown and "dn (Trực ban Cục HQ Đồng Nai)" in shown
    assert "Bàn trực hq (Trực ban Cục HQ TP.HCM):\nSổ nhật ký nguyên vẹn: đã kiểm 1 mục" in shown
    assert "Bàn trực dn (Trực ban Cục HQ Đồng Nai):\nSổ nhật ký nguyên vẹn: đã kiểm 2 mục" in shown

    engine = make_engine(migrated_url, desk=None)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE logbook_entry SET work_performed = 'sửa' WHERE desk = 'dn' AND seq = 1")
        )
    engine.dispose()
    assert main(["--config", str(deployment), "logbook", "verify"]) == 1
    out, err = capsys.readouterr()
    # hq's chain still holds; dn's is named broken at its line 1.
    assert "Bàn trực hq (Trực ban Cục HQ TP.HCM):\nSổ nhật ký nguyên vẹn: đã kiểm 1 mục" in out
    assert "Bàn trực dn (Trực ban Cục HQ Đồng Nai):" in out
    assert "mục số 1 của ca trực ngày 25/11/2026" in err


def test_an_export_names_its_desk_and_holds_only_that_desks_lines(
    deployment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dn.xlsx"
    export = ["export", "logbook", "--date", "2026-11-25", "--format", "xlsx", "-o", str(out)]
    # Two desks: which one must be said.
    assert main(["--config", str(deployment), *export]) != 0
    assert "Cho biết bàn trực bằng --desk, một trong: hq, dn." in capsys.readouterr().err
    assert not out.exists()
    assert main(["--config", str(deployment), "export", "--desk", "dn", *export[1:]]) == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "Kiểm tra cổng KCX Long Bình" in cells and "Giao ca Đồng Nai" in cells
    assert "Cát Lái" not in cells
