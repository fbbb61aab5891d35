"""Decision 96 part III: the monthly or quarterly report on the supervision equipment."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.config import DocumentSettings
from bot.documents.blocks import (
    Align,
    Block,
    Form,
    Para,
    Run,
    Signature,
    Table,
    cell_text,
    para,
    section,
)
from bot.documents.heading import Heading, date_time, place_date, short_date
from bot.epz.outages import KIND_LABELS
from bot.i18n import translator
from bot.stats.figures import CameraFigure, Figures, Verdict
from bot.stats.periods import Span, StatsPeriod

TITLE = "BÁO CÁO"
SUBJECT = "Tình hình và kết quả hoạt động của trang thiết bị kiểm tra, giám sát hải quan"
# 96 part III: the monthly or quarterly report is made "theo công văn 4770/TCHQ-GSQL ngày
# 30/09/2011" and sent to the Department through its Finance and Administration Office.
INTRO = (
    "Thực hiện Quy trình kiểm tra, giám sát hải quan bằng hệ thống camera giám sát ban hành kèm "
    "theo Quyết định số 96/QĐ-HQBD ngày 19/3/2012 (phần III, Tổ chức thực hiện) và công văn số "
    "4770/TCHQ-GSQL ngày 30/09/2011 của Tổng cục Hải quan, {desk} báo cáo tình hình và kết quả "
    "hoạt động của trang thiết bị kiểm tra, giám sát hải quan (hệ thống ca-mê-ra giám sát) "
    "{period} như sau:"
)
TO = "Kính gửi: Lãnh đạo {authority} (qua Phòng Tài vụ quản trị)."
ROMAN = ("I", "II", "III", "IV")
VERDICTS = {
    Verdict.MET: "Khắc phục đúng hạn",
    Verdict.LATE: "Khắc phục quá hạn",
    Verdict.OPEN: "Đang khắc phục",
    Verdict.OVERDUE: "Đang khắc phục, đã quá hạn",
}
AREA_COLUMNS = (
    "STT",
    "Khu vực",
    "Số ca-mê-ra",
    "Được kiểm tra",
    "Tỷ lệ hoạt động (%)",
    "Thời gian không hoạt động (giờ)",
    "Số lần sự cố",
    "Số cảnh báo",
)
CAMERA_COLUMNS = (
    "STT",
    "Số ca-mê-ra",
    "Tên, vị trí",
    "Khu vực",
    "Đơn vị quản lý",
    "Tỷ lệ hoạt động (%)",
    "Thời gian không hoạt động (giờ)",
    "Số lần sự cố",
    "Số cảnh báo",
    "Trong đó báo động giả",
    "Sự cố DNCX (số thông báo)",
)
OUTAGE_COLUMNS = (
    "STT",
    "Số thông báo",
    "Doanh nghiệp",
    "Loại sự cố",
    "Ca-mê-ra",
    "Thông báo lúc",
    "Khắc phục xong",
    "Thời hạn",
    "Thời gian khắc phục (ngày làm việc)",
    "Thời hạn cho phép (ngày làm việc)",
    "Kết quả",
)


def period_phrase(period: StatsPeriod) -> str:
    """'tháng 11 năm 2026', 'quý IV năm 2026', or 'từ ngày 01/11/2026 đến ngày 15/11/2026'."""
    if period.span is Span.MONTH:
        return f"tháng {period.first.month:02d} năm {period.first.year}"
    if period.span is Span.QUARTER:
        return f"quý {ROMAN[period.quarter - 1]} năm {period.first.year}"
    return f"từ ngày {short_date(period.first)} đến ngày {short_date(period.last)}"


def _hours(span: dt.timedelta) -> float:
    return round(span.total_seconds() / 3600, 1)


def _duration(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} giờ {minutes % 60:02d} phút"


def _percent(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _summary(figures: Figures) -> list[str]:
    total = figures.camera_total()
    lines = [
        f"Tổng số ca-mê-ra: {len(figures.cameras)}; được kiểm tra trong kỳ: {total.watched}.",
    ]
    if total.availability is None:
        lines.append("Trong kỳ chưa có kết quả kiểm tra tình trạng ca-mê-ra.")
    else:
        lines.append(
            f"Tỷ lệ hoạt động chung: {cell_text(_percent(total.availability))}%"
            f"; tổng thời gian không hoạt động: {_duration(total.down)}; số lần sự cố "
            f"(mất tín hiệu, tín hiệu chập chờn): {total.faults}."
        )
    lines.append(
        f"Cảnh báo từ ca-mê-ra và hệ thống phân tích: {figures.alerts}, trong đó báo động giả: "
        f"{figures.false_alarms}."
    )
    under_repair = figures.outage_count(Verdict.OPEN) + figures.outage_count(Verdict.OVERDUE)
    lines.append(
        f"Sự cố hệ thống ca-mê-ra của doanh nghiệp chế xuất: {len(figures.outages)}; khắc phục "
        f"đúng hạn: {figures.outage_count(Verdict.MET)}; khắc phục quá hạn: "
        f"{figures.outage_count(Verdict.LATE)}; đang khắc phục: {under_repair} (trong đó đã quá "
        f"hạn: {figures.outage_count(Verdict.OVERDUE)})."
    )
    return lines


def _areas(figures: Figures) -> Table:
    alerts: dict[str, int] = {}
    for camera in figures.cameras:
        alerts[camera.area] = alerts.get(camera.area, 0) + camera.alerts
    return Table(
        AREA_COLUMNS,
        tuple(
            (
                f"{number:02d}",
                area.area or "Chưa xếp khu vực",
                area.cameras,
                area.time.watched,
                _percent(area.time.availability),
                _hours(area.time.down) if area.time.watched else None,
                area.time.faults,
                alerts.get(area.area, 0),
            )
            for number, area in enumerate(figures.areas, start=1)
        ),
        (1.0, 4.0, 2.0, 2.0, 2.5, 3.0, 2.0, 2.0),
    )


def _camera_row(number: int, camera: CameraFigure) -> tuple[str | int | float | None, ...]:
    watched = bool(camera.time.watched)
    return (
        f"{number:02d}",
        camera.number,
        ", ".join(part for part in (camera.name, camera.place) if part),
        camera.area,
        camera.unit,
        _percent(camera.time.availability),
        _hours(camera.time.down) if watched else None,
        camera.time.faults if watched else None,
        camera.alerts,
        camera.false_alarms,
        ", ".join(f"số {outage}" for outage in camera.outages),
    )


def _cameras(figures: Figures) -> Table:
    return Table(
        CAMERA_COLUMNS,
        tuple(_camera_row(n, camera) for n, camera in enumerate(figures.cameras, start=1)),
        (1.0, 2.0, 4.5, 2.5, 3.5, 2.0, 2.3, 1.7, 1.7, 1.7, 2.3),
    )


def _outages(figures: Figures, tz: ZoneInfo) -> Table:
    kinds = translator("vi", tz)
    return Table(
        OUTAGE_COLUMNS,
        tuple(
            (
                f"{number:02d}",
                outage.number,
                outage.enterprise,
                kinds(KIND_LABELS[outage.kind]).capitalize(),
                ", ".join(outage.cameras),
                date_time(outage.notified_at, tz),
                date_time(outage.restored_at, tz) if outage.restored_at else "",
                short_date(outage.deadline) if outage.deadline else "",
                outage.taken_days,
                outage.allowed_days,
                VERDICTS[outage.verdict],
            )
            for number, outage in enumerate(figures.outages, start=1)
        ),
        (1.0, 1.5, 4.0, 3.0, 2.0, 2.5, 2.5, 2.0, 2.2, 2.2, 3.0),
    )


def equipment_report(figures: Figures, documents: DocumentSettings, tz: ZoneInfo) -> Form:
    """The report of a period, drawn from the same figures as /stats."""
    made = figures.until.astimezone(tz).date()
    span = f"Số liệu từ {date_time(figures.start, tz)} đến {date_time(figures.until, tz)}" + (
        " (kỳ báo cáo chưa kết thúc)." if figures.running else "."
    )
    body: list[Block] = [
        Para((Run(TO.format(authority=documents.authority)),), align=Align.CENTER),
        para(INTRO.format(desk=documents.desk, period=period_phrase(figures.period))),
        para(span, italic=True),
        section("I. Tình hình chung"),
        *(para(f"- {line}") for line in _summary(figures)),
        section("II. Tình trạng ca-mê-ra theo khu vực"),
        _areas(figures),
        section("III. Tình trạng từng ca-mê-ra"),
        _cameras(figures),
        section("IV. Sự cố hệ thống ca-mê-ra của doanh nghiệp chế xuất"),
    ]
    if figures.outages:
        body.append(_outages(figures, tz))
    else:
        body.append(para("Trong kỳ không có sự cố."))
    # 96 part I: every damage or loss is reported with its cause, who is responsible and
    # what was done or is proposed; the desk's figures cannot say that, the signer writes it.
    body += [
        section("V. Nguyên nhân, trách nhiệm và kiến nghị, đề xuất"),
        para("…"),
    ]
    return Form(
        heading=Heading(
            parent=documents.authority.upper(),
            issuer=documents.desk.upper(),
            place_date=place_date(documents.place, made),
            below=("Số: ……/BC-TrB",),
        ),
        title=TITLE,
        subtitle=f"{SUBJECT} {period_phrase(figures.period)}",
        body=body,
        signature=Signature(
            recipients=("Như trên;", "Phòng Tài vụ quản trị (để tổng hợp);", "Lưu: VT, Trực ban."),
            signer="PHỤ TRÁCH TRỰC BAN",
            signer_note="(Ký, ghi rõ họ tên)",
        ),
        landscape=True,
    )
