"""Whether this process can do its work: the database, its schema, Telegram, and its roles.

Each check is named, so a failing /readyz says which one failed. The database is asked on
every call (a cheap SELECT of the schema revision, in a thread); Telegram counts as reachable
while it answered the bot recently, otherwise it is asked once (getMe) before answering.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.db.engine import current_revision, head_revision
from bot.logging_setup import redact

log = logging.getLogger(__name__)

# A check that takes longer than this fails: a probe must answer before its own timeout
# (Kubernetes' default is 1 s, a systemd watchdog's or a load balancer's a few seconds).
CHECK_SECONDS = 4.0
# Longest piece of an error kept in the answer: the reason, not a driver's whole story.
DETAIL_CHARS = 200

# The roles this process holds right now (poller, sender, alarm, camera:12, ...).
Roles = Callable[[], Iterable[str]]


@dataclass(frozen=True)
class Check:
    """One named check and what it found."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Report:
    """What /readyz answers."""

    checks: list[Check]
    roles: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, object]:
        """The answer's body."""
        return {
            "ready": self.ready,
            "failing": [check.name for check in self.checks if not check.ok],
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
            "roles": self.roles,
        }


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()
    # An HTTP error may quote the Bot API URL, and with it the token.
    return redact(text[0] if text else type(cause).__name__)[:DETAIL_CHARS]


class Readiness:
    """Runs the checks; told by the sender whenever Telegram answered."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        ask_telegram: Callable[[], Awaitable[object]],
        roles: Roles,
        telegram_fresh: dt.timedelta,
        check_seconds: float = CHECK_SECONDS,
        refused: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._ask_telegram = ask_telegram
        self.roles = roles
        self._fresh = telegram_fresh
        self._check_seconds = check_seconds
        # Telegram's 409 to this process's polling (another program polls the token), if any.
        self._refused = refused
        self._head = head_revision()
        self._telegram_answered_at: dt.datetime | None = None
        # Set once start-up has started every worker (the sender, the alarm, the cameras).
        self.started = False
        # The database question under way. A database that hangs (a dead host, not a refusal)
        # holds a thread until the driver gives up; probes every few seconds must not each
        # take one more from the pool the snapshots are drawn in.
        self._asking: asyncio.Future[str | None] | None = None

    def telegram_answered(self) -> None:
        """Telegram answered a request of this process (a send, a 429, a getMe)."""
        self._telegram_answered_at = self._clock.now()

    async def report(self) -> Report:
        """Run every check."""
        started = Check("started", self.started, "" if self.started else "starting up")
        database, migrations = await self._database()
        telegram = await self._telegram()
        return Report([started, database, migrations, telegram], sorted(self.roles()))

    async def _database(self) -> tuple[Check, Check]:
        if self._asking is None or self._asking.done():
            self._asking = asyncio.ensure_future(asyncio.to_thread(current_revision, self._engine))
        try:
            async with asyncio.timeout(self._check_seconds):
                # Shielded: a probe that gives up leaves the question to the next one.
                current = await asyncio.shield(self._asking)
        except TimeoutError:
            return (
                Check("database", False, f"no answer within {self._check_seconds:g} s"),
                Check("migrations", False, "not checked: no database"),
            )
        except SQLAlchemyError as exc:
            return (
                Check("database", False, _first_line(exc)),
                Check("migrations", False, "not checked: no database"),
            )
        database = Check("database", True)
        if current != self._head:
            # Behind (run `duty-desk db upgrade`) or ahead (a newer version migrated it).
            found = current or "empty"
            return database, Check(
                "migrations", False, f"database at {found}, this version needs {self._head}"
            )
        return database, Check("migrations", True, f"at {self._head}")

    async def _telegram(self) -> Check:
        refusal = self._refused()
        if refusal is not None:
            return Check("telegram", False, f"polling refused (409): {refusal}"[:DETAIL_CHARS])
        answered = self._telegram_answered_at
        now = self._clock.now()
        if answered is not None and now - answered <= self._fresh:
            return Check(
                "telegram", True, f"answered {int((now - answered).total_seconds())} s ago"
            )
        try:
            async with asyncio.timeout(self._check_seconds):
                await self._ask_telegram()
        except TimeoutError:
            return Check("telegram", False, f"getMe: no answer within {self._check_seconds:g} s")
        except Exception as exc:
            # Whatever the HTTP stack raised, Telegram is not reachable from here.
            log.info("Telegram did not answer getMe: %s", exc)
            return Check("telegram", False, f"getMe: {_first_line(exc)}")
        self.telegram_answered()
        return Check("telegram", True, "answered getMe")
