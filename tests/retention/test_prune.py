"""Retention removes old raw camera events and delivered messages, and nothing of the record."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session

from bot.db.models import OutboxStatus
from bot.desk import Desk
from bot.logbook import chain
from bot.logbook.chain import verify
from tests.documents.shift import build_desk
from tests.retention.records import (
    PRUNED_TABLES,
    Aged,
    counts,
    event_ids,
    outbox_rows,
    record_aged,
)

chain.install()


@pytest.fixture
async def desk(migrated_url: str) -> AsyncIterator[Desk]:
    built = build_desk(migrated_url)
    yield built
    await built.cameras.alerts.stop()
    built.engine.dispose()


@pytest.fixture
async def aged(desk: Desk) -> Aged:
    return await record_aged(desk)


def _prune(desk: Desk) -> None:
    with Session(desk.engine) as session:
        desk.retention.prune(session, desk.clock.now())
        session.commit()


async def test_old_events_and_delivered_messages_go_recent_ones_stay(
    desk: Desk, aged: Aged
) -> None:
    before = event_ids(desk.engine)
    assert set(aged.old_events) <= before

    _prune(desk)

    events = event_ids(desk.engine)
    assert not events & set(aged.old_events)
    assert set(aged.recent_events) <= events
    # Never folded (the bot stopped in between): taken up at start-up, whatever its age.
    assert aged.unfolded_old_event in events
    rows = outbox_rows(desk.engine)
    assert not rows.keys() & set(aged.old_plain)
    assert set(aged.recent_plain) <= rows.keys()
    assert rows[aged.old_failed].status == OutboxStatus.FAILED
    assert rows[aged.old_pending].status == OutboxStatus.PENDING


async def test_the_record_is_untouched_and_the_chain_still_verifies(desk: Desk, aged: Aged) -> None:
    before = counts(desk.engine)
    assert before["logbook_entry"] > 5 and before["incident"] == 2 and before["epz_outage"] == 1
    head_before = verify(desk.engine).head

    _prune(desk)

    after = counts(desk.engine)
    untouched = {name: count for name, count in before.items() if name not in PRUNED_TABLES}
    assert {name: after[name] for name in untouched} == untouched
    assert after["camera_event"] < before["camera_event"]
    assert after["outbox_message"] < before["outbox_message"]
    verdict = verify(desk.engine)
    assert verdict.intact
    assert verdict.head == head_before


async def test_a_card_still_edited_through_its_row_keeps_it_without_its_image(
    desk: Desk, aged: Aged
) -> None:
    rows = outbox_rows(desk.engine)
    assert aged.old_cards and all(rows[card].media for card in aged.old_cards)

    _prune(desk)

    rows = outbox_rows(desk.engine)
    for card in aged.old_cards:
        # A repeat or a false-alarm mark edits this message: Telegram's id must stay.
        assert rows[card].telegram_message_id == 10_000 + card
        assert rows[card].media is None


async def test_a_second_prune_finds_nothing_more(desk: Desk, aged: Aged) -> None:
    _prune(desk)
    with Session(desk.engine) as session:
        again = desk.retention.prune(session, desk.clock.now())
    assert (again.camera_events, again.delivered_messages, again.images_freed) == (0, 0, 0)
