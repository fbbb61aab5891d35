"""/start and /help say what the person may do in their current role; the command menus."""

from __future__ import annotations

import asyncio
from html import escape
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.ext import CommandHandler

from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.i18n import LOCALES, N_, Translator, translator
from bot.roles import role_label
from bot.shifts import ROLE_ORDER, Right

COMMAND_HELP = {
    "log": N_("write an entry in the duty logbook"),
    "logbook": N_("show this shift's logbook"),
    "find": N_("search the logbook and incidents: /find 51C-123.45"),
    "shift": N_("who is on duty now"),
    "roster": N_("the roster of the coming days"),
    "lang": N_("choose your language"),
    "desk": N_("which duty room you deal with; choose one if you are in several"),
    "help": N_("what you can do here"),
    "incident": N_("open an incident, or show one: /incident 2026/0142"),
    "propose": N_("propose handling for an incident"),
    "urgent": N_("urgent action first, confirmation after (Art. 8.1)"),
    "pending": N_("what waits for whom"),
    "cancel": N_("abandon the question in progress"),
    "cameras": N_("show every camera's state by area"),
    "snapshot": N_("post a fresh snapshot: /snapshot 12"),
    "start": N_("start talking with the bot"),
    "epz": N_("EPZ enterprises: outages and this month's rotation"),
    "gatelog": N_("an outage's gate log as a file: /gatelog 1"),
    "export": N_("an official document as a file: /export logbook today"),
    "measure": N_("propose an outage's interim measure: /measure 1"),
    "outage": N_("report a camera or transmission fault (Annex II)"),
    "restored": N_("report that the cameras work again"),
    "handover": N_("the shift handover; /handover note adds the outgoing leader's note"),
    "focus": N_("note a focus item for the coming shifts"),
    "report": N_("a daily report: /report 25/11/2026"),
    "stats": N_("charts of a week, month or quarter: /stats month"),
}
GROUP_COMMANDS = (
    "incident",
    "pending",
    "handover",
    "focus",
    "report",
    "stats",
    "cameras",
    "snapshot",
    "epz",
    "gatelog",
    "export",
    "log",
    "logbook",
    "find",
    "shift",
    "roster",
    "propose",
    "urgent",
    "cancel",
    "help",
    "lang",
)
PRIVATE_COMMANDS = (
    "start",
    "help",
    "pending",
    "handover",
    "report",
    "stats",
    "incident",
    "shift",
    "roster",
    "logbook",
    "find",
    "log",
    "epz",
    "gatelog",
    "export",
    "measure",
    "outage",
    "restored",
    "cancel",
    "lang",
    "desk",
)


# What an EPZ enterprise's contact may do (they see only their own enterprise).
CONTACT_COMMANDS = ("outage", "restored", "gatelog", "lang")


def menu(tr: Translator, names: tuple[str, ...]) -> list[BotCommand]:
    """Return the command menu in one language."""
    return [BotCommand(name, tr(COMMAND_HELP[name])) for name in names]


async def register_menus(bot: Bot, default_locale: str, tz: ZoneInfo) -> None:
    """Register the command menus per chat kind and per language (and a default)."""
    scopes: list[tuple[BotCommandScope, tuple[str, ...]]] = [
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
    ]
    calls = []
    for scope, names in scopes:
        calls.append(bot.set_my_commands(menu(translator(default_locale, tz), names), scope=scope))
        calls.extend(
            bot.set_my_commands(
                menu(translator(locale, tz), names), scope=scope, language_code=locale
            )
            for locale in LOCALES
        )
    # Side by side: one round trip to Telegram at start-up instead of six in a row.
    await asyncio.gather(*calls)


def help_text(tr: Translator, update: Update, context: Context) -> str:
    """Explain, for this person right now, their role and what they may do."""
    desk = desk_of(context)
    user = update.effective_user
    now = desk.clock.now()
    lines = ["👮 <b>" + escape(tr("duty-desk, the customs duty desk bot")) + "</b>"]
    if user is None:
        return lines[0]
    person = desk.roster.person(user.id)
    roles = desk.roster.roles(user.id, now)
    rights = desk.roster.rights(user.id, now)
    if person is not None:
        lines.append(escape(tr("Hello, {name}.").format(name=person.name)))
    if roles:
        names = ", ".join(role_label(tr, r) for r in ROLE_ORDER if r in roles)
        lines.append(escape(tr("In the current shift you are: {roles}.").format(roles=names)))
    elif person is not None:
        lines.append(
            escape(
                tr(
                    "You are not rostered in the current shift: you can read, "
                    "but not write the logbook."
                )
            )
        )
    elif (enterprise := desk.enrolment.enterprise_of(user.id)) is not None:
        lines.append(
            escape(
                tr("You report camera and transmission faults for {name}.").format(
                    name=enterprise.name
                )
            )
        )
        lines += ["", *(f"/{name} — {escape(tr(COMMAND_HELP[name]))}" for name in CONTACT_COMMANDS)]
        return "\n".join(lines)
    else:
        lines.append(
            escape(
                tr("You are not on the desk's list of people; ask the administrator to add you.")
            )
        )
    commands = ["pending", "shift", "roster", "logbook", "lang"]
    if Right.VIEW in rights:
        commands[0:0] = ["incident", "find", "epz", "gatelog", "handover", "report", "stats"]
    if Right.WRITE_LOGBOOK in rights:
        commands[1:1] = ["log", "propose", "urgent", "focus"]
    if Right.EXPORT in rights:
        commands.append("export")
    if any(enterprise.officer == user.id for enterprise in desk.settings.enterprises):
        commands.append("measure")
    lines.append("")
    lines += [f"/{name} — {escape(tr(COMMAND_HELP[name]))}" for name in commands]
    if Right.WRITE_LOGBOOK in rights:
        lines += [
            "",
            escape(
                tr(
                    "In the duty group, a message with #vuviec, #chidao, #ketqua, #congviec or "
                    "#ghichu goes into the logbook under that column, and a 📌 reaction on any "
                    "message copies it into the logbook. Editing a message adds a correction; "
                    "nothing is overwritten."
                )
            ),
        ]
    if person is not None and person.unit is not None:
        unit = desk.settings.unit(person.unit)
        lines += [
            "",
            escape(
                tr(
                    "You answer the duty desk's requests for {unit}: press the buttons under each "
                    "request, within {minutes} minutes."
                ).format(
                    unit=unit.name if unit else person.unit,
                    minutes=desk.settings.escalation.reply_deadline_minutes,
                )
            ),
        ]
    if Right.APPROVE in rights:
        lines += [
            "",
            escape(tr("As shift leader you approve or reject proposals and accept the handover.")),
        ]
    return "\n".join(lines)


async def cmd_help(update: Update, context: Context) -> None:
    """Explain what the person may do in their current role."""
    reply(update, context, help_text(tr_for(update, context), update, context))


def register(app: App) -> None:
    """Wire /start and /help."""
    app.add_handler(CommandHandler(["start", "help"], cmd_help))
