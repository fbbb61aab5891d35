"""Screens of a paged message: under the limit, nothing lost, HTML never cut inside a tag."""

from __future__ import annotations

from html import escape, unescape

from bot.button_data import PageCodec, PagePress, read_id
from bot.paging import screens, units


def test_lines_fill_screens_in_order_under_the_limit() -> None:
    lines = [f"<b>{n}.</b> " + escape(f"Kiểm tra camera số {n} & cổng B") for n in range(1, 60)]
    pages = screens(lines, 300)
    assert len(pages) > 1
    assert all(sum(units(line) + 1 for line in page) <= 300 for page in pages)
    assert [line for page in pages for line in page] == lines


def test_a_line_longer_than_a_screen_is_cut_at_spaces_without_losing_a_word() -> None:
    words = " ".join(f"từ{n}&" for n in range(400))
    pages = screens([f"<i>{escape(words)}</i>"], 300)
    assert len(pages) > 1
    pieces = [unescape(line) for page in pages for line in page]
    assert all("<" not in piece for piece in pieces)
    assert " ".join(pieces).split() == words.split()
    assert all(sum(units(line) + 1 for line in page) <= 300 for page in pages)


def test_nothing_still_makes_one_screen_and_a_blank_line_does_not_open_one() -> None:
    assert screens([]) == [[]]
    pages = screens(["a" * 150, "", "b" * 150], 200)
    assert pages == [["a" * 150], ["b" * 150]]


def test_page_buttons_read_back_only_what_the_bot_could_have_made() -> None:
    codec = PageCodec("ih", read_id)
    assert codec.read(codec.data(42, 3)) == PagePress(42, 3)
    for forged in ("ih:42", "ih:0:1", "ih:42:-1", "ih:42:100001", "lb:42:1", "ih:x:1"):
        assert codec.read(forged) is None


def test_a_sections_heading_is_not_left_alone_at_the_bottom_of_a_page() -> None:
    lines = ["a" * 80, "", "<b>Camera không hoạt động (1):</b>", "• C01 Cổng chính"]
    pages = screens(lines, 130)
    assert pages == [["a" * 80], ["<b>Camera không hoạt động (1):</b>", "• C01 Cổng chính"]]
