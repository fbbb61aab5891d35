"""`duty-desk export …` writes the document to a file, from the same records as /export."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document

from bot.db.models import OutageKind, ProposalKind
from bot.epz.outages import NoticeInput
from bot.escalation.incidents import IncidentInput
from tests.documents.reading import readable_text
from tests.documents.shift import (
    CONTACT_AUTHOR,
    LEADER_AUTHOR,
    OFFICER_AUTHOR,
    RecordedShift,
    at,
    build_desk,
    record_shift,
)
from tests.documents.typed import ODD, SHOWN, odd, shown, shows
from tests.e2e.conftest import CAMERAS, desk_config


@pytest.fixture
def config(migrated_url: str, tmp_path: Path) -> tuple[Path, RecordedShift]:
    desk = build_desk(migrated_url)
    shift = record_shift(desk)
    desk.engine.dispose()
    emu = type(
        "Emu", (), {"token": "1:t", "base_url": "http://x/bot", "base_file_url": "http://x/f"}
    )
    path = tmp_path / "duty-desk.yaml"
    path.write_text(
        yaml.safe_dump(
            desk_config(emu, migrated_url), allow_unicode=True, default_flow_style=False
        ),
        encoding="utf-8",
    )  # type: ignore[arg-type]
    return path, shift


def test_the_logbook_of_a_period_as_xlsx(
    config: tuple[Path, RecordedShift], tmp_path: Path
) -> None:
    from bot.cli import main

    path, _ = config
    out = tmp_path / "out.xlsx"
    code = main(
        [
            "--config",
            str(path),
            "export",
            "logbook",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--format",
            "xlsx",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert sheet["A6"].value == "Từ ca trực ngày 01/11/2026 đến ca trực ngày 30/11/2026"
    assert any(
        row[8] and "[2026/0001]" in row[8] for row in sheet.iter_rows(min_row=10, values_only=True)
    )


def test_an_incidents_annex_and_an_outage_notice(
    config: tuple[Path, RecordedShift], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    path, shift = config
    out = tmp_path / "annex4.docx"
    assert (
        main(
            [
                "--config",
                str(path),
                "export",
                "incident",
                shift.coordination.label,
                "--annex",
                "annex4",
                "--format",
                "docx",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    texts = [p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs]
    assert any(t.startswith("- Kết quả xử lý: Đã dừng xe 51C-123.45") for t in texts)
    monkeypatch.chdir(tmp_path)
    assert main(["--config", str(path), "export", "outage", str(shift.outage_id)]) == 0
    assert (tmp_path / "thong-bao-su-co_1.pdf").read_bytes().startswith(b"%PDF")


def test_what_cannot_be_made_is_said_and_fails(
    config: tuple[Path, RecordedShift], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    path, _ = config
    assert main(["--config", str(path), "export", "outage", "42", "-o", str(tmp_path / "x")]) == 1
    assert "Không có sự cố DNCX số 42." in capsys.readouterr().err
    assert (
        main(
            [
                "--config",
                str(path),
                "export",
                "logbook",
                "--from",
                "2026-11-30",
                "--to",
                "2026-11-01",
            ]
        )
        == 2
    )
    assert "ngày kết thúc không trước ngày bắt đầu" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_equipment_report_of_a_month(
    config: tuple[Path, RecordedShift], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    path, shift = config
    out = tmp_path / "equipment.docx"
    args = ["--config", str(path), "export", "equipment", "--period", "2026-11"]
    assert main([*args, "--format", "docx", "-o", str(out)]) == 0
    document = Document(io.BytesIO(out.read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert any(t.endswith("giám sát hải quan tháng 11 năm 2026") for t in texts)
    assert "- Sự cố hệ thống ca-mê-ra của doanh nghiệp chế xuất: 1; khắc phục đúng hạn: 0; " in (
        "\n".join(texts)
    )
    outages = document.tables[3]
    assert outages.rows[1].cells[1].text == str(shift.outage_id)
    # Due 09/12/2026 (10 working days): at the end of November, still within its time.
    assert outages.rows[1].cells[-1].text == "Đang khắc phục"
    assert main(["--config", str(path), "export", "equipment", "--period", "fortnight"]) == 2
    assert "Hãy ghi kỳ báo cáo" in capsys.readouterr().err


def test_every_document_of_odd_text_opens_from_the_command_line(
    migrated_url: str, tmp_path: Path
) -> None:
    """`duty-desk export …` in every format, of lines holding ESC, NUL, C1, overrides, "="."""
    from bot.cli import main

    typed, printed = odd(ODD, migrated_url), shown(SHOWN, migrated_url)
    # The equipment report prints the cameras' names as the configuration gives them.
    cameras = [dict(camera) for camera in CAMERAS]
    cameras[0]["name"] = f"Cổng B {typed}"
    desk = build_desk(migrated_url, cameras=cameras)
    shift = record_shift(desk)
    desk.logbook.write(OFFICER_AUTHOR, f"=> Xe {typed}", at(15, 0), source=None, source_key="o")
    esc = desk.escalation
    incident = esc.incidents.open(
        OFFICER_AUTHOR, IncidentInput(description=f"Xe container {typed}"), at(15, 5)
    ).value
    assert incident.id is not None
    proposal = esc.approvals.propose(
        OFFICER_AUTHOR,
        incident.id,
        ProposalKind.COORDINATION,
        ["hq-kv1"],
        f"Đề nghị kiểm tra {typed}",
        at(15, 6),
    ).value
    assert proposal is not None and proposal.id is not None
    assert esc.approvals.approve(LEADER_AUTHOR, proposal.id, 1, at(15, 7)).ok
    outage = desk.outages.notify(
        NoticeInput(
            enterprise="dncx-abc",
            kind=OutageKind.CAMERA,
            description=f"Mất tín hiệu {typed}",
            cameras=["C02"],
            effect=f"Không giám sát được kho {typed}",
            tech_contact=f"Kỹ thuật viên {typed}",
        ),
        CONTACT_AUTHOR,
        at(15, 10),
    ).value
    assert outage is not None
    desk.engine.dispose()
    emu = type(
        "Emu", (), {"token": "1:t", "base_url": "http://x/bot", "base_file_url": "http://x/f"}
    )
    path = tmp_path / "duty-desk.yaml"
    path.write_text(
        yaml.safe_dump(
            desk_config(emu, migrated_url, cameras=cameras),  # type: ignore[arg-type]
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    exports: list[tuple[list[str], tuple[str, ...], list[str]]] = [
        (["logbook", "--date", "2026-11-25"], ("xlsx", "docx", "pdf"), [f"=> Xe {printed}"]),
        (
            ["incident", incident.label, "--annex", "annex2"],
            ("docx", "pdf"),
            [f"Xe container {printed}", f"Đề nghị kiểm tra {printed}"],
        ),
        (
            ["outage", str(outage.id)],
            ("docx", "pdf"),
            [
                f"Mất tín hiệu {printed}",
                f"Không giám sát được kho {printed}",
                f"Kỹ thuật viên {printed}",
            ],
        ),
        (["equipment", "--period", "2026-11"], ("xlsx", "docx", "pdf"), [f"Cổng B {printed}"]),
    ]
    assert shift.outage_id != outage.id
    for what, formats, lines in exports:
        for fmt in formats:
            out = tmp_path / f"{what[0]}.{fmt}"
            code = main(["--config", str(path), "export", *what, "--format", fmt, "-o", str(out)])
            assert code == 0, (what, fmt)
            text = readable_text(out.name, out.read_bytes())
            for line in lines:
                shows(text, line, out.name)
