"""Inviting an EPZ enterprise's contacts: only an administrator or the officer assigned to it,
whatever way the invite is asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from bot.db.models import Invite
from bot.desk import Desk
from bot.i18n import translator
from bot.steps import Refusal, refusal_text
from tests.conftest import MORNING
from tests.documents.shift import build_desk
from tests.e2e.conftest import ENTERPRISE, LEADER, OFFICER, PEOPLE

ADMIN = 1009
ICT = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def desk(migrated_url: str) -> Iterator[Desk]:
    people = [*PEOPLE, {"id": ADMIN, "name": "Đỗ Văn Quản", "admin": True}]
    desk = build_desk(migrated_url, people=people)
    yield desk
    desk.engine.dispose()


def test_only_an_administrator_or_the_assigned_officer_invites_contacts(desk: Desk) -> None:
    assert desk.enrolment.may_invite("dncx-abc", OFFICER).ok
    assert desk.enrolment.may_invite("dncx-abc", ADMIN).ok

    # The shift leader runs the desk, but the enterprise's contacts are its officer's to invite.
    refused = desk.enrolment.may_invite("dncx-abc", LEADER)
    assert refused.refusal is Refusal.NOT_INVITER
    assert refusal_text(translator("vi", ICT), refused) == (
        "Chỉ quản trị viên hoặc công chức được phân công theo dõi Công ty TNHH ABC Việt Nam "
        "mới được mời đầu mối của doanh nghiệp."
    )
    with pytest.raises(PermissionError):
        desk.enrolment.issue("dncx-abc", LEADER, MORNING)
    with Session(desk.engine) as session:
        assert session.exec(select(Invite)).all() == []

    invite = desk.enrolment.issue("dncx-abc", OFFICER, MORNING)
    assert desk.enrolment.redeem(invite.code, 3001, "Trần Minh Tuấn", MORNING).problem is None
    assert desk.enrolment.may_invite("no-such-enterprise", ADMIN).refusal is Refusal.NOT_FOUND


def test_a_contact_names_the_legal_representative_when_none_is_configured(
    migrated_url: str,
) -> None:
    unsigned = {key: value for key, value in ENTERPRISE.items() if key != "legal_representative"}
    desk = build_desk(migrated_url, enterprises=[unsigned])
    try:
        enterprise = desk.settings.enterprise("dncx-abc")
        assert enterprise is not None
        assert desk.enrolment.representative(enterprise) == ""
        # Only an enrolled contact speaks for the enterprise.
        assert desk.enrolment.record_representative(3001, "Lê Thị Hạnh").refusal is (
            Refusal.NOT_FOUND
        )
        invite = desk.enrolment.issue("dncx-abc", OFFICER, MORNING)
        desk.enrolment.redeem(invite.code, 3001, "Trần Minh Tuấn", MORNING)
        assert desk.enrolment.record_representative(3001, "   ").refusal is Refusal.EMPTY
        assert desk.enrolment.record_representative(3001, "  Lê  Thị Hạnh ").ok
        assert desk.enrolment.representative(enterprise) == "Lê Thị Hạnh"
    finally:
        desk.engine.dispose()


def test_the_configured_legal_representative_wins(desk: Desk) -> None:
    enterprise = desk.settings.enterprise("dncx-abc")
    assert enterprise is not None
    invite = desk.enrolment.issue("dncx-abc", OFFICER, MORNING)
    desk.enrolment.redeem(invite.code, 3001, "Trần Minh Tuấn", MORNING)
    assert desk.enrolment.record_representative(3001, "Người Khác").ok
    assert desk.enrolment.representative(enterprise) == "Lê Thị Hạnh"
