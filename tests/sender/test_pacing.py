"""Pacing without Telegram: a group's 20 new messages a minute, edits spread over the minute,
one message a second in a private chat (edits apart), a chat's budget closed by a 429 until
its time."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.sender.pacing import (
    GROUP_WINDOW_SECONDS,
    OVERALL_WINDOW_SECONDS,
    PRIVATE_WINDOW_SECONDS,
    Budget,
    Pacing,
    budget_of,
)
from tests.conftest import MORNING

GROUP, OTHER_GROUP, PERSON = -1001, -1002, 42


class Monotonic:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("method", "budget"),
    [
        ("send_message", Budget.MESSAGES),
        ("send_photo", Budget.MESSAGES),
        # The late snapshot in place of a card's placeholder is an upload, counted as one.
        ("edit_photo", Budget.MESSAGES),
        ("edit_message_text", Budget.EDITS),
        ("edit_caption", Budget.EDITS),
        ("set_reaction", Budget.REACTIONS),
    ],
)
def test_each_call_spends_its_own_budget(method: str, budget: Budget) -> None:
    assert budget_of(method) is budget


def test_a_group_takes_twenty_new_messages_a_minute_then_waits() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20)
    for _ in range(20):
        assert pacing.wait_for(GROUP, Budget.MESSAGES) <= 0
        pacing.spend(GROUP, Budget.MESSAGES)

    assert pacing.wait_for(GROUP, Budget.MESSAGES) == pytest.approx(GROUP_WINDOW_SECONDS)
    # Another group, and the same group's edits, are not held up by it.
    assert pacing.wait_for(OTHER_GROUP, Budget.MESSAGES) <= 0
    assert pacing.wait_for(GROUP, Budget.EDITS) <= 0
    clock.now += GROUP_WINDOW_SECONDS
    assert pacing.wait_for(GROUP, Budget.MESSAGES) <= 0


def test_edits_are_spread_over_the_minute_not_burst() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20)
    pacing.spend(GROUP, Budget.EDITS)

    # Three times the messages' budget, evenly: one edit every 61/60 s.
    assert pacing.wait_for(GROUP, Budget.EDITS) == pytest.approx(GROUP_WINDOW_SECONDS / 60)


def test_a_private_chat_gets_one_message_a_second() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20)
    pacing.spend(PERSON, Budget.MESSAGES)

    assert pacing.wait_for(PERSON, Budget.MESSAGES) == pytest.approx(1.0)
    clock.now += 1.0
    assert pacing.wait_for(PERSON, Budget.MESSAGES) <= 0


def test_a_message_right_after_page_turns_in_a_private_chat_goes_at_once() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20)
    # The officer's /logbook page went two seconds ago; three page turns since, a third of a
    # second apart, each going at once.
    pacing.spend(PERSON, Budget.MESSAGES)
    clock.now += 2.0
    for _ in range(3):
        assert pacing.wait_for(PERSON, Budget.EDITS) <= 0
        pacing.spend(PERSON, Budget.EDITS)
        clock.now += 0.3

    # Then /shift: its answer is a new message, and Telegram's one a second is about those.
    assert pacing.wait_for(PERSON, Budget.MESSAGES) <= 0
    pacing.spend(PERSON, Budget.MESSAGES)
    # The next new message still waits its second.
    assert pacing.wait_for(PERSON, Budget.MESSAGES) == pytest.approx(1.0)


def test_a_private_chat_edited_nonstop_is_held_to_three_edits_a_second() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20)
    for _ in range(3):
        assert pacing.wait_for(PERSON, Budget.EDITS) <= 0
        pacing.spend(PERSON, Budget.EDITS)
        clock.now += 0.1

    # A fourth edit waits until the first has left its second; a new message does not wait.
    assert pacing.wait_for(PERSON, Budget.EDITS) == pytest.approx(PRIVATE_WINDOW_SECONDS - 0.3)
    assert pacing.wait_for(PERSON, Budget.MESSAGES) <= 0
    # Reactions in the chat are counted apart from its edits.
    assert pacing.wait_for(PERSON, Budget.REACTIONS) <= 0
    clock.now += PRIVATE_WINDOW_SECONDS - 0.3
    assert pacing.wait_for(PERSON, Budget.EDITS) <= 0


def test_sends_before_a_restart_count_against_the_minute() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20)
    sent = MORNING - dt.timedelta(seconds=30)
    pacing.recall([(GROUP, "send_message", sent)] * 20, MORNING)

    # The 20 went 30 s ago: the 21st waits for the rest of Telegram's minute.
    assert pacing.wait_for(GROUP, Budget.MESSAGES) == pytest.approx(GROUP_WINDOW_SECONDS - 30)


def test_a_429_closes_the_budget_until_its_time() -> None:
    pacing = Pacing(Monotonic(), private_per_second=1.0, group_per_minute=20)
    pacing.close(GROUP, Budget.MESSAGES, MORNING + dt.timedelta(seconds=30))

    assert pacing.closed(GROUP, Budget.MESSAGES, MORNING)
    assert not pacing.closed(GROUP, Budget.REACTIONS, MORNING)
    assert not pacing.closed(GROUP, Budget.MESSAGES, MORNING + dt.timedelta(seconds=30))


def test_the_bot_makes_at_most_thirty_calls_in_any_second() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20, overall_per_second=30)
    # Thirty people, thirty groups: each chat's own budget is open, the bot's second is not.
    for n in range(30):
        assert pacing.overall_wait() <= 0
        pacing.spend(PERSON + n if n % 2 else GROUP - n, Budget.MESSAGES)
        pacing.answered()
        clock.now += 0.01
    assert pacing.overall_wait() == pytest.approx(OVERALL_WINDOW_SECONDS - 0.30)
    clock.now += OVERALL_WINDOW_SECONDS - 0.30 + 0.001
    # The first call has left the second: one more may go, not another thirty.
    assert pacing.overall_wait() <= 0
    pacing.spend(PERSON + 100, Budget.MESSAGES)
    assert pacing.overall_wait() > 0


def test_a_slow_call_counts_in_the_second_it_may_have_reached_telegram() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20, overall_per_second=30)
    # A photo's upload starts first and is answered 0.8 s later; Telegram counted it on
    # arrival, anywhere in between. Twenty-nine quick calls went meanwhile.
    pacing.spend(GROUP, Budget.MESSAGES)
    for n in range(29):
        clock.now += 0.02
        pacing.spend(GROUP - 1 - n, Budget.EDITS)
        pacing.answered()
    clock.now = 1000.8
    pacing.answered()
    # More than a second after the upload started, the quick calls are still in the second,
    # and so is the upload, which may have arrived only just before its answer: one more
    # call would be Telegram's thirty-first in that second.
    clock.now = 1001.06
    assert pacing.overall_wait() > 0
    # Once the quick calls have left it, only the upload counts.
    clock.now = 1000.58 + OVERALL_WINDOW_SECONDS + 0.001
    assert pacing.overall_wait() <= 0


def test_a_sender_taking_over_counts_the_last_seconds_calls_of_the_one_before() -> None:
    clock = Monotonic()
    pacing = Pacing(clock, private_per_second=1.0, group_per_minute=20, overall_per_second=30)
    now = MORNING
    # Another process's sender made 30 calls to ten groups in the half second before it left.
    pacing.recall(
        [(GROUP - n % 10, "send_message", now - dt.timedelta(seconds=0.5)) for n in range(30)],
        now,
    )
    assert pacing.overall_wait() == pytest.approx(OVERALL_WINDOW_SECONDS - 0.5)
