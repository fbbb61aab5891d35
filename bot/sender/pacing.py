"""Pacing: each chat's budgets under Telegram's limits, and when the next call may go."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from enum import StrEnum

# A second over Telegram's minute, so clocks measured at both ends never disagree on a 21st.
GROUP_WINDOW_SECONDS = 61.0
# Telegram counts the bot's ~30 calls a second over any second, as a sliding window; a little
# over a second here, so clocks at both ends never disagree on a 31st.
OVERALL_WINDOW_SECONDS = 1.05
# With the bot's second full of calls still under way, the sender looks again this soon.
UNDER_WAY_RECHECK_SECONDS = 0.05
# Telegram's 20-a-minute rule is about new messages; edits are limited less strictly, but a
# chat edited nonstop still earns a 429, so edits get their own, wider, sliding window.
EDIT_BUDGET_FACTOR = 3
# A private chat's edits and reactions are counted over a sliding second of their own, apart
# from its new messages (see Pacing.wait_for).
PRIVATE_WINDOW_SECONDS = 1.0


class Budget(StrEnum):
    """What a call to a group spends: each kind is counted in a sliding minute of its own."""

    # Telegram's documented limits (core.telegram.org/bots/faq) are about messages: about 30
    # a second overall, about one a second in a chat, 20 a minute in a group. A reaction
    # (setMessageReaction) is no message: it adds nothing to the chat's history and no one is
    # notified, as an edit adds nothing. So reactions are not counted against the group's 20;
    # Telegram still answers 429 to a chat hammered with any call, so they get a window of
    # their own, as wide as the edits' and as evenly spread, apart from both: 300 ✍ after a
    # busy hour of filing then take five minutes and hold up neither an alert nor the edit of
    # a storm's digest. Every call, reactions included, also passes PTB's overall limiter.
    MESSAGES = "messages"
    EDITS = "edits"
    REACTIONS = "reactions"


# A new photo in place of a card's placeholder (edit_photo) is not among them: Telegram takes
# the upload as it takes a new photo, and the swap is what makes an alert's card worth a
# look, so it goes and is counted with new messages, right after its card.
EDITS = frozenset({"edit_message_text", "edit_caption"})


def budget_of(method: str) -> Budget:
    """The budget a call of this outbox method spends."""
    if method == "set_reaction":
        return Budget.REACTIONS
    return Budget.EDITS if method in EDITS else Budget.MESSAGES


class Pacing:
    """What each chat has spent, by the sender's monotonic clock, and what Telegram closed."""

    def __init__(
        self,
        monotonic: Callable[[], float],
        private_per_second: float,
        group_per_minute: float,
        overall_per_second: float = 30.0,
    ) -> None:
        self._monotonic = monotonic
        # Every call of the bot, to any chat, in a sliding second. PTB's limiter is a bucket:
        # full, it lets 30 go at once and 30 more within the same second, which Telegram
        # answers with 429s once a storm keeps the sender busy.
        self._overall_limit = max(1, int(overall_per_second))
        # Calls are counted from when they were answered: Telegram counts a call when it
        # arrives, which is somewhere between the sender's start and the answer. Counted from
        # the start, a request held up on a busy machine (a photo's upload, a loop behind a
        # storm) arrives in a later second than it was counted in, and makes that second's
        # 31st. A call under way counts in every second until it is answered.
        self._overall_sends: deque[float] = deque()
        self._overall_under_way = 0
        self._last_private_send: dict[int, float] = {}
        # Telegram asks bots for about one message a second per private chat; groups are
        # paced by PTB's AIORateLimiter (20 a minute).
        self._private_gap = 1.0 / private_per_second
        # A private chat's edits and reactions, each kind in a sliding second of its own.
        self._private_limit = max(1, int(private_per_second * EDIT_BUDGET_FACTOR))
        self._private_calls: dict[tuple[int, Budget], deque[float]] = defaultdict(deque)
        # Telegram counts a sliding minute per group: a burst of 20 is fine, a 21st is not.
        self._group_limit = max(1, int(group_per_minute))
        self._group_sends: dict[tuple[int, Budget], deque[float]] = defaultdict(deque)
        # A chat's budget Telegram closed with a 429, until when (by the desk's clock, as the
        # refused row's own retry time is).
        self._flood_until: dict[tuple[int, Budget], dt.datetime] = {}

    def recall(self, sends: Iterable[tuple[int, str, dt.datetime]], now: dt.datetime) -> None:
        """Count a group's sends made before a restart (chat, method, when) against its budget.

        Telegram remembers them; a fresh process that forgot would burst and be refused. Those
        of the last second count against the bot's second too: a sender taking over from
        another process's (several on PostgreSQL) must not add its thirty to that one's.
        """
        monotonic = self._monotonic()
        recent: list[float] = []
        for chat_id, method, sent_at in sends:
            age = max(0.0, (now - sent_at).total_seconds())
            self._group_sends[(chat_id, budget_of(method))].append(monotonic - age)
            if age < OVERALL_WINDOW_SECONDS:
                recent.append(monotonic - age)
        self._overall_sends.extend(sorted(recent))

    def close(self, chat_id: int, budget: Budget, until: dt.datetime) -> None:
        """Telegram refused the chat this budget (a 429) until then."""
        self._flood_until[(chat_id, budget)] = until

    def closed(self, chat_id: int, budget: Budget, now: dt.datetime) -> bool:
        """Whether Telegram still refuses the chat this budget."""
        flood_until = self._flood_until.get((chat_id, budget))
        return flood_until is not None and flood_until > now

    def wait_for(self, chat_id: int, budget: Budget) -> float:
        """Seconds until a call spending this budget may go to the chat (0: now)."""
        now = self._monotonic()
        if chat_id >= 0:
            return self._private_wait(chat_id, budget, now)
        sent = self._group_sends[(chat_id, budget)]
        limit = self._group_limit * (1 if budget is Budget.MESSAGES else EDIT_BUDGET_FACTOR)
        while sent and sent[0] <= now - GROUP_WINDOW_SECONDS:
            sent.popleft()
        wait = sent[0] + GROUP_WINDOW_SECONDS - now if len(sent) >= limit else 0.0
        if budget is not Budget.MESSAGES and sent:
            # Edits and reactions evenly spread over the minute, not a burst and then a
            # minute's silence: a storm's digest stays seconds old instead of going stale.
            wait = max(wait, sent[-1] + GROUP_WINDOW_SECONDS / limit - now)
        return wait

    def _private_wait(self, chat_id: int, budget: Budget, now: float) -> float:
        if budget is Budget.MESSAGES:
            # Telegram asks for about one message a second in a private chat: a message the
            # person sees arrive. Edits do not count against it, or a /shift typed right
            # after a few page turns would wait most of a second for them.
            last = self._last_private_send.get(chat_id)
            return 0.0 if last is None else last + self._private_gap - now
        # Edits and reactions are not messages, but a chat edited nonstop still earns a 429:
        # a few in any second (a person turning pages as fast as they tap goes at once), a
        # runaway loop held to that pace. Each kind apart, as in a group.
        sent = self._private_calls[(chat_id, budget)]
        while sent and sent[0] <= now - PRIVATE_WINDOW_SECONDS:
            sent.popleft()
        if len(sent) < self._private_limit:
            return 0.0
        return sent[0] + PRIVATE_WINDOW_SECONDS - now

    def overall_wait(self) -> float:
        """Seconds until the bot may make another call to any chat (0: now)."""
        now = self._monotonic()
        sent = self._overall_sends
        while sent and sent[0] <= now - OVERALL_WINDOW_SECONDS:
            sent.popleft()
        if len(sent) + self._overall_under_way < self._overall_limit:
            return 0.0
        if not sent:
            # Every call of the second is still under way: look again once one is answered.
            return UNDER_WAY_RECHECK_SECONDS
        return sent[0] + OVERALL_WINDOW_SECONDS - now

    def spend(self, chat_id: int, budget: Budget) -> None:
        """Count a call about to go against the chat's budget and the bot's second.

        `answered` must follow once Telegram answered it (or the call failed).
        """
        self._overall_under_way += 1
        if chat_id >= 0 and budget is Budget.MESSAGES:
            self._last_private_send[chat_id] = self._monotonic()
        elif chat_id >= 0:
            self._private_calls[(chat_id, budget)].append(self._monotonic())
        else:
            self._group_sends[(chat_id, budget)].append(self._monotonic())

    def answered(self) -> None:
        """A call counted by `spend` was answered: it counts in the bot's second from now."""
        self._overall_under_way = max(0, self._overall_under_way - 1)
        self._overall_sends.append(self._monotonic())
