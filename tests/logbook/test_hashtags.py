"""Hashtags file text under the Annex I columns."""

from __future__ import annotations

from bot.db.models import LogColumn
from bot.logbook.hashtags import column_of, is_command, split_columns, strip_command


def test_vietnamese_tags_work_with_or_without_diacritics() -> None:
    assert column_of("vuviec") is LogColumn.INCIDENT
    assert column_of("VụViệc") is LogColumn.INCIDENT
    assert column_of("chỉđạo") is LogColumn.DIRECTION
    assert column_of("KetQua") is LogColumn.RESULT
    assert column_of("incident") is LogColumn.INCIDENT
    assert column_of("camera12") is None


def test_one_kind_of_tag_files_the_whole_text_wherever_it_stands() -> None:
    assert split_columns("Camera 12 cổng B mất tín hiệu lúc 02:10 #vuviec") == {
        LogColumn.INCIDENT: "Camera 12 cổng B mất tín hiệu lúc 02:10"
    }


def test_several_kinds_split_the_text_between_columns() -> None:
    text = (
        "#vuviec Xe 51C-123.45 vào bãi không qua cổng #chidao Đề nghị Đội 1 kiểm tra "
        "#ketqua Đã xác minh"
    )
    assert split_columns(text) == {
        LogColumn.INCIDENT: "Xe 51C-123.45 vào bãi không qua cổng",
        LogColumn.DIRECTION: "Đề nghị Đội 1 kiểm tra",
        LogColumn.RESULT: "Đã xác minh",
    }


def test_text_without_known_tags_is_not_filed() -> None:
    assert split_columns("Cà phê không? #camera12") == {}


def test_commands_are_recognised_and_stripped() -> None:
    assert is_command("/log@duty_desk_bot #ketqua xong")
    assert not is_command("ghi chú /log")
    assert strip_command("/log@duty_desk_bot #ketqua xong") == "#ketqua xong"
