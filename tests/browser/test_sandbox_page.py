"""A persona walks the approval flow in the sandbox's page, in real headless Chromium."""

from __future__ import annotations

from typing import Any

from bot.sandbox import demo
from bot.sandbox.runtime import Sandbox

SECONDS = 1000  # Playwright counts in milliseconds.


def bot_message(page: Any, text: str) -> Any:
    """The newest message in the open chat showing this text."""
    return page.locator(".msg", has_text=text).last


async def act_as(page: Any, persona: int) -> None:
    await page.select_option("#persona", str(persona))


async def press(page: Any, message: Any, data_prefix: str) -> None:
    await message.locator(f'.kb button[data-data^="{data_prefix}"]').click()


async def write(page: Any, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def open_chat(page: Any, chat_id: int) -> None:
    await page.click(f'#chats li[data-chat="{chat_id}"]')


async def test_an_alert_becomes_an_approved_request_the_unit_acknowledges(
    page: Any, sandbox: Sandbox
) -> None:
    from playwright.async_api import expect

    # A trainer makes the yard camera report tampering.
    await page.click("#open-cameras")
    await page.click('[data-camera="yard"][data-event="tampering"]')
    await page.click("[data-close]")
    alert = bot_message(page, "CAM 02")
    await expect(alert.locator("img")).to_be_visible(timeout=20 * SECONDS)
    # The snapshot really loaded from the emulator's stored file.
    width = await alert.locator("img").evaluate("img => img.complete && img.naturalWidth")
    assert width == 640
    await expect(alert).to_contain_text("Phá hoại, che chắn camera")

    # The officer opens an incident from the alert and proposes coordination with the unit.
    await act_as(page, demo.OFFICER)
    # One tap opens it: the questions of a typed /incident are not asked.
    await alert.get_by_role("button", name="Mở vụ việc").click()
    card = bot_message(page, "Vụ việc 2026/0001")
    await card.get_by_role("button", name="Đề xuất xử lý").click()
    await press(page, bot_message(page, "loại xử lý"), "dr:kind:coordination")
    await press(page, bot_message(page, "đơn vị nào"), "dr:unit:hq-kv1")
    await expect(
        bot_message(page, "đơn vị nào").locator('[data-data="dr:units-done"]')
    ).to_be_visible()
    await press(page, bot_message(page, "đơn vị nào"), "dr:units-done")
    await expect(bot_message(page, "nội dung yêu cầu")).to_be_visible()
    await write(page, "Đề nghị Chi cục KV1 kiểm tra bãi B3, camera 02 bị che")
    await expect(bot_message(page, "Phân tích, nhận định")).to_be_visible()
    await press(page, bot_message(page, "Phân tích, nhận định"), "dr:assess:facts")
    proposal = bot_message(page, "Đề xuất xử lý vụ việc")
    await expect(proposal).to_contain_text("chờ lãnh đạo ca trực")

    # The section leader may not approve: Telegram's pop-up says who decides.
    await act_as(page, demo.SECTION)
    await proposal.get_by_role("button", name="Duyệt", exact=False).first.click()
    popup = page.locator("#popup")
    await expect(popup).to_be_visible()
    await expect(popup).to_contain_text("Chỉ lãnh đạo ca trực hiện tại (Nguyễn Văn An)")
    await page.click("#popup-ok")
    await expect(popup).to_be_hidden()

    # The shift leader approves; the card is edited in place and loses its buttons.
    await act_as(page, demo.LEADER)
    await proposal.locator('.kb button[data-data^="ap:"]').click()
    decided = bot_message(page, "đã duyệt — Nguyễn Văn An")
    await expect(decided).to_be_visible()
    await expect(decided.locator(".kb button")).to_have_count(0)
    await expect(decided).to_contain_text("đã sửa")

    # In the unit's chat its contact acknowledges with a contact and an estimate.
    await open_chat(page, demo.UNIT_CHAT)
    await act_as(page, demo.UNIT_CONTACT)
    request = bot_message(page, "Yêu cầu của trực ban")
    await expect(request).to_contain_text("trong vòng 30 phút")
    await request.get_by_role("button", name="Báo đầu mối, thời gian xử lý").click()
    await expect(bot_message(page, "Ai xử lý")).to_be_visible()
    await write(page, "Đ/c Giang 0912 345 678, 45 phút")

    # Back in the duty group the acknowledgement is told, and the logbook holds the whole case.
    await open_chat(page, demo.GROUP)
    await expect(bot_message(page, "đã xác nhận")).to_contain_text("Đ/c Giang 0912 345 678")
    await act_as(page, demo.CLERK)
    await write(page, "/logbook")
    logbook = bot_message(page, "Sổ nhật ký trực ban")
    await expect(logbook).to_contain_text("2026/0001")
    await expect(logbook).to_contain_text("Chi cục HQ CK cảng Sài Gòn KV1")


async def test_a_drill_on_a_fast_clock_shows_the_30_minute_breach(
    page: Any, sandbox: Sandbox
) -> None:
    from playwright.async_api import expect

    await page.click("#open-drills")
    await page.fill("#speed", "120")
    await page.click('[data-drill="night-tampering"]')
    await expect(page.locator("#drill-status")).to_contain_text("Che camera bãi B3")
    breached = page.locator('#report tr[data-verdict="breached"]')
    await expect(breached).to_contain_text("trả lời trong 30 phút", timeout=150 * SECONDS)
    await expect(breached).to_contain_text("trả lời sau 4")
    await expect(page.locator('#report tr[data-verdict="met"]')).to_contain_text(
        "duyệt trước khi thực hiện"
    )
    # Behind the panel, the desk told the group of the breach on the drill's clock.
    await page.click("[data-close]")
    await expect(bot_message(page, "chưa hồi báo yêu cầu 2026/0001")).to_be_visible()


async def test_the_page_fits_a_phone(page: Any, sandbox: Sandbox) -> None:
    from playwright.async_api import expect

    await page.set_viewport_size({"width": 390, "height": 780})
    await page.reload()
    # On a phone the chat list comes first; a chat opens full screen with a way back.
    await expect(page.locator("#sidebar")).to_be_visible()
    await open_chat(page, demo.GROUP)
    await expect(page.locator("#sidebar")).to_be_hidden()
    await act_as(page, demo.OFFICER)
    await write(page, "/shift")
    await expect(bot_message(page, "Ca trực ngày")).to_be_visible()
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390
    await page.click("#back")
    await expect(page.locator("#sidebar")).to_be_visible()


async def test_the_walkthrough_on_a_phone_screen_step_by_step(
    page: Any, sandbox: Sandbox, tmp_path: Any
) -> None:
    from playwright.async_api import expect

    shots = tmp_path / "walkthrough-390x844"
    shots.mkdir()

    async def shot(step: str) -> None:
        await page.wait_for_timeout(300)
        await page.screenshot(path=str(shots / f"{step}.png"))

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    await open_chat(page, demo.GROUP)
    await page.click("#open-cameras")
    await page.click('[data-camera="yard"][data-event="tampering"]')
    await page.click("[data-close]")
    alert = bot_message(page, "CAM 02")
    await expect(alert.locator("img")).to_be_visible(timeout=20 * SECONDS)
    # The camera's rule name is the kind's, in Vietnamese; not the ONVIF rule's English name.
    await expect(alert).to_contain_text("Phá hoại, che chắn camera")
    await expect(alert).not_to_contain_text("tamper detector")
    await alert.scroll_into_view_if_needed()
    await shot("1-alert")
    await act_as(page, demo.OFFICER)
    await alert.get_by_role("button", name="Mở vụ việc").click()
    card = bot_message(page, "Vụ việc 2026/0001")
    await expect(card).to_be_visible()
    await shot("2-incident")
    await card.get_by_role("button", name="Đề xuất xử lý").click()
    await press(page, bot_message(page, "loại xử lý"), "dr:kind:coordination")
    await press(page, bot_message(page, "đơn vị nào"), "dr:unit:hq-kv1")
    await expect(
        bot_message(page, "đơn vị nào").locator('[data-data="dr:units-done"]')
    ).to_be_visible()
    await press(page, bot_message(page, "đơn vị nào"), "dr:units-done")
    await expect(bot_message(page, "nội dung yêu cầu")).to_be_visible()
    await write(page, "Đề nghị Chi cục KV1 kiểm tra bãi B3, camera 02 bị che")
    await press(page, bot_message(page, "Phân tích, nhận định"), "dr:assess:facts")
    proposal = bot_message(page, "Đề xuất xử lý vụ việc")
    await expect(proposal).to_contain_text("Chưa gửi gì đến đơn vị")
    await proposal.scroll_into_view_if_needed()
    await shot("3-proposal")
    await act_as(page, demo.LEADER)
    await proposal.locator('.kb button[data-data^="ap:"]').click()
    decided = bot_message(page, "đã duyệt — Nguyễn Văn An")
    await expect(decided).to_contain_text("hạn hồi báo")
    await decided.scroll_into_view_if_needed()
    await shot("4-approved")
    await page.click("#back")
    await open_chat(page, demo.UNIT_CHAT)
    await act_as(page, demo.UNIT_CONTACT)
    request = bot_message(page, "Yêu cầu của trực ban")
    await request.get_by_role("button", name="Báo đầu mối, thời gian xử lý").click()
    await write(page, "Đ/c Giang 0912 345 678, 45 phút")
    await shot("5-unit")
    await page.click("#back")
    await open_chat(page, demo.GROUP)
    story = bot_message(page, "đã duyệt — Nguyễn Văn An")
    await expect(story).to_contain_text("Đ/c Giang 0912 345 678")
    await story.scroll_into_view_if_needed()
    await shot("6-story")
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390
    print(f"walkthrough screenshots: {shots}")
