"""Each desk sees and writes only its own rows, whatever a service's query forgets to say.

A desk's services reach the database through `desk_engine(engine, key)`: the shared engine
(one pool) carrying the desk's key as an execution option. Every ORM statement of a session
bound to it (select, get, update, delete, joins and relationship loads) is limited to rows of
that desk, and every row it adds is stamped with that desk. A session on the bare engine (the
sender, the deadline alarm's scheduling, the coordinator) sees every desk's rows and may not add
a desk's row without naming the desk. This is SQLAlchemy's documented "global filter" recipe
(`with_loader_criteria` in a `do_orm_execute` hook): one rule in one place, not a `where` in
each of hundreds of queries, so a query cannot leak by forgetting it.

Core statements written by hand (`text()`, `Table` inserts on hot paths) are not ORM
statements; those name the desk themselves, through `session_desk`.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import ColumnElement, column
from sqlalchemy.sql.base import ExecutableOption
from sqlmodel import Field, SQLModel

# The execution option carrying a desk's key on its engine.
DESK_OPTION = "duty_desk_desk"
# The single desk of a configuration without `desks:`; also the rows older versions kept.
DEFAULT_DESK = "main"


class DeskScoped:
    """Marks the tables whose rows belong to one desk (the criterion's target)."""


def _statement_desk(context: Any) -> str:
    """A plain insert's desk: the one its connection is limited to; refused when it has none."""
    desk = context.execution_options.get(DESK_OPTION)
    if not isinstance(desk, str):
        raise UnscopedDeskRowError(f"{context.compiled.statement.table}: inserted without a desk")
    return desk


def desk_key_field() -> Any:
    """The desk column of a table whose key includes the desk."""
    return Field(
        default=None,
        max_length=64,
        primary_key=True,
        sa_column_kwargs={"default": _statement_desk},
    )


class DeskRow(SQLModel, DeskScoped):
    """The desk a row belongs to: the session's or the connection's desk when left unsaid."""

    # Left unsaid (None), an insert takes its session's or connection's desk: the ORM leaves
    # a None column with a default out of its insert, so the default below fills it.
    desk: str | None = Field(
        default=None,
        max_length=64,
        index=True,
        nullable=False,
        sa_column_kwargs={"default": _statement_desk},
    )


class UnscopedDeskRowError(RuntimeError):
    """A desk's row was added through a session that belongs to no desk, naming none."""


class ForeignDeskRowError(RuntimeError):
    """A session of one desk was asked to add a row of another."""


def desk_engine(engine: Engine, key: str) -> Engine:
    """The shared engine as one desk sees it: same pool, every statement limited to the desk."""
    return engine.execution_options(**{DESK_OPTION: key})


def deployment_engine(engine: Engine) -> Engine:
    """The engine as the whole deployment sees it: every desk's rows (the sender's view)."""
    return engine.execution_options(**{DESK_OPTION: None})


def engine_desk(bind: Engine | Connection | None) -> str | None:
    """The desk an engine or connection is limited to, or None for the whole deployment."""
    if bind is None:
        return None
    desk = bind.get_execution_options().get(DESK_OPTION)
    return desk if isinstance(desk, str) else None


def session_desk(session: Session) -> str | None:
    """The desk a session is limited to, or None for the whole deployment."""
    bind = session.bind
    return engine_desk(bind) if isinstance(bind, Engine | Connection) else None


# The criterion is built once per statement shape with the marker class itself, which has no
# columns: it then stands for any table's desk column.
_ANY_DESK_COLUMN: ColumnElement[Any] = column("desk")


def _desk_column(cls: Any) -> ColumnElement[Any]:
    try:
        return cls.desk  # type: ignore[no-any-return]
    except AttributeError:
        return _ANY_DESK_COLUMN


@event.listens_for(Session, "do_orm_execute")
def _limit_to_desk(state: ORMExecuteState) -> None:
    desk = session_desk(state.session)
    if desk is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(_desk_criteria(desk))


@functools.cache
def _desk_criteria(desk: str) -> ExecutableOption:
    # Built once per desk: every ORM statement takes it, and building it analyses the lambda.
    return with_loader_criteria(
        DeskScoped, lambda cls: _desk_column(cls) == desk, include_aliases=True
    )


@event.listens_for(Session, "before_flush")
def _stamp_desk(session: Session, _context: Any, _instances: Any) -> None:
    desk = session_desk(session)
    for row in session.new:
        if not isinstance(row, DeskScoped):
            continue
        given = getattr(row, "desk", None)
        if given is None:
            if desk is None:
                raise UnscopedDeskRowError(
                    f"{type(row).__name__}: added outside a desk without naming one"
                )
            row.desk = desk  # type: ignore[attr-defined]
        elif desk is not None and given != desk:
            raise ForeignDeskRowError(f"{type(row).__name__} of desk {given!r} added in {desk!r}")
