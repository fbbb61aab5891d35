"""Annex IV: a unit's report of the result of a request from the duty desk."""

from __future__ import annotations

from bot.db.models import UnitRequest
from bot.documents.blocks import Align, Form, Para, Run, Signature, item, para
from bot.documents.cases import Case
from bot.documents.heading import Heading, date_time, place_date, vn_date


def _timeline(case: Case, request: UnitRequest) -> str:
    """The moments of handling, as Annex IV asks, then the unit's own account."""
    tz = case.tz
    steps = [f"{date_time(request.delivered_at, tz)} nhận yêu cầu"]
    if request.acknowledged_at:
        ack = f"{date_time(request.acknowledged_at, tz)} xác nhận, đầu mối {request.contact}"
        if request.eta:
            ack += f", dự kiến hoàn thành {date_time(request.eta, tz)}"
        steps.append(ack)
    if request.reported_at:
        steps.append(f"{date_time(request.reported_at, tz)} báo cáo kết quả")
    text = "; ".join(steps) + "."
    return f"{text} {request.timeline}" if request.timeline else text


def _late(request: UnitRequest) -> str:
    if not request.late_reason:
        return "Không (xử lý đúng thời gian yêu cầu)."
    return f"{request.late_reason} Trách nhiệm: {request.responsible}."


def annex_iv(case: Case, request: UnitRequest) -> Form:
    """The result report in the layout of 888 Annex IV, from the unit's answers."""
    docs, tz = case.documents, case.tz
    unit = case.request_names.get(request.id or 0, request.unit_key)
    reported = request.reported_at or request.delivered_at
    sent = case.sent_at.astimezone(tz).date()
    return Form(
        heading=Heading(
            parent=docs.authority.upper(),
            issuer=unit.upper(),
            place_date=place_date(docs.place, reported.astimezone(tz).date()),
        ),
        title="BÁO CÁO",
        subtitle=f"Kết quả xử lý yêu cầu phối hợp của trực ban (vụ việc số {case.incident.label})",
        body=[
            Para(
                (Run("Kính gửi: "), Run("Văn phòng Tổng cục (Phòng Tổng hợp – bộ phận trực ban).")),
                align=Align.CENTER,
            ),
            para(
                f"Thực hiện yêu cầu phối hợp tại điện fax số {case.fax_number}, {vn_date(sent)} "
                f"của Trực ban cơ quan Tổng cục Hải quan. {unit} báo cáo kết quả xử lý, "
                "cụ thể như sau:"
            ),
            item(
                "Nội dung yêu cầu phối hợp thực hiện", f"{case.kind_text}: {case.proposal.content}"
            ),
            item("Tiến trình xử lý", _timeline(case, request)),
            item("Kết quả xử lý", request.result),
            item(
                "Trường hợp xử lý chậm hơn thời gian yêu cầu thì báo cáo nguyên nhân, "
                "trách nhiệm công chức liên quan",
                _late(request),
            ),
            item("Đề xuất (nếu có)", "Không."),
            item(
                "Đầu mối phối hợp trao đổi thông tin",
                request.contact or request.responder_name,
            ),
        ],
        signature=Signature(
            recipients=("Văn phòng Tổng cục;", "Lưu: VT."),
            signer="LÃNH ĐẠO ĐƠN VỊ",
            signer_note="(Ký, ghi rõ họ tên, chức vụ)",
            name=request.responder_name,
        ),
    )
