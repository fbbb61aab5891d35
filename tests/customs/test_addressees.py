"""Who a request goes to, who may answer it, and which person a typed name means."""

from __future__ import annotations

import datetime as dt

from bot.config import Person
from bot.customs.addressees import find_person, may_answer
from bot.db.models import RequestStatus, UnitRequest

KHOA = Person(id=3, name="Lý Văn Khoa", title="Tổ trưởng")
GIANG = Person(id=1, name="Võ Văn Giang", unit="hq-kv1")
HOA = Person(id=2, name="Đặng Thị Hoa", unit="hq-kv1")
NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


def request(unit_key: str = "", person_id: int | None = None) -> UnitRequest:
    return UnitRequest(
        proposal_id=1,
        unit_key=unit_key,
        person_id=person_id,
        chat_id=person_id or -100,
        status=RequestStatus.WAITING,
        delivered_at=NOW,
        reply_due_at=NOW,
    )


def test_a_named_persons_request_is_theirs_alone_even_within_their_unit() -> None:
    to_giang = request(person_id=GIANG.id)
    assert may_answer(to_giang, GIANG)
    assert not may_answer(to_giang, HOA)
    assert not may_answer(to_giang, None)
    to_unit = request(unit_key="hq-kv1")
    assert may_answer(to_unit, HOA) and not may_answer(to_unit, KHOA)


def test_a_name_is_found_whole_or_by_a_part_that_fits_one_person() -> None:
    people = [KHOA, GIANG, HOA]
    assert find_person(people, "  lý văn   khoa ").person == KHOA
    assert find_person(people, "Giang").person == GIANG
    several = find_person(people, "Văn")
    assert several.person is None and set(several.candidates) == {KHOA, GIANG}
    assert find_person(people, "Tý") == find_person(people, "") == find_person(people, "  ")
    assert find_person(people, "Tý").person is None
