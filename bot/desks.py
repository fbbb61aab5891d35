"""Every duty room of one deployment, and which of them an update, a camera or a message is for.

One bot (one token, one sender, one poller) serves every desk. A group's update belongs to the
desk whose chat it is. A private chat belongs to the desks that know the person, and among
them to the one the conversation is with: the desk that sent the message a button is on, the
desk of an invitation being redeemed or of a guided conversation under way, else the desk
they chose (/desk), else the one that last wrote to the person. Rights are then checked by that
desk's services, from its roster.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from telegram import Update

from bot.camera.alert_input import AlertInput, Received
from bot.clock import Clock
from bot.config import Camera, Settings
from bot.config.desks import deployment_desks
from bot.db.desk_scope import deployment_engine
from bot.db.models import DeskChoice, Draft, Invite, OutboxMessage
from bot.desk import Desk
from bot.membership.moves import ChatMoves
from bot.outbox import Outbox

# What /start carries when an EPZ contact follows an invitation link.
START = "/start"


@dataclass
class Desks:
    """The desks of the deployment, in configuration order, and the sender's view of them."""

    settings: Settings
    engine: Engine
    clock: Clock
    desks: tuple[Desk, ...]
    names: dict[str, str]
    # The one outbox the bot's sender drains: every desk's rows, one wake-up for all.
    outbox: Outbox

    @classmethod
    def build(cls, settings: Settings, engine: Engine, clock: Clock) -> Desks:
        """Build each desk's services on the deployment's engine, each seeing its own rows."""
        outbox = _sender_outbox(settings, engine, clock, ChatMoves(engine).resolve)
        configured = deployment_desks(settings)
        desks = tuple(
            Desk.build(desk.settings, engine, clock, key=desk.key, wakeup=outbox.wakeup)
            for desk in configured
        )
        return cls(settings, engine, clock, desks, {d.key: d.name for d in configured}, outbox)

    @classmethod
    def of(cls, desk: Desk) -> Desks:
        """A deployment of this one desk, already built (tests build theirs)."""
        engine = deployment_engine(desk.engine)
        outbox = _sender_outbox(
            desk.settings, engine, desk.clock, desk.membership.resolve, desk.outbox.wakeup
        )
        # Named as the configuration names it (a desk of one: its forms' issuer, else its key).
        named = {d.key: d.name for d in deployment_desks(desk.settings)}
        names = {desk.key: named.get(desk.key, desk.key)}
        return cls(desk.settings, engine, desk.clock, (desk,), names, outbox)

    def __iter__(self) -> Iterator[Desk]:
        return iter(self.desks)

    def __len__(self) -> int:
        return len(self.desks)

    @property
    def first(self) -> Desk:
        """The desk of a deployment of one, and the one strangers are answered by."""
        return self.desks[0]

    def by_key(self, key: str | None) -> Desk | None:
        """The desk with this key, if configured."""
        return next((desk for desk in self.desks if desk.key == key), None)

    def name(self, desk: Desk) -> str:
        """The desk's display name."""
        return self.names.get(desk.key, desk.key)

    def for_chat(self, chat_id: int) -> Desk | None:
        """The desk whose duty group or unit chat this is (under either id of an upgrade)."""
        return next((desk for desk in self.desks if chat_id in desk.desk_chats()), None)

    def for_camera(self, number: str) -> Desk | None:
        """The desk a camera belongs to (camera numbers are unique in a deployment)."""
        return next((d for d in self.desks if d.settings.camera(number) is not None), None)

    def camera(self, number: str) -> Camera | None:
        """A camera of any desk, as the intake checks an alert's camera."""
        desk = self.for_camera(number)
        return desk.settings.camera(number) if desk is not None else None

    def duty_groups(self) -> frozenset[int]:
        """Every desk's duty group, under the id Telegram uses for it now."""
        return frozenset(d.group_id for d in self.desks if d.group_id is not None)

    def for_update(self, update: Update) -> Desk:
        """The desk an update is for; the first desk when none is (it refuses strangers)."""
        if len(self.desks) == 1:
            return self.desks[0]
        chat = update.effective_chat
        if chat is not None and chat.type != chat.PRIVATE:
            return self.for_chat(chat.id) or self.first
        user = update.effective_user
        if user is None:
            return self.first
        return self._for_private(update, user.id) or self.first

    def _for_private(self, update: Update, user_id: int) -> Desk | None:
        query = update.callback_query
        if query is not None and query.message is not None:
            sent_by = self._desk_of_message(query.message.chat.id, query.message.message_id)
            if sent_by is not None:
                return sent_by
        message = update.effective_message
        text = message.text if message is not None and message.text else ""
        if text.startswith(f"{START} "):
            invited = self._desk_of_invite(text.removeprefix(START).strip())
            if invited is not None:
                return invited
        knowing = self.knowing(user_id)
        if len(knowing) <= 1:
            return knowing[0] if knowing else None
        return self._desk_of_conversation(user_id, knowing) or knowing[0]

    def knowing(self, user_id: int) -> list[Desk]:
        """The desks that know a person (configured, or an enrolled EPZ contact)."""
        return [desk for desk in self.desks if desk.is_known(user_id)]

    def choose(self, user_id: int, key: str) -> Desk | None:
        """A person picks the desk their private chat deals with; None if it does not know them."""
        desk = self.by_key(key)
        if desk is None or not desk.is_known(user_id):
            return None
        with Session(self.engine) as session:
            choice = session.get(DeskChoice, user_id) or DeskChoice(
                user_id=user_id, desk=key, chosen_at=self.clock.now()
            )
            choice.desk, choice.chosen_at = key, self.clock.now()
            session.add(choice)
            session.commit()
        return desk

    def _desk_of_message(self, chat_id: int, message_id: int) -> Desk | None:
        with Session(self.engine) as session:
            key = session.exec(
                select(OutboxMessage.desk).where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.telegram_message_id == message_id,
                )
            ).first()
        return self.by_key(key)

    def _desk_of_invite(self, code: str) -> Desk | None:
        with Session(self.engine) as session:
            key = session.exec(select(Invite.desk).where(Invite.code == code)).first()
        return self.by_key(key)

    def _desk_of_conversation(self, user_id: int, knowing: Sequence[Desk]) -> Desk | None:
        """A guided conversation's desk, else the desk chosen, else the last to write."""
        keys = [desk.key for desk in knowing]
        with Session(self.engine) as session:
            drafting = session.exec(
                select(Draft.desk)
                .where(Draft.user_id == user_id, Draft.chat_id == user_id)
                .where(col(Draft.desk).in_(keys))
                .order_by(col(Draft.updated_at).desc())
            ).first()
            if drafting is not None:
                return self.by_key(drafting)
            choice = session.get(DeskChoice, user_id)
            if choice is not None and choice.desk in keys:
                return self.by_key(choice.desk)
            last = session.exec(
                select(OutboxMessage.desk)
                .where(OutboxMessage.chat_id == user_id, col(OutboxMessage.desk).in_(keys))
                .order_by(col(OutboxMessage.id).desc())
            ).first()
        return self.by_key(last)


def _sender_outbox(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    resolve: Callable[[int], int],
    wakeup: asyncio.Event | None = None,
) -> Outbox:
    """The outbox the one sender drains, on the deployment's engine: every desk's rows."""
    return Outbox(
        engine,
        clock,
        resolve,
        reaction_fresh=dt.timedelta(minutes=settings.telegram.reaction_fresh_minutes),
        wakeup=wakeup,
    )


class RoutedAlerts:
    """The intake's alerts, each handed to the desk of its camera."""

    def __init__(self, desks: Desks) -> None:
        self._desks = desks

    async def receive(self, alert: AlertInput) -> Received:
        """Store the alert with its camera's desk (the intake checked the camera exists)."""
        desk = self._desks.for_camera(alert.camera) or self._desks.first
        return await desk.cameras.alerts.receive(alert)

    async def on_notify(self, number: str, token: str, body: bytes) -> int | None:
        """A camera's pushed events, to its desk's stream; None if the camera is unknown."""
        desk = self._desks.for_camera(number)
        return None if desk is None else await desk.cameras.on_notify(number, token, body)


async def settled(desks: Desks, seconds: float) -> None:
    """Wait until every desk's cameras have connected (or the time is up)."""
    await asyncio.gather(*(desk.cameras.settled(timeout=seconds) for desk in desks))
