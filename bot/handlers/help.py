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
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.button_data import PageCodec, PagePress, read_user_id
from bot.handlers.buttons import button, refuse_press, turn_in_place
from bot.handlers.common import App, Context, answer_quietly, desk_of, reply, tr_for
from bot.i18n import LOCALES, N_, Translator, translator
from bot.outbox.screens import Screen, paged_screen
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


# A help page is read at a glance: about twenty lines, one phone screen without scrolling (the
# whole help of a shift leader, some 1,300 characters, took 900 px of a 390 x 844 screen).
HELP_UNITS = 800
# "hl:<user id>:<page>": a help is drawn for one person, so only they turn its pages.
HELP_PAGES = PageCodec("hl", read_user_id)

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


def help_lines(tr: Translator, user_id: int | None, context: Context) -> list[str]:
    """Explain, for this person right now, their role and what they may do (HTML lines)."""
    desk = desk_of(context)
    now = desk.clock.now()
    lines = ["👮 <b>" + escape(tr("duty-desk, the customs duty desk bot")) + "</b>"]
    if user_id is None:
        return lines
    person = desk.roster.person(user_id)
    roles = desk.roster.roles(user_id, now)
    rights = desk.roster.rights(user_id, now)
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
    elif (enterprise := desk.enrolment.enterprise_of(user_id)) is not None:
        lines.append(
            escape(
                tr("You report camera and transmission faults for {name}.").format(
                    name=enterprise.name
                )
            )
        )
        lines += ["", *(f"/{name} — {escape(tr(COMMAND_HELP[name]))}" for name in CONTACT_COMMANDS)]
        return lines
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
    if any(enterprise.officer == user_id for enterprise in desk.settings.enterprises):
        commands.append("measure")
    # What the role asks of them comes first, on the first screen; the commands follow.
    if person is not None and person.unit is not None:
        unit = desk.settings.unit(person.unit)
        lines.append(
            escape(
                tr(
                    "You answer the duty desk's requests for {unit}: press the buttons under each "
                    "request, within {minutes} minutes."
                ).format(
                    unit=unit.name if unit else person.unit,
                    minutes=desk.settings.escalation.reply_deadline_minutes,
                )
            )
        )
    if Right.APPROVE in rights:
        lines.append(
            escape(tr("As shift leader you approve or reject proposals and accept the handover."))
        )
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
    return lines


def help_page(tr: Translator, user_id: int | None, context: Context, page: int) -> Screen:
    """One screen of a person's help, with the buttons to the others."""
    lines = help_lines(tr, user_id, context)
    if user_id is None:
        return Screen("\n".join(lines), [])
    return paged_screen(
        tr, lines, page, lambda n: HELP_PAGES.data(user_id, n), more=True, limit=HELP_UNITS
    )


async def cmd_help(update: Update, context: Context) -> None:
    """Explain what the person may do in their current role."""
    user = update.effective_user
    screen = help_page(tr_for(update, context), user.id if user else None, context, 0)
    reply(update, context, screen.text, screen.buttons)


@button(HELP_PAGES.read)
async def on_help_page(update: Update, context: Context, press: PagePress[int]) -> None:
    """Turn a person's help in place; someone else's help is theirs to turn."""
    user = update.effective_user
    tr = tr_for(update, context)
    if user is None:
        await refuse_press(update, context)
        return
    if user.id != press.key:
        await answer_quietly(
            update, tr("This help is for someone else: write /help for yours."), alert=True
        )
        return
    await turn_in_place(update, context, help_page(tr, user.id, context, press.page))


def register(app: App) -> None:
    """Wire /start and /help."""
    app.add_handler(CommandHandler(["start", "help"], cmd_help))
    app.add_handler(CallbackQueryHandler(on_help_page, pattern=f"^{HELP_PAGES.prefix}:"))
