"""/invite for officers, and /start <code> for an EPZ contact opening the invite link."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.epz.enrolment import InviteProblem
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.i18n import N_
from bot.steps import refusal_text

PROBLEMS = {
    InviteProblem.UNKNOWN: N_(
        "This invitation is not valid. Ask the customs officer who "
        "follows your enterprise for a new link."
    ),
    InviteProblem.EXPIRED: N_(
        "This invitation has expired. Ask the customs officer who "
        "follows your enterprise for a new link."
    ),
    InviteProblem.USED: N_(
        "This invitation was already used by another account. Ask the "
        "customs officer who follows your enterprise for a new link."
    ),
    InviteProblem.ENROLLED_ELSEWHERE: N_("This account already reports for another enterprise."),
}


async def cmd_invite(update: Update, context: Context) -> None:
    """Issue a one-time invite link for an enterprise's contact (administrator or its officer)."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    user = update.effective_user
    if user is None:
        return
    key = (context.args or [""])[0]
    enterprise = desk.settings.enterprise(key)
    if enterprise is None:
        known = ", ".join(f"{e.key} ({e.name})" for e in desk.settings.enterprises) or "—"
        reply(
            update,
            context,
            escape(
                tr("Write /invite followed by the enterprise's key. Enterprises: {known}").format(
                    known=known
                )
            ),
        )
        return
    allowed = desk.enrolment.may_invite(enterprise.key, user.id)
    if not allowed.ok:
        desk.audit.record(
            "denied",
            user_id=user.id,
            chat_id=update.effective_chat.id if update.effective_chat else None,
            detail=f"invite for {enterprise.key}",
        )
        reply(update, context, escape(refusal_text(tr, allowed)))
        return
    invite = desk.enrolment.issue(enterprise.key, user.id, desk.clock.now())
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    reply(
        update,
        context,
        escape(
            tr(
                "Invitation for a contact of {name}, valid until {until}, for one account only. "
                "Send this link to the enterprise's contact:"
            ).format(name=enterprise.name, until=tr.datetime(invite.expires_at))
        )
        + f"\n{escape(link)}",
    )


async def cmd_start_invite(update: Update, context: Context) -> None:
    """Bind the account that opened an invite link to its enterprise."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    user = update.effective_user
    if user is None or not context.args:
        return
    redeemed = desk.enrolment.redeem(context.args[0], user.id, user.full_name, desk.clock.now())
    if redeemed.enterprise is None:
        desk.audit.record(
            "invite_refused", user_id=user.id, chat_id=user.id, detail=str(redeemed.problem)
        )
        assert redeemed.problem is not None
        reply(update, context, escape(tr(PROBLEMS[redeemed.problem])))
        return
    reply(
        update,
        context,
        "✅ "
        + escape(
            tr(
                "Welcome. This account now reports for {name} (tax code {tax_code}). Tell the duty "
                "desk here about camera or transmission faults, planned maintenance and "
                "restorations."
            ).format(name=redeemed.enterprise.name, tax_code=redeemed.enterprise.tax_code)
        ),
    )


def register(app: App) -> None:
    """Wire /invite and invite links (before /start's help)."""
    app.add_handler(CommandHandler("invite", cmd_invite))
    app.add_handler(
        CommandHandler("start", cmd_start_invite, filters=filters.ChatType.PRIVATE, has_args=True)
    )
