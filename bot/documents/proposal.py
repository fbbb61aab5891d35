"""Annex III: the proposal for handling information that has arisen, with the decision.

Who decides sets the foot of the form: a kind that escalates (888 Art. 8.2.3 c.3, 8.2.4) goes
to the Director General, as the seed's form does; any other is decided by the shift leader,
and the decision box, the signer and "Nơi nhận" all say so.
"""

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
# Left blank for the proposer to write by hand when the chat did not record it.
UNKNOWN = "…"


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def parties(case: Case) -> str:
    """The parties involved in the incident: enterprise, vehicle, declaration, goods, person.

    An enterprise is named from the registry when its tax code is a configured enterprise's.
    """
    incident = case.incident
    by_code = {enterprise.tax_code: enterprise for enterprise in case.enterprises}
    found: list[str] = []
    for code in _split(incident.tax_codes):
        enterprise = by_code.get(code)
        found.append(
            f"{enterprise.name} (mã số thuế {code})" if enterprise else f"Doanh nghiệp MST {code}"
        )
    found += [f"tờ khai số {number}" for number in _split(incident.declarations)]
    found += [f"container số {number}" for number in _split(incident.containers)]
    found += [f"phương tiện biển kiểm soát {plate}" for plate in _split(incident.plates)]
    if incident.reporter_name:
        found.append(f"người phát hiện, báo tin: {incident.reporter_name}")
    return "; ".join(found) or UNKNOWN


def escalates(case: Case) -> bool:
    """Whether the Director General decides (the kind escalates), not the shift leader."""
    return case.proposal.kind in ESCALATING_KINDS


def _decision(case: Case) -> tuple[str, ...]:
    """The shift leader's decision, and the Director General's where the kind escalates."""
    proposal, tz = case.proposal, case.tz
    leader = LEADER_DECISIONS[proposal.status]
    if proposal.decider_name and proposal.decided_at:
        leader += f" — {proposal.decider_name}, {date_time(proposal.decided_at, tz)}."
    lines = [f"Lãnh đạo ca trực: {leader}"]
    if proposal.reason:
        lines.append(f"Lý do: {proposal.reason}")
    if escalates(case) and proposal.status in DG_DECISIONS:
        general = DG_DECISIONS[proposal.status]
        if proposal.escalation_decided_at:
            general += (
                f" (ghi nhận lúc {date_time(proposal.escalation_decided_at, tz)}"
                + (f", người ghi: {proposal.escalation_note}" if proposal.escalation_note else "")
                + ")"
            )
        lines.append(f"Lãnh đạo Tổng cục: {general}")
    return tuple(lines)


def _foot(case: Case) -> Signature:
    """Nơi nhận, the signer and the decision box, agreeing on who decides."""
    proposal = case.proposal
    if escalates(case):
        # The seed's form: the leader in charge of the desk proposes to the Director General.
        return Signature(
            recipients=("Tổng cục trưởng;", "Lưu: Trực ban."),
            signer="PHỤ TRÁCH TRỰC BAN",
            signer_note="(Lãnh đạo Cục thực hiện trực ban ký, ghi rõ họ tên, chức vụ)",
            name=proposal.decider_name,
            decision_title="Ý kiến của lãnh đạo Tổng cục",
            decision_note="(Tổng cục trưởng hoặc người được ủy quyền)",
            decision=_decision(case),
        )
    # The shift leader decides: the officer who proposed signs, the leader writes below.
    return Signature(
        recipients=("Lãnh đạo ca trực;", "Lưu: Trực ban."),
        signer="CÔNG CHỨC TRỰC BAN",
        signer_note="(Ký, ghi rõ họ tên)",
        name=proposal.proposer_name,
        decision_title="Ý kiến của lãnh đạo ca trực",
        decision=_decision(case),
    )


def annex_iii(case: Case) -> Form:
    """The proposal in the layout of 888 Annex III, the decision in its box."""
    incident, proposal, tz, docs = case.incident, case.proposal, case.tz, case.documents
    place = incident.place + (f", ca-mê-ra số {incident.camera}" if incident.camera else "")
    return Form(
        heading=Heading(
            parent=docs.authority.upper(),
            issuer=docs.desk.upper(),
            place_date=place_date(docs.place, proposal.created_at.astimezone(tz).date()),
            below=(f"Số: {incident.number:04d}-{case.ordinal}/ĐX-TrB",),
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
            item("Đơn vị/cá nhân có liên quan", parties(case)),
            item("Nội dung vụ việc", f"{incident.description} (vụ việc số {incident.label})"),
            section("2. Đề xuất"),
            item("Phân tích, nhận định", proposal.assessment or UNKNOWN),
            item(
                "Nội dung đề xuất xử lý",
                f"{case.kind_text}: {proposal.content} (gửi {case.addressees}; đề xuất: "
                f"{proposal.proposer_name}, {date_time(proposal.created_at, tz)})",
            ),
        ],
        signature=_foot(case),
    )
