"""The bot's standing in the desk's chats: told to the administrators, logged, recorded."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.config import Person
from bot.db.models import AuditEvent, LogColumn
from bot.i18n import Translator
from bot.membership.moves import ChatMoves
from bot.membership.standing import (
    BotStanding,
    ChatRole,
    DeskChat,
    Problem,
    chat_label,
    problem_text,
    problems_of,
)
from bot.service import DeskService, ServiceContext, system_author

log = logging.getLogger(__name__)

AUDIT_ACTION = "bot_standing"


@dataclass(frozen=True)
class MemberChange:
    """A person added, removed, promoted or demoted the bot in a chat (my_chat_member)."""

    chat_id: int
    title: str
    old: BotStanding
    new: BotStanding
    by_id: int | None
    by_name: str
    at: dt.datetime


class Membership(DeskService):
    """Decides what the bot's standing means for the desk, and who must hear of it."""

    def __init__(self, ctx: ServiceContext, moves: ChatMoves) -> None:
        super().__init__(ctx)
        self._moves = moves

    def resolve(self, chat_id: int) -> int:
        """The id Telegram uses for a chat now (a group upgraded to a supergroup moved)."""
        return self._moves.resolve(chat_id)

    def desk_chats(self) -> list[DeskChat]:
        """The chats the bot must be in: the duty group, then each unit's chat."""
        chats = []
        group = self._settings.telegram.duty_group_id
        if group is not None:
            chats.append(DeskChat(self.resolve(group), ChatRole.DUTY_GROUP, group))
        for unit in self._settings.units:
            if unit.chat_id is not None:
                chats.append(
                    DeskChat(
                        self.resolve(unit.chat_id),
                        ChatRole.UNIT,
                        unit.chat_id,
                        name=unit.name,
                        unit_key=unit.key,
                    )
                )
        return chats

    def desk_chat(self, chat_id: int) -> DeskChat | None:
        """The desk's chat under this id (new or old), if it is one."""
        wanted = self.resolve(chat_id)
        return next((chat for chat in self.desk_chats() if chat.chat_id == wanted), None)

    # --- start-up ------------------------------------------------------------------------

    def report_start(
        self, findings: list[tuple[DeskChat, BotStanding]], reads_all: bool
    ) -> dict[int, list[Problem]]:
        """Tell each administrator, once, everything wrong at start-up; the problems by chat."""
        found = {
            chat.chat_id: problems
            for chat, standing in findings
            if (problems := problems_of(chat, standing, reads_all))
        }
        for chat, standing in findings:
            if chat.chat_id in found:
                log.warning(
                    "The bot lacks what it needs in %s chat %s (status %s): %s",
                    chat.role.value,
                    chat.chat_id,
                    standing.status or "unknown",
                    ", ".join(found[chat.chat_id]),
                )
        if not found:
            log.info("The bot has what it needs in the desk's %d chats", len(findings))
            return found
        chats = {chat.chat_id: chat for chat, _ in findings}

        def render(tr: Translator) -> str:
            lines = [
                "⚠️ <b>" + escape(tr("duty-desk started, but it lacks what it needs:")) + "</b>"
            ]
            for chat_id, problems in found.items():
                for problem in problems:
                    lines.append("• " + escape(problem_text(tr, chats[chat_id], problem)))
            return "\n".join(lines)

        with Session(self._engine) as session:
            self._tell_admins(session, render)
            session.commit()
        self._outbox.notify()
        return found

    # --- my_chat_member ---------------------------------------------------------------------

    def member_changed(self, change: MemberChange, reads_all: bool) -> list[Problem] | None:
        """A change of the bot's membership in a desk chat: admins told, audited, logged.

        Returns the problems it leaves (None when the chat is not the desk's).
        """
        chat = self.desk_chat(change.chat_id)
        if chat is None:
            log.info("The bot's status changed in chat %s, not one of the desk's", change.chat_id)
            return None
        chat = replace(chat, name=chat.name or change.title)
        before = problems_of(chat, change.old, reads_all)
        after = problems_of(chat, change.new, reads_all)
        key = f"{chat.chat_id}:{change.new.status}:{int(change.at.timestamp())}"
        if set(before) == set(after):
            log.info(
                "The bot's status in %s chat %s is now %s; nothing it needs changed",
                chat.role.value,
                chat.chat_id,
                change.new.status,
            )
            return after
        with Session(self._engine) as session:
            if self._seen(session, chat.chat_id, key):
                # The same update delivered again after a restart: told once already.
                return after
            self._record_change(session, chat, change, after, key)
            session.commit()
        self._outbox.notify()
        return after

    def _record_change(
        self,
        session: Session,
        chat: DeskChat,
        change: MemberChange,
        after: list[Problem],
        key: str,
    ) -> None:
        """Audit the change, tell the administrators, and log it in the duty group's record."""
        session.add(
            AuditEvent(
                at=change.at,
                action=AUDIT_ACTION,
                user_id=change.by_id,
                chat_id=chat.chat_id,
                detail=f"{change.old.status} -> {change.new.status} at {key}",
            )
        )
        if after:
            log.warning(
                "User %s changed the bot's status in %s chat %s from %s to %s: %s",
                change.by_id,
                chat.role.value,
                chat.chat_id,
                change.old.status,
                change.new.status,
                ", ".join(after),
            )
        else:
            log.info(
                "User %s restored the bot in %s chat %s (%s)",
                change.by_id,
                chat.role.value,
                chat.chat_id,
                change.new.status,
            )
        who = self._who(change)
        icon = "⚠️ " if after else "✅ "
        self._tell_admins(
            session,
            lambda tr: (
                icon
                + "\n• ".join(
                    escape(line) for line in self._change_lines(tr, chat, change, who, after)
                )
            ),
        )
        if chat.role is ChatRole.DUTY_GROUP:
            # While the bot is out of the group, or blind to it, the record has a gap.
            self._logbook.append(
                session,
                system_author(),
                change.at,
                {LogColumn.NOTE: " ".join(self._change_lines(self._tr, chat, change, who, after))},
                source_key=f"bot-standing:{key}"[:128],
            )
            session.flush()

    def _change_lines(
        self,
        tr: Translator,
        chat: DeskChat,
        change: MemberChange,
        who: str,
        after: list[Problem],
    ) -> list[str]:
        """What happened, then each problem it leaves with its remedy."""
        label = chat_label(tr, chat)
        when = tr.datetime(change.at)
        if not after:
            header = tr(
                "{who} restored the bot in {chat} at {time}: it has what it needs there again."
            )
        elif not change.new.present:
            header = tr("{who} removed the bot from {chat} at {time}.")
        elif change.old.is_admin and not change.new.is_admin:
            header = tr("{who} took the bot's administrator rights in {chat} at {time}.")
        else:
            header = tr("{who} changed the bot's rights in {chat} at {time}.")
        return [
            header.format(who=who, chat=label, time=when),
            *(problem_text(tr, chat, problem) for problem in after),
        ]

    def _who(self, change: MemberChange) -> str:
        """The roster's name of whoever did it, else Telegram's."""
        person = self._settings.person(change.by_id) if change.by_id is not None else None
        return person.name if person is not None else change.by_name or "?"

    @staticmethod
    def _seen(session: Session, chat_id: int, key: str) -> bool:
        return (
            session.exec(
                select(AuditEvent.id).where(
                    AuditEvent.action == AUDIT_ACTION,
                    AuditEvent.chat_id == chat_id,
                    col(AuditEvent.detail).endswith(f" at {key}"),
                )
            ).first()
            is not None
        )

    # --- a group upgraded to a supergroup -------------------------------------------------------

    def follow(
        self, old_chat_id: int, new_chat_id: int, now: dt.datetime, *, tell: bool = True
    ) -> bool:
        """Use a group's new supergroup id from now on, for everything; False if known already.

        What still waits in the outbox for the old id goes to the new one. The administrators
        are told to update the configuration (unless `tell` is off: the start-up report says
        it), and the duty group's move is written in the logbook.
        """
        try:
            recorded = self._follow(old_chat_id, new_chat_id, now, tell=tell)
        except IntegrityError:
            # Another process recorded the same upgrade at the same moment; it is known now.
            recorded = self._follow(old_chat_id, new_chat_id, now, tell=tell)
        self._moves.remember(old_chat_id, new_chat_id)
        self._outbox.notify()
        return recorded

    def _follow(self, old_chat_id: int, new_chat_id: int, now: dt.datetime, *, tell: bool) -> bool:
        chat = self.desk_chat(old_chat_id)
        with Session(self._engine) as session:
            recorded = self._moves.record(session, old_chat_id, new_chat_id, now)
            moved = self._outbox.move_chat(session, old_chat_id, new_chat_id)
            if recorded and chat is not None:
                log.warning(
                    "Telegram upgraded %s chat %s to supergroup %s; following it (%d waiting "
                    "messages moved). Update the configuration.",
                    chat.role.value,
                    old_chat_id,
                    new_chat_id,
                    moved,
                )
                followed = replace(chat, chat_id=new_chat_id)
                self._record_move(session, followed, old_chat_id, now, tell=tell)
            elif recorded:
                log.info("Chat %s became supergroup %s", old_chat_id, new_chat_id)
            session.commit()
        return recorded

    def _record_move(
        self,
        session: Session,
        followed: DeskChat,
        old_chat_id: int,
        now: dt.datetime,
        *,
        tell: bool,
    ) -> None:
        """Ask the administrators to update the configuration; log the duty group's move."""
        if tell:
            self._tell_admins(
                session, lambda tr: "⚠️ " + escape(problem_text(tr, followed, Problem.MOVED))
            )
        if followed.role is not ChatRole.DUTY_GROUP:
            return
        tr = self._tr
        self._logbook.append(
            session,
            system_author(),
            now,
            {
                LogColumn.NOTE: tr(
                    "Telegram upgraded the duty group to a supergroup (old id {old}, new id "
                    "{new}); the bot follows it and keeps recording."
                ).format(old=old_chat_id, new=followed.chat_id)
            },
            source_key=f"chat-migrated:{old_chat_id}",
        )
        session.flush()

    # --- shared ---------------------------------------------------------------------------

    def _admins(self) -> list[Person]:
        return [person for person in self._settings.people if person.admin]

    def _tell_admins(self, session: Session, render: Callable[[Translator], str]) -> None:
        """Queue one private message (HTML) to each administrator, in their language."""
        admins = self._admins()
        if not admins:
            log.warning("No administrator is configured to tell about the bot's standing")
        for admin in admins:
            self._outbox.send(admin.id, render(self._translator_for(admin.id)), session=session)
