"""What an EPZ outage's notice says: the duty group's card and the assigned officer's word."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.config import Enterprise
from bot.db.models import EpzOutage, OutageKind
from bot.epz.outage_rules import FOLLOW_UP_AT, KIND_LABELS, REPAIR_WORKING_DAYS, is_planned
from bot.i18n import N_, Translator


def marked_text(tr: Translator, numbers: Sequence[str], outage_id: int) -> str:
    """The logbook's note that a notice marks cameras down."""
    return tr("Cameras {cameras} marked down by notice no. {number}.").format(
        cameras=", ".join(numbers), number=outage_id
    )


def arisen_text(tr: Translator, outage: EpzOutage) -> str:
    """When the outage began and when Customs heard of it (Annex I: arisen / received)."""
    return tr("since {arisen} (notified {received})").format(
        arisen=tr.datetime(outage.arisen_at), received=tr.datetime(outage.notified_at)
    )


def officer_notice(tr: Translator, outage: EpzOutage, enterprise: Enterprise) -> str:
    """The assigned officer's private word of a new outage they follow (247 I.2.3c), HTML."""
    cameras = ", ".join(outage.camera_numbers()) or "—"
    lines = [
        "🏭 <b>"
        + escape(
            tr("New outage notice no. {number} of {name}").format(
                number=outage.id, name=enterprise.name
            )
        )
        + "</b>",
        escape(
            tr("{kind}, cameras {cameras}: {description}").format(
                kind=tr(KIND_LABELS[outage.kind]).capitalize(),
                cameras=cameras,
                description=outage.description,
            )
        ),
    ]
    lines.append(
        "⏰ "
        + escape(
            tr("Starts: {when}").format(when=tr.datetime(outage.arisen_at))
            if is_planned(outage)
            else arisen_text(tr, outage)
        )
    )
    if outage.deadline is not None and outage.kind in REPAIR_WORKING_DAYS:
        lines.append(
            "⏱ "
            + escape(
                tr("Repair deadline: end of {date} ({days} working days from the notice).").format(
                    date=tr.date(outage.deadline), days=REPAIR_WORKING_DAYS[outage.kind]
                )
            )
        )
    lines += [
        "",
        escape(
            tr(
                "You follow the repair (Decision 247, I.2.3c): each working day at {time} you "
                "are asked for its progress. Propose the interim supervision measure with "
                "/measure {number}. When the enterprise sends /restored, you check the cameras "
                "and confirm; /epz shows where every outage stands."
            ).format(number=outage.id, time=tr.time(FOLLOW_UP_AT))
        ),
    ]
    return "\n".join(lines)


def notice_items(tr: Translator, outage: EpzOutage, enterprise: Enterprise) -> list[str]:
    """The five items of 247 Annex II as the notice gave them, one HTML line (or two) each."""
    return [
        "1. " + escape(f"{enterprise.name} · {enterprise.address} · MST {enterprise.tax_code}"),
        "2. "
        + escape(tr(KIND_LABELS[outage.kind]))
        + (
            " · "
            + escape(tr("cameras {cameras}").format(cameras=", ".join(outage.camera_numbers())))
            if outage.cameras
            else ""
        ),
        "   " + escape(outage.description),
        "⏰ "
        + escape(
            tr("Starts: {when}").format(when=tr.datetime(outage.arisen_at))
            if is_planned(outage)
            else arisen_text(tr, outage)
        ),
        "3. " + escape(tr("Effect on supervision: {effect}").format(effect=outage.effect or "—")),
        "4. "
        + escape(
            tr(
                N_("Expected end: {date}") if is_planned(outage) else N_("Expected fix: {date}")
            ).format(date=tr.date(outage.expected_fix) if outage.expected_fix else "—")
        ),
        "5. "
        + escape(tr("Technical contact: {contact}").format(contact=outage.tech_contact or "—")),
    ]


def covers_gate(outage: EpzOutage, enterprise: Enterprise) -> bool:
    """True when the outage takes a gate camera down (a channel fault takes every camera)."""
    if outage.kind == OutageKind.TRANSMISSION:
        return any(camera.kind == "gate" for camera in enterprise.cameras)
    gates = {camera.number for camera in enterprise.cameras if camera.kind == "gate"}
    return bool(gates & set(outage.camera_numbers()))


# A line the gate-log reader takes (bot/epz/gatelog.py): plate, container, direction, time.
GATE_LOG_EXAMPLE = "51C-123.45 CSQU3054383 vào 14:05"


def gate_log_advice(tr: Translator) -> str:
    """What the contact keeps while a gate camera is down (247 I.2.3), with a line to copy."""
    return tr(
        "While the gate camera is down, keep a log of every vehicle through the gate (plate, "
        "container number, in or out, time) and send it here, one vehicle per line, for "
        "example:"
    )


def contact_copy(tr: Translator, outage: EpzOutage, enterprise: Enterprise, gate: bool) -> str:
    """The contact's copy of the notice as it was sent, HTML; `gate`: add the gate-log advice."""
    lines = [
        "📄 <b>"
        + escape(
            tr("Copy of notice no. {number}, sent {when}").format(
                number=outage.id, when=tr.datetime(outage.notified_at)
            )
        )
        + "</b>",
        *notice_items(tr, outage, enterprise),
    ]
    if outage.deadline is not None and outage.kind in REPAIR_WORKING_DAYS:
        lines.append(
            "⏱ "
            + escape(
                tr("Repair deadline ({days} working days): end of {date}").format(
                    days=REPAIR_WORKING_DAYS[outage.kind], date=tr.date(outage.deadline)
                )
            )
        )
    if gate:
        lines += ["", "🚚 " + escape(gate_log_advice(tr)), f"<code>{GATE_LOG_EXAMPLE}</code>"]
    return "\n".join(lines)


def notice_card(
    tr: Translator,
    outage: EpzOutage,
    enterprise: Enterprise,
    held: Sequence[str] = (),
    officer: str = "",
) -> str:
    """The Annex II notice as the duty group reads it; `held`: the cameras it marks down;
    `officer`: the name of the officer who follows the repair."""
    lines = [
        "🏭 <b>" + escape(tr("EPZ outage notice no. {number}").format(number=outage.id)) + "</b>",
        *notice_items(tr, outage, enterprise),
    ]
    lines.append(
        "👤 "
        + escape(
            tr("Officer following the repair: {name}").format(name=officer)
            if officer
            else tr("No officer is assigned to follow the repair (enterprises[].officer).")
        )
    )
    if held:
        lines.append("🔴 " + escape(marked_text(tr, held, outage.id or 0)))
    if outage.deadline is not None and outage.kind in REPAIR_WORKING_DAYS:
        lines.append(
            "⏱ "
            + escape(
                tr("Repair deadline ({days} working days): end of {date}").format(
                    days=REPAIR_WORKING_DAYS[outage.kind], date=tr.date(outage.deadline)
                )
            )
        )
    return "\n".join(lines)
