"""A desk's session sees and changes only its desk's rows, whatever the query leaves unsaid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from bot.db.desk_scope import (
    ForeignDeskRowError,
    UnscopedDeskRowError,
    deployment_engine,
    desk_engine,
)
from bot.db.engine import make_engine
from bot.db.models import AuditEvent, Incident
from tests.conftest import MORNING


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url, desk=None)
    yield engine
    engine.dispose()


def note(action: str) -> AuditEvent:
    return AuditEvent(at=MORNING, action=action)


def incident(desk: str | None, description: str) -> Incident:
    return Incident(
        desk=desk,
        year=2026,
        number=1,
        shift_date=MORNING.date(),
        arisen_at=MORNING,
        received_at=MORNING,
        description=description,
    )


def actions(engine: Engine) -> list[tuple[str | None, str]]:
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id))  # type: ignore[arg-type]
        return [(row.desk, row.action) for row in rows]


def test_each_desk_reads_writes_and_deletes_only_its_rows(engine: Engine) -> None:
    hq, dn = desk_engine(engine, "hq"), desk_engine(engine, "dn")
    with Session(hq) as session:
        session.add_all([note("hq-1"), note("hq-2")])
        session.commit()
    with Session(dn) as session:
        session.add(note("dn-1"))
        session.commit()
    assert actions(deployment_engine(engine)) == [("hq", "hq-1"), ("hq", "hq-2"), ("dn", "dn-1")]

    with Session(dn) as session:
        assert [a.action for a in session.exec(select(AuditEvent))] == ["dn-1"]
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == 1
        # An id of the other desk, as a forged button would carry: not there.
        assert session.get(AuditEvent, 1) is None
        session.execute(update(AuditEvent).values(detail="sửa"))
        session.execute(delete(AuditEvent).where(AuditEvent.action != "x"))
        session.commit()
    assert actions(engine) == [("hq", "hq-1"), ("hq", "hq-2")]
    with Session(engine) as session:
        assert all(row.detail == "" for row in session.exec(select(AuditEvent)))


def test_a_plain_insert_takes_its_connections_desk(engine: Engine) -> None:
    with desk_engine(engine, "dn").begin() as connection:
        connection.execute(insert(AuditEvent), [{"at": MORNING, "action": "plain"}])
    assert actions(engine) == [("dn", "plain")]


def test_a_row_without_a_desk_or_of_another_desk_is_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(note("nobody's"))
        with pytest.raises(UnscopedDeskRowError):
            session.commit()
    with (
        pytest.raises(StatementError, match="inserted without a desk"),
        engine.begin() as connection,
    ):
        connection.execute(insert(AuditEvent), [{"at": MORNING, "action": "plain"}])
    with Session(desk_engine(engine, "hq")) as session:
        session.add(incident("dn", "x"))
        with pytest.raises(ForeignDeskRowError):
            session.commit()
    assert actions(engine) == []


def test_numbers_unique_in_a_desk_repeat_across_desks(engine: Engine) -> None:
    for key in ("hq", "dn"):
        with Session(desk_engine(engine, key)) as session:
            session.add(incident(None, key))
            session.commit()
    with Session(engine) as session:
        assert sorted(i.desk or "" for i in session.exec(select(Incident))) == ["dn", "hq"]
