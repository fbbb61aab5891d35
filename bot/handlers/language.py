"""/lang: each person picks the language the bot speaks to them."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.button_data import joined, parts
from bot.handlers.buttons import button, confirm_choice, refuse_press
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.i18n import LOCALES, translator
from bot.outbox import Button, keyboard


async def cmd_lang(update: Update, context: Context) -> None:
    """Offer the languages as buttons."""
    tr = tr_for(update, context)
    buttons = keyboard(
        [[Button(tr.language_name(code), language_button(code)) for code in LOCALES]]
    )
    reply(update, context, escape(tr("Choose your language:")), buttons)


# "lang:vi", "lang:en": built and read only here (no service ever offers a language), so
# the codec lives with the menu rather than in a domain package.
PREFIX = "lang"


def language_button(code: str) -> str:
    """The data of the button that picks a language the bot speaks."""
    if code not in LOCALES:
        raise ValueError(f"{code!r} is not a language the bot speaks")
    return joined(PREFIX, code)


def parse_language(data: str) -> str | None:
    """Read "lang:<code>", or None when the code is not a language the bot speaks."""
    pieces = parts(data, PREFIX, 1)
    return pieces[0] if pieces is not None and pieces[0] in LOCALES else None


@button(parse_language)
async def on_lang_choice(update: Update, context: Context, code: str) -> None:
    """Remember the chosen language and confirm in it."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        await refuse_press(update, context)
        return
    desk = desk_of(context)
    desk.preferences.set_locale(user.id, code)
    tr = translator(code, desk.settings.tz)
    text = tr("From now on I will write to you in {language}.").format(
        language=tr.language_name(code)
    )
    await confirm_choice(update, context, text)


def register(app: App) -> None:
    """Wire /lang and its buttons."""
    app.add_handler(CommandHandler("lang", cmd_lang))
    app.add_handler(CallbackQueryHandler(on_lang_choice, pattern=f"^{PREFIX}:"))
