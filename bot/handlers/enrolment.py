"""/invite for officers, and /start <code> for an EPZ contact opening the invite link."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.drafts import DraftState
from bot.epz.enrolment import InviteProblem
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.handlers.flows import Flow, answer_text, ask, finish, register_flow, start
from bot.i18n import N_
from bot.steps import refusal_text

REPRESENTATIVE = "representative"


class RepresentativeStep(StrEnum):
    """The one question after enrolment when the desk does not know who signs for the firm."""

    NAME = "name"


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
    if not desk.enrolment.representative(redeemed.enterprise):
        # 247 Annex II is signed by the enterprise's legal representative: the form needs
        # the name, and the contact is the one who knows it.
        state = start(update, context, REPRESENTATIVE, RepresentativeStep.NAME, {})
        if state is not None:
            ask(
                update,
                context,
                escape(
                    tr(
                        "Who is the legal representative of {name}? Write their full name: it "
                        "is printed under “ĐẠI DIỆN THEO PHÁP LUẬT” on your fault notices."
                    ).format(name=redeemed.enterprise.name)
                ),
            )


async def on_representative(update: Update, context: Context, state: DraftState) -> None:
    """Record the legal representative's name the contact wrote."""
    text = answer_text(update, context)
    if text is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    user = update.effective_user
    if user is None:
        return
    step = desk.enrolment.record_representative(user.id, text)
    if not step.ok:
        finish(context, state)
        reply(update, context, escape(refusal_text(tr, step)))
        return
    finish(context, state)
    reply(
        update,
        context,
        "✅ "
        + escape(
            tr("Noted: {person} signs the notices of {name} as its legal representative.").format(
                person=" ".join(text.split()), name=step.value.name if step.value else ""
            )
        ),
    )


def register(app: App) -> None:
    """Wire /invite and invite links (before /start's help), and the question after."""
    register_flow(REPRESENTATIVE, Flow(on_representative))
    app.add_handler(CommandHandler("invite", cmd_invite))
    app.add_handler(
        CommandHandler("start", cmd_start_invite, filters=filters.ChatType.PRIVATE, has_args=True)
    )
