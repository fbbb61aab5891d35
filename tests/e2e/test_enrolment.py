"""EPZ contacts enrol through a one-time, expiring deep link issued by their officer."""

from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document

from bot.db.models import OutageKind
from bot.documents.service import Exported, Format
from bot.epz.outages import NoticeInput
from bot.logbook.service import Author
from tests.e2e.conftest import ENTERPRISE, OFFICER, SECTION, Desktop, launch, text_of
from tests.e2e.test_incidents import has

CONTACT, SECOND = 3001, 3002


def code_in(message: dict[str, object]) -> str:
    match = re.search(r"https://t\.me/duty_desk_bot\?start=([\w-]+)", text_of(message))
    assert match is not None, text_of(message)
    return match.group(1)


async def invite(desktop: Desktop) -> str:
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/invite dncx-abc", chat_id=OFFICER)
    answer = await desktop.answer(OFFICER, mark)
    assert "Lời mời đầu mối của Công ty TNHH ABC Việt Nam" in text_of(answer)
    assert "có hiệu lực đến 28/11/2026 09:00" in text_of(answer)
    return code_in(answer)


async def test_a_contact_enrols_by_deep_link_once(desktop: Desktop) -> None:
    for user, name in ((CONTACT, "Ngọc"), (SECOND, "Phúc")):
        desktop.emu.add_user(user, name)
    mark = desktop.emu.mark()
    desktop.say(SECTION, "/invite dncx-abc", chat_id=SECTION)
    assert "Chỉ quản trị viên hoặc công chức được phân công" in text_of(
        await desktop.answer(SECTION, mark)
    )
    code = await invite(desktop)

    mark = desktop.emu.mark()
    desktop.say(CONTACT, f"/start {code}", chat_id=CONTACT)
    welcome = text_of(await desktop.answer(CONTACT, mark))
    assert "đầu mối của Công ty TNHH ABC Việt Nam (MST 0312345678)" in welcome
    mark = desktop.emu.mark()
    desktop.say(CONTACT, "/help", chat_id=CONTACT)
    # An enterprise's contact is addressed "Anh/Chị", not "Đồng chí" (civil servants).
    assert "Anh/Chị là đầu mối báo sự cố ca-mê-ra, kênh truyền của Công ty TNHH ABC" in text_of(
        await desktop.answer(CONTACT, mark)
    )
    # A contact sees nothing of the duty desk itself.
    mark = desktop.emu.mark()
    desktop.say(CONTACT, "/shift", chat_id=CONTACT)
    assert "Chỉ cán bộ của bộ phận trực ban" in text_of(await desktop.answer(CONTACT, mark))

    mark = desktop.emu.mark()
    desktop.say(SECOND, f"/start {code}", chat_id=SECOND)
    assert "đã được một tài khoản khác sử dụng" in text_of(await desktop.answer(SECOND, mark))


async def test_expired_and_forged_invites_are_refused(desktop: Desktop) -> None:
    desktop.emu.add_user(SECOND, "Phúc")
    code = await invite(desktop)
    desktop.clock.advance(dt.timedelta(hours=73))
    mark = desktop.emu.mark()
    desktop.say(SECOND, f"/start {code}", chat_id=SECOND)
    assert "Lời mời này đã hết hạn" in text_of(await desktop.answer(SECOND, mark))
    mark = desktop.emu.mark()
    desktop.say(SECOND, "/start khongphaimamoi", chat_id=SECOND)
    assert "Lời mời này không hợp lệ" in text_of(await desktop.answer(SECOND, mark))
    refused = [a.detail for a in desktop.desk.audit.lines("invite_refused")]
    assert refused == ["expired", "unknown"]
    # Still a stranger: anything else gets the one polite refusal.
    mark = desktop.emu.mark()
    desktop.say(SECOND, "xin chào", chat_id=SECOND)
    assert "chỉ phục vụ bộ phận trực ban" in text_of(await desktop.answer(SECOND, mark))


async def test_enrolment_asks_for_the_legal_representative_the_notice_is_signed_by(
    migrated_url: str,
) -> None:
    """Without a configured representative, the contact is asked once; the 247 Annex II
    notice is then signed with that name, not the contact's Telegram name."""
    unsigned = {key: value for key, value in ENTERPRISE.items() if key != "legal_representative"}
    async with launch(migrated_url, enterprises=[unsigned]) as desktop:
        desktop.emu.add_user(CONTACT, "Ngọc")
        code = await invite(desktop)
        mark = desktop.emu.mark()
        desktop.say(CONTACT, f"/start {code}", chat_id=CONTACT)
        question = await desktop.answer(CONTACT, mark, has("đại diện theo pháp luật"))
        assert "Công ty TNHH ABC Việt Nam" in text_of(question)
        mark = desktop.emu.mark()
        desktop.say(CONTACT, "  Lê   Thị Hạnh ", chat_id=CONTACT)
        assert "Lê Thị Hạnh" in text_of(await desktop.answer(CONTACT, mark, has("Đã ghi")))
        notice = desktop.desk.outages.notify(
            NoticeInput(
                enterprise="dncx-abc",
                kind=OutageKind.CAMERA,
                description="Ca-mê-ra cổng chính mất tín hiệu",
                cameras=["C01"],
                expected_fix=dt.date(2026, 11, 28),
            ),
            Author(CONTACT, "Ngọc"),
            desktop.clock.now(),
        ).value
        assert notice is not None and notice.id is not None
        made = desktop.desk.documents.outage(notice.id, Format.DOCX)
        assert isinstance(made, Exported)
        signer = Document(io.BytesIO(made.data)).tables[-1].rows[0].cells[1].text
        assert signer.strip().splitlines()[-1] == "Lê Thị Hạnh"
        # A second contact of the same enterprise is not asked again.
        desktop.emu.add_user(SECOND, "Phúc")
        code = desktop.desk.enrolment.issue("dncx-abc", OFFICER, desktop.clock.now()).code
        mark = desktop.emu.mark()
        desktop.say(SECOND, f"/start {code}", chat_id=SECOND)
        await desktop.answer(SECOND, mark, has("Công ty TNHH ABC Việt Nam"))
        await desktop.settle()
        assert not any(
            "đại diện theo pháp luật" in text_of(m) for m in desktop.emu.bot_messages(SECOND)
        )
