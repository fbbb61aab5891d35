"""The logbook service without Telegram: line numbers per shift, hashtag columns, edits as
corrections, and every entry on the hash chain (a real database, an injected clock)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.models import ChatMessage, DutyShift, EntryOrigin, LogbookEntry, LogColumn
from bot.logbook.chain import Break, verify
from bot.logbook.service import Author, IncomingMessage, Logbook, Outcome, Recorded
from bot.shifts import Roster
from tests.conftest import SHIFT_DAY

ICT = dt.timezone(dt.timedelta(hours=7))
GROUP = -1001234567890
LEADER, OFFICER, STRANGER = 101, 102, 999
NEXT_DAY = SHIFT_DAY + dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ICT)


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(SHIFT_DAY, 9, 0))


@pytest.fixture
def logbook(engine: Engine, clock: ManualClock) -> Logbook:
    settings = Settings(
        people=[
            {"id": LEADER, "name": "Nguyễn Văn An", "title": "Phó Cục trưởng"},
            {"id": OFFICER, "name": "Trần Thị Bình"},
        ],
        roster={
            "days": {
                SHIFT_DAY.isoformat(): {"shift_leader": LEADER, "officers": [OFFICER]},
                NEXT_DAY.isoformat(): {"shift_leader": LEADER, "officers": [OFFICER]},
            }
        },
    )
    return Logbook(engine, Roster(settings), clock)


def message(
    message_id: int,
    words: str,
    sent_at: dt.datetime,
    *,
    user_id: int = OFFICER,
    edited_at: dt.datetime | None = None,
) -> IncomingMessage:
    return IncomingMessage(
        chat_id=GROUP,
        message_id=message_id,
        author=Author(user_id, "binh_tg"),
        sent_at=sent_at,
        text=words,
        edited_at=edited_at,
    )


def entries(engine: Engine) -> list[LogbookEntry]:
    with Session(engine) as session:
        return list(session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all())


def test_each_filed_message_takes_the_next_line_of_its_shift(
    logbook: Logbook, engine: Engine, clock: ManualClock
) -> None:
    first = logbook.record_message(message(1, "#congviec Kiểm tra camera cổng 3", clock.now()))
    clock.advance(dt.timedelta(minutes=20))
    second = logbook.record_message(message(2, "#ghichu Trời mưa to", clock.now()))

    assert first.outcome == second.outcome == Outcome.ENTRY
    lines = entries(engine)
    assert [(e.shift_date, e.seq) for e in lines] == [(SHIFT_DAY, 1), (SHIFT_DAY, 2)]
    # The logbook names its author as the desk's people list does, not by a Telegram handle.
    assert {e.author_name for e in lines} == {"Trần Thị Bình"}
    assert lines[0].work_performed == "Kiểm tra camera cổng 3"
    assert lines[1].notes == "Trời mưa to"


def test_0759_and_0801_fall_in_different_shifts(
    logbook: Logbook, engine: Engine, clock: ManualClock
) -> None:
    logbook.record_message(message(1, "#congviec Đầu ca", at(SHIFT_DAY, 9, 0)))
    # The bot was down over the change of shift: both are recorded after 08:01, yet each goes
    # to the shift it was written in.
    clock.set(at(NEXT_DAY, 8, 30))
    logbook.record_message(message(2, "#congviec Cuối ca", at(NEXT_DAY, 7, 59)))
    logbook.record_message(message(3, "#congviec Ca mới", at(NEXT_DAY, 8, 1)))

    lines = entries(engine)
    assert [(e.work_performed, e.shift_date, e.seq) for e in lines] == [
        ("Đầu ca", SHIFT_DAY, 1),
        ("Cuối ca", SHIFT_DAY, 2),
        ("Ca mới", NEXT_DAY, 1),
    ]
    assert lines[1].recorded_at == at(NEXT_DAY, 8, 30)
    with Session(engine) as session:
        stored = session.exec(select(ChatMessage).order_by(col(ChatMessage.id))).all()
        shifts = session.exec(select(DutyShift).order_by(col(DutyShift.shift_date))).all()
    assert [m.shift_date for m in stored] == [SHIFT_DAY, SHIFT_DAY, NEXT_DAY]
    # The new shift's record starts at 08:00, with the composition the roster gives it.
    assert [s.shift_date for s in shifts] == [SHIFT_DAY, NEXT_DAY]
    assert shifts[1].starts_at == at(NEXT_DAY, 8, 0)
    assert "Nguyễn Văn An" in shifts[1].composition


def test_hashtags_file_text_under_the_annex_i_columns(logbook: Logbook, engine: Engine) -> None:
    when = at(SHIFT_DAY, 10, 15)
    recorded = logbook.record_message(
        message(
            1,
            "Xe 51C-123.45 #VụViệc quay đầu trước cổng #chidao Đội 1 kiểm tra "
            "#ketqua Đã kiểm tra, không vi phạm",
            when,
        )
    )

    assert recorded.outcome == Outcome.ENTRY
    (entry,) = entries(engine)
    assert entry.incident == "Xe 51C-123.45 quay đầu trước cổng"
    assert entry.direction == "Đội 1 kiểm tra"
    assert entry.result == "Đã kiểm tra, không vi phạm"
    assert entry.work_performed == ""
    assert entry.origin == EntryOrigin.HASHTAG
    assert entry.incident_received_at == when
    assert (entry.direction_at, entry.direction_channel) == (when, "message")
    assert entry.result_reported_at == when


def test_a_message_without_a_hashtag_is_kept_but_not_filed(
    logbook: Logbook, engine: Engine
) -> None:
    recorded = logbook.record_message(message(1, "Mọi người ăn trưa chưa?", at(SHIFT_DAY, 11, 0)))

    assert recorded.outcome == Outcome.STORED
    assert entries(engine) == []
    assert [m.text for m in logbook.messages(SHIFT_DAY)] == ["Mọi người ăn trưa chưa?"]


def test_only_people_on_the_shift_file_and_a_redelivery_files_nothing_twice(
    logbook: Logbook, engine: Engine
) -> None:
    when = at(SHIFT_DAY, 9, 30)
    refused = logbook.record_message(message(1, "#vuviec Tin đồn", when, user_id=STRANGER))
    filed = logbook.record_message(message(2, "#vuviec Camera 21 mất tín hiệu", when))
    again = logbook.record_message(message(2, "#vuviec Camera 21 mất tín hiệu", when))

    assert (refused.outcome, filed.outcome, again.outcome) == (
        Outcome.NOT_ALLOWED,
        Outcome.ENTRY,
        Outcome.DUPLICATE,
    )
    assert [e.incident for e in entries(engine)] == ["Camera 21 mất tín hiệu"]


def test_an_edit_is_a_new_line_pointing_at_the_one_it_corrects(
    logbook: Logbook, engine: Engine, clock: ManualClock
) -> None:
    sent = clock.now()
    logbook.record_message(message(7, "#vuviec Camera 21 mất tín hiệu lúc 02:10", sent))
    edited = clock.advance(dt.timedelta(minutes=5))
    recorded = logbook.record_message(
        message(7, "#vuviec Camera 12 mất tín hiệu lúc 02:10", sent, edited_at=edited)
    )

    assert recorded.outcome == Outcome.CORRECTION
    original, correction = entries(engine)
    # Append-only (888 Annex I): the original line keeps its words; the correction says what
    # it corrects and when it was made.
    assert (original.seq, original.incident) == (1, "Camera 21 mất tín hiệu lúc 02:10")
    assert (correction.seq, correction.incident) == (2, "Camera 12 mất tín hiệu lúc 02:10")
    assert correction.corrects_id == original.id
    assert correction.origin == EntryOrigin.CORRECTION
    assert correction.created_at == edited
    assert [m.is_edit for m in logbook.messages(SHIFT_DAY)] == [False, True]


def test_every_entry_is_sealed_on_the_chain_and_tampering_is_named(
    logbook: Logbook, engine: Engine, clock: ManualClock
) -> None:
    logbook.record_message(message(1, "#congviec Nhận ca", clock.now()))
    logbook.write(
        Author(LEADER, "an_tg"),
        "#chidao Theo dõi cổng 3",
        clock.now(),
        source=None,
        source_key="log:1",
    )
    with Session(engine) as session:
        logbook.append(
            session, Author(None, "duty-desk"), clock.now(), {LogColumn.WORK: "Bàn giao ca"}
        )
        session.commit()

    intact = verify(engine)
    assert intact.intact and intact.checked == 3

    with engine.begin() as connection:
        connection.execute(
            text("UPDATE logbook_entry SET direction = 'Bỏ qua cổng 3' WHERE seq = 2")
        )
    broken = verify(engine)
    assert broken.broken == Break.CHANGED
    assert broken.entry is not None and broken.entry.seq == 2


def test_two_processes_writing_the_same_shift_take_different_lines(
    migrated_url: str, clock: ManualClock, logbook: Logbook
) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several processes share a database only on PostgreSQL (SQLite: one)")
    other = make_engine(migrated_url)
    second = Logbook(other, logbook._roster, clock)
    when = at(SHIFT_DAY, 9, 0)
    writer = Author(OFFICER, "Trần Thị Bình")
    # The shift exists (its first line); then each process writes in a transaction of its own.
    logbook.write(writer, "Nhận ca", when, source=None, source_key=None)
    with Session(logbook._engine) as first:
        logbook.append(first, writer, when, {LogColumn.WORK: "Dòng của tiến trình 1"})
        first.flush()
        done: list[Recorded] = []
        thread = threading.Thread(
            target=lambda: done.append(
                second.write(writer, "Dòng của tiến trình 2", when, source=None, source_key=None)
            )
        )
        thread.start()
        # The second waits for the first's transaction, not for a line it would share.
        thread.join(timeout=1.0)
        assert thread.is_alive()
        first.commit()
    thread.join(timeout=10)
    assert done and done[0].outcome == Outcome.ENTRY
    lines = sorted((e.seq, e.work_performed) for e in entries(logbook._engine))
    assert lines == [(1, "Nhận ca"), (2, "Dòng của tiến trình 1"), (3, "Dòng của tiến trình 2")]
    assert verify(logbook._engine).intact
    other.dispose()


def _backlog() -> list[IncomingMessage]:
    """A backlog as after an outage: chatter, hashtags across midnight's shift change, a
    stranger's hashtag, and an edit of a line filed earlier in the same backlog."""
    return [
        message(1, "#vuviec Camera C01 mất tín hiệu", at(SHIFT_DAY, 9, 1)),
        message(2, "Đã gọi kỹ thuật", at(SHIFT_DAY, 9, 2)),
        message(3, "#ketqua Đã khắc phục", at(SHIFT_DAY, 9, 3), user_id=STRANGER),
        message(4, "#congviec Tuần tra khu vực cổng", at(SHIFT_DAY, 9, 4)),
        message(
            1,
            "#vuviec Camera C01 và C02 mất tín hiệu",
            at(SHIFT_DAY, 9, 1),
            edited_at=at(SHIFT_DAY, 9, 5),
        ),
        message(5, "#ghichu Bàn giao lúc 8 giờ", at(NEXT_DAY, 8, 30)),
    ]


def _lines(engine: Engine) -> list[tuple[dt.date, int, str, str, int | None]]:
    with Session(engine) as session:
        entries = session.exec(select(LogbookEntry).order_by(col(LogbookEntry.id))).all()
        return [
            (
                e.shift_date,
                e.seq,
                e.origin,
                e.incident or e.result or e.work_performed or e.notes,
                e.source_message_id,
            )
            for e in entries
        ]


def test_a_backlog_recorded_in_one_transaction_files_exactly_as_one_by_one(
    engine: Engine, logbook: Logbook
) -> None:
    together = logbook.record_messages(_backlog())
    lines_together = _lines(engine)
    assert verify(engine).intact
    with Session(engine) as session:
        for table in (LogbookEntry, ChatMessage, DutyShift):
            session.execute(text(f"DELETE FROM {table.__tablename__}"))  # type: ignore[attr-defined]
        session.commit()
    one_by_one = [logbook.record_message(m) for m in _backlog()]
    assert (
        [r.outcome for r in together]
        == [r.outcome for r in one_by_one]
        == [
            Outcome.ENTRY,
            Outcome.STORED,
            Outcome.NOT_ALLOWED,
            Outcome.ENTRY,
            Outcome.CORRECTION,
            Outcome.ENTRY,
        ]
    )
    assert lines_together == _lines(engine)
    # Lines 1 and 2 of the shift, then the correction of line 1 as line 3; the next shift's first.
    assert [(d, seq) for d, seq, *_ in lines_together] == [
        (SHIFT_DAY, 1),
        (SHIFT_DAY, 2),
        (SHIFT_DAY, 3),
        (NEXT_DAY, 1),
    ]
    assert together[4].entries[0].corrects_id == together[0].entries[0].id


def test_a_redelivered_backlog_stores_and_files_only_what_is_new(
    engine: Engine, logbook: Logbook
) -> None:
    backlog = _backlog()
    logbook.record_messages(backlog[:3])
    again = logbook.record_messages(backlog)
    assert [r.outcome for r in again] == [
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
        Outcome.ENTRY,
        Outcome.CORRECTION,
        Outcome.ENTRY,
    ]
    with Session(engine) as session:
        assert len(session.exec(select(ChatMessage)).all()) == len(backlog)
    assert [seq for _, seq, *_ in _lines(engine)] == [1, 2, 3, 1]
    assert verify(engine).intact
