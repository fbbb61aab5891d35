"""The handover between two shifts (888 Art. 5.5, 6.6): prepared, noted, reminded, accepted."""

from __future__ import annotations

import datetime as dt
import re
from html import escape, unescape

from sqlmodel import Session, select

from bot import deadlines
from bot.db.models import (
    Handover,
    HandoverStatus,
    LogColumn,
    OutboxPriority,
    ShiftNote,
    ShiftNoteKind,
)
from bot.handover.buttons import HANDOVER_PAGES, HandoverAction, handover_button
from bot.handover.deadline_kinds import ShiftDeadline, handover_subject
from bot.handover.open_items import OpenItems, Renderer, collect
from bot.i18n import Translator
from bot.logbook.service import Author
from bot.outbox import Button, Keyboard, keyboard
from bot.outbox.screens import Screen, paged_screen
from bot.service import DeskService, ServiceContext
from bot.shifts import Right
from bot.steps import Refusal, Step

_TAG = re.compile(r"<[^>]+>")


def plain(lines: list[str]) -> str:
    """HTML lines as the logbook's plain text."""
    return "\n".join(unescape(_TAG.sub("", line)) for line in lines).strip()


class Handovers(DeskService):
    """Prepares each shift's handover; open and reminded until the incoming leader accepts."""

    def __init__(
        self,
        ctx: ServiceContext,
    ) -> None:
        super().__init__(ctx)
        self._name_of = ctx.addressee_name

    @property
    def _remind_every(self) -> dt.timedelta:
        return dt.timedelta(minutes=self._settings.shift.cycle.handover_remind_every_minutes)

    # --- reading ----------------------------------------------------------------------------

    def get(self, handover_id: int) -> Handover | None:
        """Return a handover by id."""
        with Session(self._engine) as session:
            return session.get(Handover, handover_id)

    def of_shift(self, shift_date: dt.date) -> Handover | None:
        """The handover of an outgoing shift, once prepared."""
        with Session(self._engine) as session:
            return self.of_shift_in(session, shift_date)

    def of_shift_in(self, session: Session, shift_date: dt.date) -> Handover | None:
        """The handover of an outgoing shift, in the caller's transaction."""
        return session.exec(select(Handover).where(Handover.shift_date == shift_date)).first()

    def items(self, shift_date: dt.date, now: dt.datetime) -> OpenItems:
        """What the shift would hand over now."""
        with Session(self._engine) as session:
            return collect(session, shift_date, self._settings, now)

    def renderer(self, tr: Translator, now: dt.datetime) -> Renderer:
        """Writes open items for one reader."""
        return Renderer(tr, self._settings, now, self._name_of)

    def text(
        self, tr: Translator, shift_date: dt.date, items: OpenItems, now: dt.datetime
    ) -> list[str]:
        """The handover of a shift as HTML lines: who hands to whom, then every section."""
        outgoing = self._roster.shift_leader(shift_date)
        incoming = self._roster.shift_leader(shift_date + dt.timedelta(days=1))
        lines = [
            "🤝 <b>"
            + escape(tr("Handover of the duty shift of {date}").format(date=tr.date(shift_date)))
            + "</b>",
            escape(
                tr("From {outgoing} to {incoming} (incoming shift leader)").format(
                    outgoing=outgoing.name if outgoing else "—",
                    incoming=incoming.name if incoming else "—",
                )
            ),
        ]
        if incoming is None:
            lines.append(
                "⚠️ "
                + escape(
                    tr(
                        "The roster names no shift leader for the next shift; "
                        "the administrator must add one before it can be accepted."
                    )
                )
            )
        return lines + self.renderer(tr, now).lines(items)

    # --- preparing --------------------------------------------------------------------------

    def prepare(self, session: Session, shift_date: dt.date, now: dt.datetime) -> Handover:
        """Post a shift's handover with its buttons, log it and start the reminders (once)."""
        existing = self.of_shift_in(session, shift_date)
        if existing is not None:
            return existing
        tr = self._tr
        items = collect(session, shift_date, self._settings, now)
        lines = self.text(tr, shift_date, items, now)
        outgoing = self._roster.shift_leader(shift_date)
        incoming = self._roster.shift_leader(shift_date + dt.timedelta(days=1))
        handover = Handover(
            shift_date=shift_date,
            prepared_at=now,
            outgoing_leader_id=outgoing.id if outgoing else None,
            incoming_leader_id=incoming.id if incoming else None,
            summary=plain(lines),
        )
        session.add(handover)
        session.flush()
        assert handover.id is not None
        card = handover_card(tr, handover, 0)
        handover.card_outbox_id = self._to_group(session, card.text, buttons=card.buttons)
        self._logbook.append(
            session,
            Author(None, "duty-desk"),
            now,
            {LogColumn.WORK: handover.summary},
            source_key=f"handover:{shift_date.isoformat()}",
        )
        if incoming is not None:
            self._tell_incoming(session, handover, incoming.id, first=True)
        deadlines.schedule(
            session,
            ShiftDeadline.HANDOVER_REMINDER,
            handover_subject(handover.id),
            now + self._remind_every,
            seq=1,
        )
        return handover

    def _tell_incoming(
        self, session: Session, handover: Handover, person_id: int, *, first: bool
    ) -> None:
        assert handover.id is not None
        tr = self._translator_for(person_id)
        text = (
            tr("The handover of the shift of {date} waits for you to accept it.")
            if first
            else tr("Reminder: the handover of the shift of {date} is still not accepted.")
        ).format(date=tr.date(handover.shift_date))
        # One line and the buttons: the handover itself is one tap away, not repeated.
        self._outbox.send(
            person_id,
            "🤝 " + escape(text),
            buttons=reminder_buttons(tr, handover),
            session=session,
        )

    def remind(self, session: Session, handover_id: int, seq: int, now: dt.datetime) -> None:
        """Remind the group and the incoming leader of an open handover; arm the next reminder."""
        handover = session.get(Handover, handover_id)
        if handover is None or handover.status != HandoverStatus.OPEN:
            return
        tr = self._tr
        incoming = self._roster.person(handover.incoming_leader_id or 0)
        text = tr(
            "The handover of the shift of {date} is still open (prepared {when}); "
            "{incoming} has not accepted it yet."
        ).format(
            date=tr.date(handover.shift_date),
            when=tr.datetime(handover.prepared_at),
            incoming=incoming.name if incoming else tr("the incoming shift leader"),
        )
        self._to_group(
            session,
            "⏰ " + escape(text),
            buttons=reminder_buttons(tr, handover),
            priority=OutboxPriority.URGENT,
        )
        if incoming is not None:
            self._tell_incoming(session, handover, incoming.id, first=False)
        deadlines.schedule_once(
            session,
            ShiftDeadline.HANDOVER_REMINDER,
            handover_subject(handover_id),
            now + self._remind_every,
            seq=seq + 1,
        )

    # --- notes and focus items --------------------------------------------------------------

    def note_shift(self, user_id: int, now: dt.datetime) -> dt.date | None:
        """The shift whose handover a person may add notes to: theirs as its leader, if open."""
        current = self._roster.shift_date_at(now)
        previous = current - dt.timedelta(days=1)
        for shift_date in (previous, current):
            leader = self._roster.shift_leader(shift_date)
            handover = self.of_shift(shift_date)
            accepted = handover is not None and handover.status == HandoverStatus.ACCEPTED
            if leader is not None and leader.id == user_id and not accepted:
                if shift_date == previous and handover is None:
                    continue
                return shift_date
        return None

    def may_note(self, user_id: int, now: dt.datetime) -> Step[dt.date]:
        """The shift whose handover a person may add notes to, or why they may not."""
        shift_date = self.note_shift(user_id, now)
        if shift_date is None:
            leader = self._roster.shift_leader(self._roster.shift_date_at(now))
            return Step(refusal=Refusal.NOT_OUTGOING_LEADER, who=leader.name if leader else "")
        return Step(shift_date)

    def add_note(self, author: Author, text: str, now: dt.datetime) -> Step[Handover]:
        """The outgoing shift leader's note, kept for (and shown in) the handover."""
        allowed = self.may_note(author.user_id or 0, now)
        if allowed.value is None:
            return Step(refusal=allowed.refusal, who=allowed.who)
        shift_date = allowed.value
        text = text.strip()
        if not text:
            return Step(refusal=Refusal.EMPTY_NOTE)
        with Session(self._engine, expire_on_commit=False) as session:
            self._note(session, ShiftNoteKind.HANDOVER, shift_date, author, text, now)
            tr = self._tr
            self._logbook.append(
                session,
                author,
                now,
                {LogColumn.NOTE: tr("Handover note: {text}").format(text=text)},
            )
            handover = self.of_shift_in(session, shift_date)
            if handover is not None:
                self._redraw(session, handover, now)
            session.commit()
        self._outbox.notify()
        return Step(handover)

    def add_focus(self, author: Author, text: str, now: dt.datetime) -> Step[dt.date]:
        """A focus item for the shifts to come, by someone on duty; the shift it is noted in."""
        if Right.WRITE_LOGBOOK not in self._roster.rights(author.user_id or 0, now):
            return Step(refusal=Refusal.NOT_ON_DUTY)
        text = text.strip()
        if not text:
            return Step(refusal=Refusal.EMPTY)
        shift_date = self._roster.shift_date_at(now)
        tr = self._tr
        with Session(self._engine) as session:
            self._note(session, ShiftNoteKind.FOCUS, shift_date, author, text, now)
            self._logbook.append(
                session,
                author,
                now,
                {LogColumn.NOTE: tr("Focus item: {text}").format(text=text)},
            )
            handover = self.of_shift_in(session, shift_date)
            if handover is not None:
                self._redraw(session, handover, now)
            session.commit()
        self._outbox.notify()
        return Step(shift_date)

    def _note(
        self,
        session: Session,
        kind: ShiftNoteKind,
        shift_date: dt.date,
        author: Author,
        text: str,
        now: dt.datetime,
    ) -> None:
        session.add(
            ShiftNote(
                shift_date=shift_date,
                kind=kind,
                author_id=author.user_id,
                author_name=author.name,
                text=text,
                created_at=now,
            )
        )
        session.flush()

    def _redraw(self, session: Session, handover: Handover, now: dt.datetime) -> None:
        """Bring a posted, still open handover up to date (a note added after it was posted)."""
        if handover.status != HandoverStatus.OPEN or handover.id is None:
            return
        tr = self._tr
        items = collect(session, handover.shift_date, self._settings, now)
        lines = self.text(tr, handover.shift_date, items, now)
        handover.summary = plain(lines)
        session.add(handover)
        group = self._settings.telegram.duty_group_id
        if group is not None and handover.card_outbox_id is not None:
            card = handover_card(tr, handover, 0)
            self._outbox.edit_sent(
                group, handover.card_outbox_id, card.text, buttons=card.buttons, session=session
            )

    # --- acceptance -------------------------------------------------------------------------

    def may_accept(self, handover: Handover | None, user_id: int) -> Step[Handover]:
        """Whether a person may accept a handover: only the incoming shift leader may."""
        if handover is None:
            return Step(refusal=Refusal.HANDOVER_NOT_FOUND)
        if handover.status == HandoverStatus.ACCEPTED:
            return Step(handover, Refusal.HANDOVER_ACCEPTED)
        incoming = self._roster.shift_leader(handover.shift_date + dt.timedelta(days=1))
        if incoming is None:
            return Step(handover, Refusal.NO_INCOMING_LEADER)
        if incoming.id != user_id:
            return Step(handover, Refusal.NOT_INCOMING_LEADER, who=incoming.name)
        return Step(handover)

    def accept(
        self, handover_id: int, author: Author, now: dt.datetime, remarks: str = ""
    ) -> Step[Handover]:
        """The incoming shift leader accepts, with remarks or not: logged, reminders stopped."""
        remarks = remarks.strip()
        with Session(self._engine, expire_on_commit=False) as session:
            handover = session.get(Handover, handover_id)
            allowed = self.may_accept(handover, author.user_id or 0)
            if not allowed.ok or handover is None:
                return allowed
            handover.status = HandoverStatus.ACCEPTED
            handover.accepted_at, handover.accepted_by_id = now, author.user_id
            handover.accepted_by_name, handover.remarks = author.name, remarks
            session.add(handover)
            tr = self._tr
            text = tr("{name} accepted the handover of the shift of {date}.").format(
                name=author.name, date=tr.date(handover.shift_date)
            )
            columns = {LogColumn.WORK: text}
            if remarks:
                columns[LogColumn.NOTE] = tr("Remarks on the handover: {remarks}").format(
                    remarks=remarks
                )
            self._logbook.append(
                session, author, now, columns, source_key=f"handover-accepted:{handover_id}"
            )
            deadlines.cancel(
                session, handover_subject(handover_id), (ShiftDeadline.HANDOVER_REMINDER,)
            )
            accepted = accepted_lines(tr, handover)
            group = self._settings.telegram.duty_group_id
            if group is not None and handover.card_outbox_id is not None:
                card = handover_card(tr, handover, 0)
                self._outbox.edit_sent(
                    group, handover.card_outbox_id, card.text, buttons=card.buttons, session=session
                )
            self._to_group(session, "\n".join(accepted))
            session.commit()
        self._outbox.notify()
        return Step(handover)


def accepted_lines(tr: Translator, handover: Handover) -> list[str]:
    """Who accepted a handover and when, with their remarks (HTML)."""
    lines = [
        "✅ "
        + escape(
            tr("Handover accepted by {name} at {when}.").format(
                name=handover.accepted_by_name,
                when=tr.datetime(handover.accepted_at or handover.prepared_at),
            )
        )
    ]
    if handover.remarks:
        lines.append("📝 " + escape(tr("Remarks: {remarks}").format(remarks=handover.remarks)))
    return lines


def accept_rows(tr: Translator, handover_id: int) -> list[list[Button]]:
    """Accept / accept with remarks / add a note, under a handover."""
    return [
        [
            Button(
                "✅ " + tr("Accept the handover"),
                handover_button(HandoverAction.ACCEPT, handover_id),
            )
        ],
        [
            Button(
                "📝 " + tr("Accept with remarks"),
                handover_button(HandoverAction.ACCEPT_WITH_REMARKS, handover_id),
            ),
            Button("🗒 " + tr("Add a note"), handover_button(HandoverAction.NOTE, handover_id)),
        ],
    ]


def summary_lines(handover: Handover) -> list[str]:
    """A kept handover as HTML lines: its title in bold, who accepted it (if so) under it."""
    title, *rest = handover.summary.split("\n")
    return [f"<b>{escape(title)}</b>", *(escape(line) for line in rest)]


def handover_card(
    tr: Translator, handover: Handover, page: int, head: list[str] | None = None
) -> Screen:
    """One screen of a posted handover, with page turns and, while open, the accept buttons.

    `head` (HTML lines) goes under the title, e.g. that the handover is not accepted yet.
    """
    lines = summary_lines(handover)
    if handover.status == HandoverStatus.ACCEPTED:
        lines[1:1] = accepted_lines(tr, handover)
    below = (
        accept_rows(tr, handover.id)
        if handover.status == HandoverStatus.OPEN and handover.id is not None
        else []
    )
    day = handover.shift_date
    lines[1:1] = head or []
    return paged_screen(tr, lines, page, lambda n: HANDOVER_PAGES.data(day, n), below=below)


def reminder_buttons(tr: Translator, handover: Handover) -> Keyboard:
    """Under a one-line reminder: see the handover (in place), then accept it."""
    assert handover.id is not None
    see = Button("🤝 " + tr("See the handover"), HANDOVER_PAGES.data(handover.shift_date, 0))
    return keyboard([[see], *accept_rows(tr, handover.id)])
