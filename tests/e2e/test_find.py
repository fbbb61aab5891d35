"""/find: officers search the logbook and incidents by reference, camera or words."""

from __future__ import annotations

from tests.e2e.conftest import GROUP, OFFICER, STRANGER, Desktop, text_of
from tests.e2e.test_incidents import open_incident


async def ask(desktop: Desktop, who: int, text: str) -> str:
    mark = desktop.emu.mark()
    desktop.say(who, text)
    return text_of(await desktop.answer(GROUP, mark))


async def a_shift_with_references(desktop: Desktop) -> None:
    open_incident(desktop)  # 2026/0001: plate 51C-123.45, container CSQU3054383, Cát Lái
    desktop.say(OFFICER, "#vuviec Camera 12 cổng B: xe 51C-123.45 quay đầu trước máy soi")
    desktop.say(OFFICER, "#ketqua Đội Kiểm soát đã kiểm tra container CSQU 305438-3, đúng khai báo")
    desktop.say(OFFICER, "/log Kiểm tra định kỳ camera khu vực ICD Transimex: bình thường")
    await desktop.settle()


async def test_a_plate_is_found_however_it_is_written(desktop: Desktop) -> None:
    await a_shift_with_references(desktop)
    for written in ("51C-123.45", "51c12345", "51C 123.45"):
        answer = await ask(desktop, OFFICER, f"/find {written}")
        assert "vụ việc 1, mục nhật ký 2" in answer, written
        assert "2026/0001" in answer
        assert "quay đầu trước máy soi" in answer
        assert "ICD Transimex" not in answer


async def test_a_container_number_and_words_together(desktop: Desktop) -> None:
    await a_shift_with_references(desktop)
    answer = await ask(desktop, OFFICER, "/find CSQU3054383")
    # The result entry wrote it with spaces and a dash; the incident without.
    assert "vụ việc 1, mục nhật ký 2" in answer
    assert "đúng khai báo" in answer
    answer = await ask(desktop, OFFICER, '/find camera "cổng b"')
    assert "mục nhật ký 1" in answer and "Camera 12 cổng B" in answer
    # Vietnamese capitals match lower case, as PostgreSQL does it.
    answer = await ask(desktop, OFFICER, "/find đội kiểm soát")
    assert "mục nhật ký 1" in answer and "đúng khai báo" in answer


async def test_nothing_found_and_no_words_are_explained(desktop: Desktop) -> None:
    await a_shift_with_references(desktop)
    answer = await ask(desktop, OFFICER, "/find 29H-999.99")
    assert "Không có mục nhật ký hay vụ việc nào khớp với 29H-999.99" in answer
    answer = await ask(desktop, OFFICER, "/find")
    assert "Gõ /find kèm nội dung cần tìm" in answer


async def test_someone_outside_the_desk_cannot_search(desktop: Desktop) -> None:
    await a_shift_with_references(desktop)
    answer = await ask(desktop, STRANGER, "/find 51C-123.45")
    assert "51C" not in answer
    assert desktop.desk.audit.lines("denied")[-1].detail == "cmd_find needs view"
