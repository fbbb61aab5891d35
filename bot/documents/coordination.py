"""Annex II (urgent fax: request to coordinate) and Annex V (online-monitoring coordination).

Both are faxes as the seed lays them out: the issuer, the fax number and time, no national
name, motto or place-date line; the contacts carry their phone numbers.
"""

from __future__ import annotations

from bot.documents.blocks import Align, Form, Para, Run, Signature, item, para
from bot.documents.cases import Case
from bot.documents.heading import Heading, date_time, fax_time

BANNER = "ĐIỆN FAX ĐI (Khẩn)"
INTRO_II = (
    "Thực hiện quy chế làm việc Tổng cục Hải quan ban hành tại quyết định số 3333/QĐ-TCHQ "
    "ngày 06/10/2016 của Tổng cục trưởng Tổng cục Hải quan. Trực ban cơ quan Tổng cục Hải quan "
    "yêu cầu đơn vị phối hợp thực hiện nội dung sau:"
)
# The seed leaves the decision's number blank; the regulation is Decision 888 of 17/3/2017.
INTRO_V = (
    "Thực hiện quy chế thực hiện giám sát trực tuyến của Tổng cục Hải quan ban hành tại "
    "quyết định số 888/QĐ-TCHQ ngày 17/3/2017 của Tổng cục trưởng Tổng cục Hải quan. "
    "{issuer} yêu cầu đơn vị phối hợp thực hiện nội dung sau:"
)


def reply_channel(case: Case) -> str:
    """How the unit reports back, as it reads on paper (888 Art. 9; the result per Annex IV)."""
    phone = case.documents.phone
    by_phone = f"điện thoại trực ban số {phone}" if phone else "điện thoại trực ban"
    return (
        "Hồi báo qua nhóm trực ban trên ứng dụng Telegram (đơn vị đã được kết nối) hoặc qua "
        f"{by_phone}; kết quả xử lý báo cáo bằng văn bản theo mẫu Phụ lục IV Quyết định số "
        "888/QĐ-TCHQ."
    )


def _request_content(case: Case) -> str:
    """The request, then the incident it is about, with its place and references."""
    incident = case.incident
    parts = [
        f"{case.kind_text}: {case.proposal.content}",
        f"Vụ việc số {incident.label}: {incident.description}",
    ]
    if incident.place:
        parts.append(
            f"Địa điểm: {incident.place}"
            + (f", ca-mê-ra số {incident.camera}" if incident.camera else "")
        )
    if case.refs:
        parts.append(f"Thông tin liên quan: {case.refs}")
    return ". ".join(part.rstrip(".") for part in parts) + "."


def _deadline(case: Case) -> str:
    """The reply rule (888 Art. 9, the desk's deadline) with the moment it runs out."""
    due = case.reply_due_at()
    by = f" (trước {date_time(due, case.tz)})" if due else ""
    return (
        "Trả lời ngay nếu trả lời được; nếu không, trong vòng "
        f"{case.reply_minutes()} phút kể từ khi nhận yêu cầu{by} thông báo đầu mối xử lý và "
        "thời gian dự kiến hoàn thành; báo cáo kết quả ngay khi xử lý xong."
    )


def _contact(case: Case) -> str:
    """Who at the desk the unit deals with: the proposer and the leader who approved."""
    proposal = case.proposal
    parts = [
        case.contact(proposal.proposer_id, proposal.proposer_name, "công chức trực ban"),
        case.contact(proposal.decider_id, proposal.decider_name, "lãnh đạo ca trực"),
    ]
    return "; ".join(part for part in parts if part)


def _head(case: Case, issuer: str) -> Heading:
    return Heading(
        parent=case.documents.authority.upper(),
        issuer=issuer,
        below=(f"Fax số: {case.fax_number}", fax_time(case.sent_at, case.tz)),
        national=False,
    )


def _to(case: Case) -> Para:
    return Para((Run("Kính gửi: ", bold=False), Run(f"{case.addressees}.")), align=Align.CENTER)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def annex_ii(case: Case) -> Form:
    """The request to coordinate as the urgent fax of 888 Annex II."""
    return Form(
        heading=_head(case, case.documents.desk.upper()),
        banner=BANNER,
        title="THÔNG BÁO",
        subtitle=f"Về việc {_lower_first(case.kind_text)} (vụ việc số {case.incident.label})",
        body=[
            _to(case),
            para(INTRO_II),
            item("Nội dung yêu cầu phối hợp thực hiện", _request_content(case)),
            item("Yêu cầu về thời gian xử lý, hồi báo", _deadline(case)),
            item("Hình thức hồi báo", reply_channel(case)),
            item("Đầu mối phối hợp thực hiện", _contact(case)),
        ],
        signature=Signature(
            recipients=(
                "Văn phòng Tổng cục;",
                "Cục nghiệp vụ (để theo dõi);",
                "Lưu: Trực ban.",
            ),
            signer="PHỤ TRÁCH TRỰC BAN",
            signer_note=(
                "(Lãnh đạo Cục thực hiện trực ban ký, ghi rõ họ tên, chức vụ "
                "và đóng dấu của đơn vị)"
            ),
            name=case.proposal.decider_name,
        ),
    )


def annex_v(case: Case) -> Form:
    """The online-monitoring coordination request of 888 Annex V, signed by the director."""
    issuer = case.documents.monitoring_unit
    return Form(
        heading=_head(case, issuer.upper()),
        banner=BANNER,
        title="THÔNG BÁO",
        subtitle="Về việc phối hợp thực hiện giám sát trực tuyến",
        body=[
            _to(case),
            para(INTRO_V.format(issuer=issuer)),
            item("Nội dung yêu cầu phối hợp thực hiện giám sát trực tuyến", _request_content(case)),
            item("Yêu cầu về thời gian xử lý, hồi báo", f"{_deadline(case)} {reply_channel(case)}"),
            item("Đầu mối phối hợp thực hiện", _contact(case)),
            para("Trân trọng./."),
        ],
        signature=Signature(
            recipients=("Như trên (để thực hiện);", "Lưu: VT."),
            signer="CỤC TRƯỞNG",
            signer_note="(Ký, ghi rõ họ tên)",
            # The configured director, else the line is left for the signature.
            name=case.documents.director,
        ),
    )
