"""/epz and the wiring of the EPZ's chats: notices (outage_notice.py), their follow-up
(outage_followup.py), and the desk's listing of enterprises, outages and rotation checks."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import Settings
from bot.db.models import Proposal, ProposalStatus, RotationCheck
from bot.epz.buttons import OUTAGE_PREFIX
from bot.epz.outage_rules import KIND_LABELS
from bot.epz.outage_texts import arisen_text
from bot.epz.rotation import OUTCOME_ICONS, OUTCOME_LABELS
from bot.escalation.texts import STATUS_LABELS
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.flows import Flow, register_fallback, register_flow
from bot.handlers.outage_followup import (
    EXPLAIN,
    PROGRESS,
    cmd_restored,
    on_epz_button,
    on_explain_text,
    on_progress_text,
)
from bot.handlers.outage_notice import (
    OUTAGE,
    cmd_outage,
    on_contact_text,
    on_outage_button,
    on_outage_text,
)
from bot.i18n import N_, Translator
from bot.shifts import Right

NOT_ON_DESK = N_("Only people of the duty desk may see EPZ enterprises.")


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_epz(update: Update, context: Context) -> None:
    """EPZ enterprises, their open outages, deadlines and gate-log counts."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    month = desk.rotation.month_of(desk.clock.now())
    checks = {check.enterprise: check for check in desk.rotation.checks(month)}
    held = desk.outages.down_by_notice(desk.clock.now())
    lines = ["🏭 <b>" + escape(tr("EPZ enterprises")) + "</b>"]
    if checks:
        lines.append(
            escape(tr("Rotation of {month}:").format(month=f"{month.month:02d}/{month.year}"))
        )
    for enterprise in desk.settings.enterprises:
        lines += ["", f"<b>{escape(enterprise.name)}</b> · MST {escape(enterprise.tax_code)}"]
        if (check := checks.get(enterprise.key)) is not None:
            lines.append("   " + escape(check_status(tr, desk.settings, check)))
        outages = desk.outages.active(enterprise.key)
        if not outages:
            lines.append("   🟢 " + escape(tr("no open outage")))
        for outage in outages:
            deadline = tr.date(outage.deadline) if outage.deadline else "—"
            logged = len(desk.outages.gate_log(outage.id or 0))
            lines.append(
                "   🔴 "
                + escape(
                    tr(
                        "no. {number}: {kind}, cameras {cameras}, deadline {deadline}, "
                        "{logged} gate movements"
                    ).format(
                        number=outage.id,
                        kind=tr(KIND_LABELS[outage.kind]),
                        cameras=", ".join(outage.camera_numbers()) or "—",
                        deadline=deadline,
                        logged=logged,
                    )
                )
            )
            if outage.starts_at is not None and outage.starts_at > desk.clock.now():
                lines.append(
                    "      ⏰ "
                    + escape(tr("starts {when}").format(when=tr.datetime(outage.starts_at)))
                )
            else:
                lines.append("      ⏰ " + escape(arisen_text(tr, outage)))
            marked = [number for number, by in held.items() if by.id == outage.id]
            if marked:
                lines.append(
                    "      🔴 "
                    + escape(
                        tr("marked down by notice: cameras {cameras}").format(
                            cameras=", ".join(marked)
                        )
                    )
                )
            if (measure := desk.interim.latest(outage.id or 0)) is not None:
                lines.append("      🛡 " + escape(measure_status(tr, measure)))
    reply(update, context, "\n".join(lines))


def measure_status(tr: Translator, proposal: Proposal) -> str:
    """An outage's interim measure and where its decision stands."""
    status = tr(
        "waiting for the branch head"
        if proposal.status == ProposalStatus.PENDING
        else STATUS_LABELS[ProposalStatus(proposal.status)]
    )
    if proposal.decider_name:
        status += f", {proposal.decider_name}"
    if proposal.reason:
        status += f": {proposal.reason}"
    return tr("interim measure: {measure} ({status})").format(
        measure=proposal.content, status=status
    )


def check_status(tr: Translator, settings: Settings, check: RotationCheck) -> str:
    """One enterprise's rotation check as /epz shows it."""
    officer = settings.person(check.officer_id) if check.officer_id else None
    text = tr("{icon} rotation check {when} ({officer}): {outcome}").format(
        icon=OUTCOME_ICONS[check.outcome],
        when=tr.datetime(check.due_at),
        officer=officer.name if officer else tr("no officer assigned"),
        outcome=tr(OUTCOME_LABELS[check.outcome]),
    )
    return text + (f" — {check.finding}" if check.finding else "")


def register(app: App) -> None:
    """Wire the EPZ commands, buttons and conversations."""
    register_flow(OUTAGE, Flow(on_outage_text, on_outage_button))
    register_flow(EXPLAIN, Flow(on_explain_text))
    register_flow(PROGRESS, Flow(on_progress_text))
    app.add_handler(CommandHandler("outage", cmd_outage))
    app.add_handler(CommandHandler("restored", cmd_restored))
    app.add_handler(CommandHandler("epz", cmd_epz))
    app.add_handler(CallbackQueryHandler(on_epz_button, pattern=f"^{OUTAGE_PREFIX}:"))
    register_fallback(on_contact_text)
