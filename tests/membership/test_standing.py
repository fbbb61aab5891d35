"""What the bot needs in each kind of chat, decided without Telegram."""

from __future__ import annotations

import pytest

from bot.membership.standing import BotStanding, ChatRole, DeskChat, Problem, problems_of

GROUP = DeskChat(-1001, ChatRole.DUTY_GROUP, -1001, name="Tổ trực ban")
UNIT = DeskChat(-1002, ChatRole.UNIT, -1002, name="Chi cục KV1", unit_key="hq-kv1")
ADMIN = BotStanding(present=True, is_admin=True, status="administrator")
MEMBER = BotStanding(present=True, status="member")
MUTED = BotStanding(present=True, can_send=False, status="restricted")
GONE = BotStanding(present=False, status="kicked")


@pytest.mark.parametrize(
    ("chat", "standing", "reads_all", "expected"),
    [
        (GROUP, ADMIN, False, []),
        (GROUP, MEMBER, True, [Problem.NOT_ADMIN]),
        (GROUP, MEMBER, False, [Problem.NOT_ADMIN, Problem.BLIND]),
        (GROUP, MUTED, True, [Problem.NOT_ADMIN, Problem.MUTED]),
        (GROUP, GONE, True, [Problem.ABSENT]),
        (UNIT, MEMBER, False, []),
        (UNIT, MUTED, True, [Problem.MUTED]),
        (UNIT, GONE, True, [Problem.ABSENT]),
        (DeskChat(-1009, ChatRole.DUTY_GROUP, -5), ADMIN, True, [Problem.MOVED]),
    ],
)
def test_problems_of(
    chat: DeskChat, standing: BotStanding, reads_all: bool, expected: list[Problem]
) -> None:
    assert problems_of(chat, standing, reads_all) == expected
