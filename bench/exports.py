"""Exporting a month of a busy desk's logbook (888 Annex I) to DOCX, XLSX and PDF.

A fresh SQLite database gets 20,000 logbook entries over the 30 shifts of November 2026:
routine work, incidents with their place and references, directions with their receivers,
units' results, notes, and some corrections, in Vietnamese as officers write them. Each
format is then exported in its own process (so one export's memory does not count against
the next), timing the whole export (reading the database, laying out, writing the file) and
reading the process's peak RSS.

Usage: python bench/exports.py [--entries 20000] [--keep DIR]
Targets (issue 15, tighter than issue 6's 10 s and 500 MB): the PDF under 5 s, the others
under 10 s; under 250 MB peak RSS for each format.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.db.engine import make_engine, upgrade
from bot.db.models import DutyShift, EntryOrigin, LogbookEntry
from bot.documents.periods import Period
from bot.documents.service import Documents, Format
from bot.shifts import Roster

TARGET_SECONDS = 10.0
TARGET_PDF_SECONDS = 5.0
TARGET_MB = 250.0
FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
ICT = dt.timezone(dt.timedelta(hours=7))
PEOPLE = [
    {"id": 1001, "name": "Nguyễn Văn An", "title": "Phó Cục trưởng"},
    {"id": 1002, "name": "Trần Thị Bình", "title": "Trưởng phòng"},
    {"id": 1003, "name": "Lê Văn Cường", "title": "Chuyên viên Phòng Tổng hợp"},
    {"id": 1004, "name": "Phạm Thị Dung", "title": "Công chức"},
    {"id": 1005, "name": "Hoàng Văn Em", "title": "Công chức"},
    {"id": 1006, "name": "Đỗ Thị Phương", "title": "Công chức"},
]
PLACES = ["Cảng Cát Lái, cổng B", "ICD Transimex", "Kho CFS số 2", "Cảng Hiệp Phước", "Sân bay TSN"]
UNITS = ["Chi cục HQ CK cảng Sài Gòn KV1", "Đội Kiểm soát Hải quan", "Chi cục HQ KCX Tân Thuận"]
WORK = [
    "Kiểm tra trạng thái {n} ca-mê-ra khu vực {place}, hoạt động bình thường",
    "Giám sát trực tuyến luồng xe ra, vào {place}; không phát hiện bất thường",
    "Kiểm tra góc quay, độ phóng của ca-mê-ra số {cam} theo sơ đồ; đúng vị trí",
    "Rà soát hệ thống ca-mê-ra nhận dạng biển số tại {place}, nhận dạng tốt",
]
INCIDENTS = [
    "Xe container {plate} ra cổng không qua máy soi, container {cont}",
    "Phát hiện người lạ trèo rào khu vực bãi {place}",
    "Ca-mê-ra số {cam} mất tín hiệu trong {n} phút",
    "Lô hàng tờ khai {decl} có dấu hiệu khai sai tên hàng, cần kiểm tra lại",
]
DIRECTIONS = [
    "Đề nghị {unit} dừng xe và kiểm tra container {cont} tại cổng",
    "Yêu cầu {unit} cung cấp hồ sơ tờ khai {decl} trước 11 giờ",
    "Nhắc {unit} thực hiện đúng quy trình giám sát tại {place}",
]
RESULTS = [
    "{unit} đã kiểm tra container {cont}: hàng hóa phù hợp khai báo",
    "{unit} xác nhận sau {n} phút; đầu mối Võ Văn Giang, 0903 123 456",
    "Ca-mê-ra số {cam} hoạt động trở lại lúc {hh}:{mm}",
]


def settings_for(url: str) -> Settings:
    """A desk whose roster covers November 2026."""
    days = {}
    day = FIRST
    while day <= LAST:
        days[day.isoformat()] = {
            "shift_leader": 1001,
            "section_leader": 1002,
            "clerk": 1003,
            "officers": [1004, 1005, 1006],
        }
        day += dt.timedelta(days=1)
    return Settings(database={"url": url}, people=PEOPLE, roster={"days": days})


def fill(url: str, entries: int, seed: int = 6) -> None:
    """Write `entries` logbook lines spread over the month's shifts."""
    rng = random.Random(seed)
    upgrade(url)
    engine = make_engine(url)
    roster = Roster(settings_for(url))
    shifts = (LAST - FIRST).days + 1
    rows: list[dict[str, object]] = []
    table = LogbookEntry.__table__  # type: ignore[attr-defined]

    def words() -> dict[str, object]:
        return {
            "n": rng.randint(3, 60),
            "place": rng.choice(PLACES),
            "cam": rng.randint(1, 240),
            "plate": f"51C-{rng.randint(100, 999)}.{rng.randint(10, 99)}",
            "cont": f"CSQU{rng.randint(1000000, 9999999)}",
            "decl": f"10{rng.randint(1000000000, 9999999999)}",
            "unit": rng.choice(UNITS),
            "hh": f"{rng.randint(0, 23):02d}",
            "mm": f"{rng.randint(0, 59):02d}",
        }

    next_id = 1
    with Session(engine) as session:
        for index in range(shifts):
            day = FIRST + dt.timedelta(days=index)
            window = roster.window(day)
            composition = [
                {
                    "role": m.role.value,
                    "id": m.person.id,
                    "name": m.person.name,
                    "title": m.person.title,
                }
                for m in roster.members(day)
            ]
            session.add(
                DutyShift(
                    shift_date=day,
                    starts_at=window.starts_at,
                    ends_at=window.ends_at,
                    composition=json.dumps(composition, ensure_ascii=False),
                )
            )
            count = entries // shifts + (1 if index < entries % shifts else 0)
            step = dt.timedelta(hours=24) / (count + 1)
            for seq in range(1, count + 1):
                when = window.starts_at + step * seq
                w = words()
                row: dict[str, object] = {
                    "id": next_id,
                    "shift_date": day,
                    "seq": seq,
                    "created_at": when,
                    "recorded_at": when,
                    "author_id": rng.choice([1004, 1005, 1006]),
                    "author_name": "Phạm Thị Dung",
                    "origin": EntryOrigin.SYSTEM.value,
                    "source_key": None,
                    "corrects_id": None,
                    "work_performed": "",
                    "incident": "",
                    "incident_place": "",
                    "incident_refs": "",
                    "incident_arisen_at": None,
                    "incident_received_at": None,
                    "direction": "",
                    "direction_channel": "",
                    "direction_receiver": "",
                    "direction_at": None,
                    "result": "",
                    "result_unit": "",
                    "result_reported_at": None,
                    "notes": "",
                }
                kind = rng.random()
                label = f"[2026/{rng.randint(1, 4000):04d}] "
                if kind < 0.45:
                    row["work_performed"] = rng.choice(WORK).format(**w)
                elif kind < 0.65:
                    row.update(
                        incident=label + rng.choice(INCIDENTS).format(**w),
                        incident_place=w["place"],
                        incident_refs=f"TK {w['decl']} · Cont {w['cont']} · BKS {w['plate']}",
                        incident_arisen_at=when - dt.timedelta(minutes=5),
                        incident_received_at=when,
                    )
                elif kind < 0.82:
                    row.update(
                        direction=label + rng.choice(DIRECTIONS).format(**w),
                        direction_channel=rng.choice(["message", "phone", "document"]),
                        direction_receiver=str(w["unit"]),
                        direction_at=when,
                    )
                else:
                    row.update(
                        result=label + rng.choice(RESULTS).format(**w),
                        result_unit=str(w["unit"]),
                        result_reported_at=when,
                    )
                if rng.random() < 0.1:
                    row["notes"] = "Đã báo cáo lãnh đạo ca trực qua điện thoại"
                if rng.random() < 0.02 and seq > 1:
                    row["corrects_id"] = next_id - 1
                    row["notes"] = "Sửa lại số container cho đúng tờ khai"
                rows.append(row)
                next_id += 1
        session.flush()
        session.connection().execute(table.insert(), rows)
        session.commit()
    engine.dispose()


def export_one(url: str, fmt: Format, out: Path) -> None:
    """Child process: export the month once and print seconds, peak MB and size as JSON."""
    settings = settings_for(url)
    engine = make_engine(url)
    documents = Documents(settings, engine, Roster(settings))
    started = time.perf_counter()
    made = documents.logbook(
        Period(FIRST, LAST), fmt, dt.datetime(2026, 12, 1, 9, 0, tzinfo=ICT), chain_head="0" * 64
    )
    seconds = time.perf_counter() - started
    (out / made.filename).write_bytes(made.data)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "bytes": len(made.data)}))


def main() -> int:
    """Fill a database, export each format in its own process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="keep the database and the files here")
    parser.add_argument("--child", choices=[f.value for f in Format], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        export_one(args.url, Format(args.child), args.keep)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'bench-exports.db'}"
        (folder / "bench-exports.db").unlink(missing_ok=True)
        started = time.perf_counter()
        fill(url, args.entries)
        print(
            f"{args.entries} logbook entries over {FIRST:%d/%m}-{LAST:%d/%m/%Y} written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        print(
            f"target: the PDF under {TARGET_PDF_SECONDS:.0f} s, the others under "
            f"{TARGET_SECONDS:.0f} s; under {TARGET_MB:.0f} MB peak RSS each"
        )
        ok = True
        for fmt in Format:
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    fmt.value,
                    "--url",
                    url,
                    "--keep",
                    str(folder),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            seconds = TARGET_PDF_SECONDS if fmt is Format.PDF else TARGET_SECONDS
            met = figures["seconds"] < seconds and figures["peak_mb"] < TARGET_MB
            ok &= met
            print(
                f"{fmt.value.upper():5} {figures['seconds']:6.2f} s  "
                f"{figures['peak_mb']:6.0f} MB peak  {figures['bytes'] / 1e6:6.1f} MB file  "
                f"{'meets' if met else 'MISSES'} the target"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
