"""Recording the monthly rotation's checks through the service: only the check's officer, once,
in its month; a refusal changes nothing and says why in the person's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.db.models import CheckOutcome, RotationCheck
from bot.desk import Desk
from bot.i18n import translator
from bot.logbook.service import Author
from bot.steps import Refusal, refusal_text
from tests.conftest import MORNING
from tests.documents.shift import build_desk
from tests.e2e.conftest import LEADER, OFFICER

ICT = dt.timezone(dt.timedelta(hours=7))
NOVEMBER = dt.date(2026, 11, 1)
OFFICER_AUTHOR = Author(OFFICER, "Phạm Thị Dung")
LEADER_AUTHOR = Author(LEADER, "Nguyễn Văn An")


@pytest.fixture
def desk(migrated_url: str) -> Iterator[Desk]:
    desk = build_desk(migrated_url, epz={"rotation": {"officers": [OFFICER]}})
    yield desk
    desk.engine.dispose()


def planned(desk: Desk) -> RotationCheck:
    [check] = desk.rotation.plan(NOVEMBER, MORNING)
    assert check.id is not None and check.officer_id == OFFICER
    return check


def test_only_the_checks_officer_records_it_and_only_once(desk: Desk) -> None:
    check = planned(desk)
    assert check.id is not None
    vi = translator("vi", ICT)

    # The shift leader writes the logbook, but the check is the assigned officer's.
    refused = desk.rotation.record(check.id, CheckOutcome.DONE, LEADER_AUTHOR, MORNING)
    assert refused.refusal is Refusal.NOT_CHECK_OFFICER
    assert refusal_text(vi, refused) == "Lượt kiểm tra này được phân công cho Phạm Thị Dung."
    unchanged = desk.rotation.get(check.id)
    assert unchanged is not None and unchanged.outcome == CheckOutcome.PLANNED

    assert desk.rotation.record(check.id, CheckOutcome.DONE, OFFICER_AUTHOR, MORNING).ok
    again = desk.rotation.record(check.id, CheckOutcome.NOT_DONE, OFFICER_AUTHOR, MORNING)
    assert again.refusal is Refusal.CHECK_RECORDED
    assert refusal_text(vi, again) == (
        "Lượt kiểm tra này đã được ghi nhận (đã kiểm tra, Phạm Thị Dung); không có gì thay đổi."
    )
    recorded = desk.rotation.get(check.id)
    assert recorded is not None and recorded.outcome == CheckOutcome.DONE


def test_findings_need_words_and_last_months_checks_stay_as_they_were(desk: Desk) -> None:
    check = planned(desk)
    assert check.id is not None
    empty = desk.rotation.record(check.id, CheckOutcome.FINDINGS, OFFICER_AUTHOR, MORNING, "  ")
    assert empty.refusal is Refusal.EMPTY_FINDINGS

    december = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ICT)
    late = desk.rotation.record(check.id, CheckOutcome.DONE, OFFICER_AUTHOR, december)
    assert late.refusal is Refusal.CHECK_PAST_MONTH
    assert "11/2026" in refusal_text(translator("en", ICT), late)
    kept = desk.rotation.get(check.id)
    assert kept is not None and kept.outcome == CheckOutcome.PLANNED
