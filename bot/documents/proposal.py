"""Annex III: the proposal for handling information that has arisen, with the decision."""

from __future__ import annotations

from bot.db.models import ProposalStatus
from bot.documents.blocks import Form, Signature, item, para, section
from bot.documents.cases import Case
from bot.documents.heading import Heading, date_time, place_date
from bot.escalation.texts import ESCALATING_KINDS

TITLE = "ĐỀ XUẤT XỬ LÝ THÔNG TIN PHÁT SINH"
INTRO = (
    "Thực hiện quy chế làm việc Tổng cục Hải quan ban hành tại quyết định số 3333/QĐ-TCHQ "
    "ngày 06/10/2016 của Tổng cục trưởng Tổng cục Hải quan. Trực ban cơ quan Tổng cục Hải quan "
    "báo cáo, đề xuất xử lý thông tin phát sinh sau:"
)
LEADER_DECISIONS = {
    ProposalStatus.PENDING: "Chưa có ý kiến (đang chờ lãnh đạo ca trực).",
    ProposalStatus.APPROVED: "Đồng ý",
    ProposalStatus.REJECTED: "Không đồng ý",
    ProposalStatus.ESCALATED: "Đồng ý, trình lãnh đạo Tổng cục",
    ProposalStatus.ESCALATION_APPROVED: "Đồng ý, trình lãnh đạo Tổng cục",
    ProposalStatus.ESCALATION_REJECTED: "Đồng ý, trình lãnh đạo Tổng cục",
    ProposalStatus.URGENT_SENT: "Xử lý khẩn (Điều 8.1), chờ lãnh đạo ca trực xác nhận.",
    ProposalStatus.URGENT_CONFIRMED: "Xác nhận xử lý khẩn (Điều 8.1)",
}
DG_DECISIONS = {
    ProposalStatus.ESCALATED: "Chưa có ý kiến.",
    ProposalStatus.ESCALATION_APPROVED: "Đồng ý.",
    ProposalStatus.ESCALATION_REJECTED: "Không đồng ý.",
}


def _who_concerned(case: Case) -> str:
    return "; ".join(filter(None, [case.addressees, case.refs])) or "…"


def _decision(case: Case) -> tuple[str, ...]:
    """The shift leader's decision, and the Director General's where the kind escalates."""
    proposal, tz = case.proposal, case.tz
    leader = LEADER_DECISIONS[proposal.status]
    if proposal.decider_name and proposal.decided_at:
        leader += f" — {proposal.decider_name}, {date_time(proposal.decided_at, tz)}."
    lines = [f"Lãnh đạo ca trực: {leader}"]
    if proposal.reason:
        lines.append(f"Lý do: {proposal.reason}")
    if proposal.kind in ESCALATING_KINDS and proposal.status in DG_DECISIONS:
        general = DG_DECISIONS[proposal.status]
        if proposal.escalation_decided_at:
            general += (
                f" (ghi nhận lúc {date_time(proposal.escalation_decided_at, tz)}"
                + (f", người ghi: {proposal.escalation_note}" if proposal.escalation_note else "")
                + ")"
            )
        lines.append(f"Lãnh đạo Tổng cục: {general}")
    return tuple(lines)


def annex_iii(case: Case) -> Form:
    """The proposal in the layout of 888 Annex III, the decision in its box."""
    incident, proposal, tz, docs = case.incident, case.proposal, case.tz, case.documents
    place = incident.place + (f", ca-mê-ra số {incident.camera}" if incident.camera else "")
    return Form(
        heading=Heading(
            parent=docs.authority.upper(),
            issuer=docs.desk.upper(),
            place_date=place_date(docs.place, proposal.created_at.astimezone(tz).date()),
            below=(f"Vụ việc số: {incident.label}",),
        ),
        title=TITLE,
        body=[
            para(INTRO),
            section("1. Nội dung thông tin phát sinh"),
            item(
                "Thời gian phát sinh, tiếp nhận thông tin",
                f"{date_time(incident.arisen_at, tz)} / {date_time(incident.received_at, tz)}",
            ),
            item("Địa điểm/địa bàn xảy ra", place),
            item("Đơn vị/cá nhân có liên quan", _who_concerned(case)),
            item("Nội dung vụ việc", incident.description),
            section("2. Đề xuất"),
            item("Phân tích, nhận định", case.kind_text),
            item(
                "Nội dung đề xuất xử lý",
                f"{proposal.content} (đề xuất: {proposal.proposer_name}, "
                f"{date_time(proposal.created_at, tz)})",
            ),
        ],
        signature=Signature(
            recipients=("Tổng cục trưởng;", "Lưu: Trực ban."),
            signer="PHỤ TRÁCH TRỰC BAN",
            signer_note="(Lãnh đạo Cục thực hiện trực ban ký, ghi rõ họ tên, chức vụ)",
            name=proposal.decider_name,
            decision_title=(
                "Ý kiến của lãnh đạo Tổng cục"
                if proposal.kind in ESCALATING_KINDS
                else "Ý kiến của lãnh đạo ca trực"
            ),
            decision_note=(
                "(Tổng cục trưởng hoặc người được ủy quyền)"
                if proposal.kind in ESCALATING_KINDS
                else ""
            ),
            decision=_decision(case),
        ),
    )
