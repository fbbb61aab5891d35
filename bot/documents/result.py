"""Annex IV: a unit's report of the result of a request from the duty desk.

The unit reports under its own heading (its parent body, "ĐƠN VỊ CHỦ QUẢN", over its name),
dated at its own place, signed by its head: all three from the unit's configuration.
"""

from __future__ import annotations

from bot.db.models import UnitRequest
from bot.documents.blocks import Align, Form, Para, Run, Signature, item, para
from bot.documents.cases import Case
from bot.documents.heading import BLANK, Heading, date_time, place_date, vn_date

# The unit writes its own registry number in.
NUMBER = "Số: ……/BC"


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


def suggestion(request: UnitRequest) -> str:
    """What the unit proposed: its words, 'Không.' when it had none, blank if never asked."""
    if request.suggestion is None:
        return "…"
    return request.suggestion or "Không."


def annex_iv(case: Case, request: UnitRequest) -> Form:
    """The result report in the layout of 888 Annex IV, from the unit's answers."""
    tz = case.tz
    unit = case.units.get(request.unit_key)
    name = case.request_names.get(request.id or 0, request.unit_key)
    head = case.persons.get(unit.head) if unit is not None and unit.head else None
    reported = request.reported_at or request.delivered_at
    sent = case.sent_at.astimezone(tz).date()
    return Form(
        heading=Heading(
            # Unconfigured, the parent body is left for the clerk rather than guessed.
            parent=(unit.parent if unit is not None and unit.parent else BLANK).upper(),
            issuer=name.upper(),
            place_date=place_date(
                unit.place if unit is not None else "", reported.astimezone(tz).date()
            ),
            below=(NUMBER, "V/v báo cáo kết quả xử lý yêu cầu phối hợp của trực ban"),
        ),
        # The seed's Annex IV is a letter: no title, "Kính gửi" under the heading.
        title="",
        body=[
            Para(
                (Run("Kính gửi: "), Run("Văn phòng Tổng cục (Phòng Tổng hợp – bộ phận trực ban).")),
                align=Align.CENTER,
            ),
            para(
                f"Thực hiện yêu cầu phối hợp tại điện fax số {case.fax_number}, {vn_date(sent)} "
                f"của Trực ban cơ quan Tổng cục Hải quan (vụ việc số {case.incident.label}). "
                f"{name} báo cáo kết quả xử lý, cụ thể như sau:"
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
            item("Đề xuất (nếu có)", suggestion(request)),
            item(
                "Đầu mối phối hợp trao đổi thông tin",
                request.contact or request.responder_name,
            ),
        ],
        signature=Signature(
            recipients=("Văn phòng Tổng cục;", "Lưu: VT."),
            signer="LÃNH ĐẠO ĐƠN VỊ",
            signer_note="(Ký, ghi rõ họ tên, chức vụ)",
            # The unit's configured head; else the line is left for whoever signs.
            name=head.name if head is not None else "",
        ),
    )
