"""Whatever people type, every exported file opens and shows their line (one rule for non-text).

A line typed with ESC, NUL, a C1 control, a bidirectional override, a tab, a Windows line
break and half an emoji, starting with "=", goes through the real bot into the logbook, an
incident, an EPZ notice and a gate log (the contact's Telegram name carries the oddities
there), then out through /export and /gatelog in every format. Each file must open in its own
reader and show the line, with every character that is not text printed as "�" where it stood.
"""

from __future__ import annotations

from sqlmodel import Session, select

from bot.db.models import EpzOutage, LogbookEntry, ProposalKind
from bot.escalation.incidents import IncidentInput
from tests.documents.reading import readable_text
from tests.documents.shift import LEADER_AUTHOR, OFFICER_AUTHOR
from tests.documents.typed import ODD, SHOWN, shows
from tests.e2e.conftest import CLERK, GROUP, OFFICER, Desktop

CONTACT = 3001


async def exported(desktop: Desktop, user: int, command: str, chat: int) -> tuple[str, bytes]:
    mark = desktop.emu.mark()
    desktop.say(user, command, chat_id=chat)
    await desktop.settle()
    sent = await desktop.emu.wait_for_message(chat, after=mark, predicate=lambda m: "document" in m)
    document = sent["document"]
    return document["file_name"], desktop.emu.file_bytes(document["file_id"])


async def test_every_export_opens_and_shows_what_was_typed(desktop: Desktop) -> None:
    typed, printed = ODD, SHOWN
    # What reading the update makes of it, as the services get it: NUL and the broken emoji,
    # which no database stores, are U+FFFD (on PostgreSQL the line was lost before).
    kept = ODD.replace("\x00", "�").replace("\ud800", "�")
    # The logbook: a line written with /log, starting with "=" as a reply arrow does.
    desktop.say(OFFICER, f"/log => Xe 51C-123.45 {typed}")
    await desktop.later(1)
    with Session(desktop.desk.engine) as session:
        entry = session.exec(select(LogbookEntry)).all()[-1]
    # The database keeps that exactly (ESC and all); only the print shows the oddities as �.
    assert entry.work_performed == f"=> Xe 51C-123.45 {kept}"
    # An incident with its proposal, described with the same oddities.
    esc, now = desktop.desk.escalation, desktop.clock.now()
    incident = esc.incidents.open(
        OFFICER_AUTHOR, IncidentInput(description=f"Xe container {kept}", place="Cổng B"), now
    ).value
    assert incident.id is not None
    proposal = esc.approvals.propose(
        OFFICER_AUTHOR,
        incident.id,
        ProposalKind.COORDINATION,
        ["hq-kv1"],
        f"Đề nghị kiểm tra {kept}",
        now,
    ).value
    assert proposal is not None and proposal.id is not None
    assert esc.approvals.approve(LEADER_AUTHOR, proposal.id, 1, now).ok
    # The EPZ contact, whose Telegram name carries a control and an override, writes a notice
    # and a gate log.
    desktop.emu.add_user(CONTACT, "Tuấn\x1b\u202e")
    invite = desktop.desk.enrolment.issue("dncx-abc", OFFICER, now)
    desktop.say(CONTACT, f"/start {invite.code}", chat_id=CONTACT)
    await desktop.settle()
    desktop.say(
        CONTACT,
        f"Camera C01 hỏng từ 7h {typed}, dự kiến 30/11, liên hệ 0903123456",
        chat_id=CONTACT,
    )
    await desktop.settle()
    desktop.say(CONTACT, f"Không ghi hình {typed}", chat_id=CONTACT)
    await desktop.settle()
    # The notice is shown whole before it goes: the contact sends it.
    review = desktop.emu.bot_messages(CONTACT)[-1]
    desktop.emu.press_button(CONTACT, review["message_id"], CONTACT, "dr:send")
    await desktop.settle()
    desktop.say(CONTACT, "51C-123.45 CSQU3054383 vào 8:05", chat_id=CONTACT)
    await desktop.settle()
    with Session(desktop.desk.engine) as session:
        outage = session.exec(select(EpzOutage)).one()
    assert "\x1b[31m" in outage.description

    files: list[tuple[str, bytes, str]] = []
    for fmt in ("xlsx", "docx", "pdf"):
        name, data = await exported(desktop, CLERK, f"/export logbook today {fmt}", GROUP)
        files.append((name, data, f"=> Xe 51C-123.45 {printed}"))
    for fmt in ("docx", "pdf"):
        name, data = await exported(desktop, OFFICER, f"/export outage {outage.id} {fmt}", GROUP)
        files.append((name, data, f"Camera C01 hỏng từ 7h {printed}"))
        files.append((name, data, f"Không ghi hình {printed}"))
        name, data = await exported(
            desktop, OFFICER, f"/export incident {incident.label} annex2 {fmt}", GROUP
        )
        files.append((name, data, f"Xe container {printed}"))
        files.append((name, data, f"Đề nghị kiểm tra {printed}"))
    name, data = await exported(desktop, OFFICER, f"/gatelog {outage.id}", OFFICER)
    files.append((name, data, "Tuấn��"))
    for name, data, line in files:
        shows(readable_text(name, data), line, name)
    assert {name.rsplit(".", 1)[1] for name, _, _ in files} == {"xlsx", "docx", "pdf"}
