"""/shift and /roster: who is on duty now and in the coming days."""

from __future__ import annotations

import datetime as dt
from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.desk import Desk
from bot.escalation.pending import waiting
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.pending import open_handover
from bot.i18n import N_, Translator
from bot.roles import role_label
from bot.shifts import Member, Right, Role
from bot.values import whole_number

ROSTER_DEFAULT_DAYS = 7
ROSTER_MAX_DAYS = 31
NOT_ON_DESK = N_("Only people of the duty desk may see the roster.")


def _person(member: Member) -> str:
    title = f" — {escape(member.person.title)}" if member.person.title else ""
    return f"{escape(member.person.name)}{title}"


def shift_text(tr: Translator, desk: Desk, now: dt.datetime) -> str:
    """Describe the shift running now: its window, its people, business hours."""
    window = desk.roster.window_at(now)
    members = desk.roster.members(window.shift_date)
    lines = [
        "🛡 <b>"
        + escape(tr("Duty shift of {date}").format(date=tr.date(window.shift_date)))
        + "</b>",
        f"{tr.datetime(window.starts_at)} → {tr.datetime(window.ends_at)}",
        "",
    ]
    if not members:
        lines.append(
            "⚠️ "
            + escape(
                tr(
                    "Nobody is rostered for this shift. "
                    "The administrator must add it to the roster."
                )
            )
        )
    for role in (Role.SHIFT_LEADER, Role.SECTION_LEADER, Role.CLERK):
        for member in (m for m in members if m.role is role):
            lines.append(f"<b>{escape(role_label(tr, role))}:</b> {_person(member)}")
    officers = [m for m in members if m.role is Role.OFFICER]
    if officers:
        lines.append(f"<b>{escape(role_label(tr, Role.OFFICER))}:</b>")
        lines += [f"• {_person(m)}" for m in officers]
    for handover in waiting(desk.engine).handovers:
        lines += [
            "",
            "⚠️ "
            + escape(tr("Handover not yet accepted:") + " " + open_handover(tr, desk, handover)),
        ]
    hours = desk.settings.shift.business_hours
    state = (
        tr("now inside business hours")
        if desk.roster.in_business_hours(now)
        else tr("now outside business hours")
    )
    lines += [
        "",
        escape(
            tr("Business hours {start}–{end}, {state}.").format(
                start=tr.time(hours.start), end=tr.time(hours.end), state=state
            )
        ),
    ]
    return "\n".join(lines)


def roster_text(tr: Translator, desk: Desk, first: dt.date, days: int) -> str:
    """List the compositions of the coming shifts, one line block per day."""
    lines = ["🗓 <b>" + escape(tr("Duty roster from {date}").format(date=tr.date(first))) + "</b>"]
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        members = desk.roster.members(day)
        lines.append("")
        lines.append(f"<b>{escape(tr.weekday_date(day))}</b>")
        if not members:
            lines.append("   ⚠️ " + escape(tr("not rostered yet")))
            continue
        leader = [m.person.name for m in members if m.role is Role.SHIFT_LEADER]
        others = [m.person.name for m in members if m.role is not Role.SHIFT_LEADER]
        if leader:
            lines.append(f"   {escape(role_label(tr, Role.SHIFT_LEADER))}: {escape(leader[0])}")
        if others:
            lines.append("   " + escape(", ".join(others)))
    return "\n".join(lines)


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_shift(update: Update, context: Context) -> None:
    """Show who is on duty now."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    reply(update, context, shift_text(tr, desk, desk.clock.now()))


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_roster(update: Update, context: Context) -> None:
    """Show the roster of the coming days (7 unless a number of days is given)."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    days = ROSTER_DEFAULT_DAYS
    if context.args:
        given = context.args[0]
        asked = whole_number(given, 1, ROSTER_MAX_DAYS)
        if asked is None:
            reply(
                update,
                context,
                escape(
                    tr(
                        "“{given}” is not a number of days. Write /roster, or /roster followed "
                        "by a number from 1 to {most}."
                    ).format(given=given, most=ROSTER_MAX_DAYS)
                ),
            )
            return
        days = asked
    first = desk.roster.shift_date_at(desk.clock.now())
    reply(update, context, roster_text(tr, desk, first, days))


def register(app: App) -> None:
    """Wire /shift and /roster."""
    app.add_handler(CommandHandler("shift", cmd_shift))
    app.add_handler(CommandHandler("roster", cmd_roster))
