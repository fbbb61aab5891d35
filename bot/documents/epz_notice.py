"""Decision 247 Annex II: an EPZ enterprise's notice of a camera-system fault.

The items carry what the enterprise wrote; the enterprise dates it at its own place and its
legal representative signs. The statutory repair deadline is the desk's, not the enterprise's:
it is printed under the form, as the desk's note on its copy.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.config import Enterprise
from bot.db.models import EpzOutage
from bot.documents.blocks import Form, Signature, para, section
from bot.documents.heading import Heading, date_time, place_date, vn_date
from bot.epz.outages import KIND_LABELS, REPAIR_WORKING_DAYS, is_planned
from bot.i18n import translator

INTRO = (
    "Căn cứ quy định tại Quyết định số 247/QĐ-TCHQ ngày 02/03/2022 của Tổng cục Hải quan, "
    "{name} thông báo sự cố hệ thống ca-mê-ra giám sát tại DNCX đối với hàng hóa chịu sự "
    "giám sát của cơ quan Hải quan như sau:"
)


def _cameras(enterprise: Enterprise, outage: EpzOutage) -> str:
    names = {camera.number: camera.name for camera in enterprise.cameras}
    listed = [
        f"{number} ({names[number]})" if names.get(number) else number
        for number in outage.camera_numbers()
    ]
    return f"Ca-mê-ra theo sơ đồ: {', '.join(listed)} (số lượng: {len(listed)})." if listed else ""


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _arisen(outage: EpzOutage, tz: ZoneInfo) -> str:
    """A fault's start, as the notice gave it (planned work has its start under item 4).

    Notices recorded before the desk asked for it have none, and the form claims none.
    """
    if is_planned(outage) or outage.starts_at is None:
        return ""
    return f"Sự cố xảy ra từ {date_time(outage.starts_at, tz)}."


def _fix(outage: EpzOutage, tz: ZoneInfo) -> str:
    """Item 4 as the enterprise gave it: the expected date, a planned start, a new date."""
    parts = []
    if is_planned(outage) and outage.starts_at is not None:
        parts.append(f"Bắt đầu từ {date_time(outage.starts_at, tz)}.")
    if outage.expected_fix is not None:
        parts.append(f"Dự kiến khắc phục xong {vn_date(outage.expected_fix)}.")
    if outage.new_date is not None:
        parts.append(f"Thời gian dự kiến mới: {vn_date(outage.new_date)} ({outage.explanation}).")
    return " ".join(parts) or "…"


def desk_note(outage: EpzOutage) -> tuple[str, ...]:
    """The desk's own reading of the notice: the repair deadline of 247 I.2.3."""
    days = REPAIR_WORKING_DAYS.get(outage.kind)
    if not days or outage.deadline is None:
        return ()
    return (
        f"Thời hạn khắc phục theo Quyết định số 247/QĐ-TCHQ: {days} ngày làm việc kể từ khi "
        f"thông báo, đến hết {vn_date(outage.deadline)}.",
    )


def epz_notice(
    outage: EpzOutage,
    enterprise: Enterprise,
    branch: str,
    representative: str,
    tz: ZoneInfo,
) -> Form:
    """The outage notice in the layout of 247 Annex II, from the contact's answers.

    `representative` is the enterprise's legal representative (configured, or given by its
    contact at enrolment); empty leaves the line for the signature.
    """
    kind = translator("vi", tz)(KIND_LABELS[outage.kind])
    notified = outage.notified_at.astimezone(tz).date()
    return Form(
        heading=Heading(
            parent="",
            issuer=enterprise.name.upper(),
            below=(f"Số: {outage.id:02d}/TB-SC",),
        ),
        banner="",
        title="THÔNG BÁO",
        subtitle="Về sự cố hệ thống ca-mê-ra giám sát của doanh nghiệp chế xuất",
        body=[
            para(INTRO.format(name=enterprise.name)),
            section(
                "1. Tên, địa chỉ, mã số thuế của Doanh nghiệp chịu sự giám sát của cơ quan "
                "Hải quan:"
            ),
            para(
                f"{enterprise.name}; địa chỉ: {enterprise.address or '…'}; "
                f"mã số thuế: {enterprise.tax_code}."
            ),
            section(
                "2. Mô tả hiện trạng, nguyên nhân sự cố kỹ thuật (vị trí, số lượng theo sơ đồ "
                "đã cung cấp cho cơ quan hải quan):"
            ),
            para(
                " ".join(
                    part
                    for part in (
                        _sentence(f"{kind[:1].upper()}{kind[1:]}: {outage.description}"),
                        _arisen(outage, tz),
                        _cameras(enterprise, outage),
                    )
                    if part
                )
            ),
            section("3. Ảnh hưởng của sự cố liên quan đến công tác giám sát của cơ quan Hải quan:"),
            para(outage.effect or "…"),
            section("4. Thời gian dự kiến để khắc phục xong sự cố:"),
            para(_fix(outage, tz)),
            section(
                "5. Đầu mối kỹ thuật của nhân viên kỹ thuật của doanh nghiệp trong trường hợp "
                "cần liên hệ:"
            ),
            para(outage.tech_contact or "…"),
            para(
                f"{enterprise.name} thông báo để quý "
                f"{branch or 'Chi cục Hải quan quản lý'} được biết./."
            ),
        ],
        signature=Signature(
            recipients=(f"{branch or 'Chi cục Hải quan'};", "Lưu: VT."),
            signer="ĐẠI DIỆN THEO PHÁP LUẬT\nCỦA DOANH NGHIỆP",
            signer_note="(Ký, ghi rõ họ tên, đóng dấu)",
            name=representative,
            date_line=place_date(enterprise.notice_place(), notified),
            decision_title="Ghi chú của cơ quan Hải quan (bản lưu của trực ban)"
            if desk_note(outage)
            else "",
            decision=desk_note(outage),
        ),
    )
