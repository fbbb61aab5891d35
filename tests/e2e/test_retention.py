"""The running bot prunes raw camera events and delivered messages at 04:30, nothing else."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.db.models import AlertSource, CameraAlert, CameraEventRecord, OutboxMessage, OutboxStatus
from bot.logbook.chain import verify
from tests.conftest import MORNING
from tests.e2e.conftest import GROUP, OFFICER, Desktop

HCM = dt.timezone(dt.timedelta(hours=7))
LONG_AGO = MORNING - dt.timedelta(days=120)


def _old_records(engine: Engine) -> tuple[int, int, int, int]:
    """An alert with its event, a delivered message, long ago; an event of this morning."""
    with engine.begin() as connection:
        times = {"occurred_at": LONG_AGO, "received_at": LONG_AGO}
        alert = connection.execute(
            insert(CameraAlert).values(
                camera="12", kind="motion", source=AlertSource.WEBHOOK.value,
                last_seen_at=LONG_AGO, **times,
            )
        ).inserted_primary_key[0]  # fmt: skip
        old_event = connection.execute(
            insert(CameraEventRecord).values(
                camera="12", kind="motion", source=AlertSource.WEBHOOK.value, alert_id=alert,
                **times,
            )
        ).inserted_primary_key[0]  # fmt: skip
        recent_event = connection.execute(
            insert(CameraEventRecord).values(
                camera="12", kind="motion", source=AlertSource.WEBHOOK.value, alert_id=alert,
                occurred_at=MORNING, received_at=MORNING,
            )
        ).inserted_primary_key[0]  # fmt: skip
        message = connection.execute(
            insert(OutboxMessage).values(
                created_at=LONG_AGO, chat_id=GROUP, method="send_message",
                payload='{"text": "Tin cũ"}', status=OutboxStatus.SENT.value,
                not_before=LONG_AGO, sent_at=LONG_AGO, telegram_message_id=1,
            )
        ).inserted_primary_key[0]  # fmt: skip
    return alert, old_event, recent_event, message


def _present(engine: Engine, model: type[SQLModel], row_id: int) -> bool:
    rows = model.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return connection.execute(select(rows.c.id).where(rows.c.id == row_id)).first() is not None


async def test_the_bot_prunes_once_a_day_at_half_past_four(desktop: Desktop) -> None:
    engine = desktop.engine
    alert, old_event, recent_event, message = _old_records(engine)
    desktop.say(OFFICER, "/log Kiểm tra 45 ca-mê-ra khu vực cảng Cát Lái")
    await desktop.settle()

    desktop.clock.set(dt.datetime(2026, 11, 26, 4, 29, tzinfo=HCM))
    await desktop.settle()
    assert _present(engine, CameraEventRecord, old_event)
    assert _present(engine, OutboxMessage, message)

    desktop.clock.set(dt.datetime(2026, 11, 26, 4, 31, tzinfo=HCM))
    await desktop.settle()
    assert not _present(engine, CameraEventRecord, old_event)
    assert not _present(engine, OutboxMessage, message)
    assert _present(engine, CameraEventRecord, recent_event)
    assert _present(engine, CameraAlert, alert)
    verdict = verify(engine)
    assert verdict.intact and verdict.checked >= 1
