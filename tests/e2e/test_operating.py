"""The operator's port while the bot runs: alive, ready (or why not), and what it has done."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from bot.db.engine import head_revision
from bot.db.models import Deadline, OutboxMessage, OutboxStatus
from bot.devtools.onvif_camera import SimulatedCamera
from bot.operating import OPS_KEY
from tests.e2e.conftest import GROUP, OFFICER, Desktop, launch
from tests.e2e.test_alerts import alert_body, post
from tests.e2e.test_cameras import PASSWORD, camera_config
from tests.e2e.test_incidents import open_incident, propose
from tests.ops.scrape import get, get_json, scrape, total, value

DESK = "main"


def ops_port(desktop: Desktop) -> int:
    port = desktop.app.bot_data[OPS_KEY].port
    assert isinstance(port, int)
    return port


def live_deadlines(desktop: Desktop) -> int:
    with Session(desktop.engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Deadline)
            .where(col(Deadline.fired_at).is_(None), col(Deadline.cancelled).is_(False))
        ).one()


def pending_rows(desktop: Desktop) -> int:
    with Session(desktop.engine) as session:
        return session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
        ).one()


async def test_a_running_desk_is_alive_ready_and_holds_every_role(desktop: Desktop) -> None:
    port = ops_port(desktop)
    status, body, _ = await get(port, "/healthz")
    assert status == 200 and '"ok": true' in body
    status, ready = await get_json(port, "/readyz")
    assert status == 200, ready
    assert ready["ready"] is True and ready["failing"] == []
    assert set(ready["checks"]) == {"started", "database", "migrations", "telegram"}
    assert ready["checks"]["migrations"]["detail"] == f"at {head_revision()}"
    # One process holds everything today: it polls, sends, rings the alarm, takes alerts.
    assert {"poller", "sender", "alarm", "intake"} <= set(ready["roles"])


async def test_the_metrics_follow_messages_alerts_sends_and_deadlines(desktop: Desktop) -> None:
    port = ops_port(desktop)
    before = await scrape(port)

    desktop.say(OFFICER, "Xe 51C-123.45 ra cổng B lúc 9 giờ, đã kiểm tra")
    await desktop.settle()
    for seen in ("Người lạ trèo rào", "Vẫn còn người ở rào"):
        status, _answer = await post(desktop, alert_body("12", "motion", description=seen))
        assert status == 202
    await desktop.settle()
    after = await scrape(port)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, desk=DESK, **labels) - value(before, name, desk=DESK, **labels)

    assert moved("duty_desk_updates_total", kind="message") == 1
    assert moved("duty_desk_alert_events_total", source="webhook", outcome="stored") == 2
    # The first opened an alert with its card; the repeat was folded into it.
    assert moved("duty_desk_alert_folds_total", outcome="card") == 1
    assert moved("duty_desk_alert_folds_total", outcome="folded") == 1
    assert moved("duty_desk_telegram_requests_total", method="send_photo", result="sent") == 1
    assert total(after, "duty_desk_outbox_pending", desk=DESK) == pending_rows(desktop) == 0

    # A proposal waits for the shift leader: its reminder is a deadline in the database.
    await propose(desktop, open_incident(desktop))
    waiting = await scrape(port)
    pending = total(waiting, "duty_desk_deadlines_pending", desk=DESK)
    assert pending == live_deadlines(desktop) > 0
    assert value(waiting, "duty_desk_deadlines_overdue", desk=DESK) == 0
    fired_before = total(waiting, "duty_desk_deadline_lateness_seconds_count", desk=DESK)

    # Twelve minutes on, the leader's ten-minute reminder fires two minutes late.
    desktop.clock.advance(dt.timedelta(minutes=12))
    overdue = await scrape(port)
    assert value(overdue, "duty_desk_deadlines_overdue", desk=DESK) >= 1
    await desktop.settle()
    fired = await scrape(port)
    assert total(fired, "duty_desk_deadline_lateness_seconds_count", desk=DESK) > fired_before
    assert value(
        fired,
        "duty_desk_deadline_lateness_seconds_bucket",
        desk=DESK,
        kind="approval_reminder",
        le="60.0",
    ) < value(
        fired,
        "duty_desk_deadline_lateness_seconds_bucket",
        desk=DESK,
        kind="approval_reminder",
        le="300.0",
    )
    assert value(fired, "duty_desk_deadlines_overdue", desk=DESK) == 0
    # Telegram's flood control refuses the next message: it waits in the outbox, counted.
    desktop.emu.fail_next("sendMessage", retry_after=600)
    desktop.say(OFFICER, "/shift")
    await desktop.settle()
    await desktop.later(2)
    queued = await scrape(port)
    assert pending_rows(desktop) == 1
    assert value(queued, "duty_desk_outbox_pending", desk=DESK, priority="reply") == 1
    assert value(queued, "duty_desk_outbox_oldest_age_seconds", desk=DESK, priority="reply") == 120
    assert value(queued, "duty_desk_outbox_pending", desk=DESK, priority="urgent") == 0
    assert (
        value(
            queued,
            "duty_desk_telegram_requests_total",
            desk=DESK,
            method="send_message",
            result="rate_limited",
        )
        == 1
    )

    # Ten minutes on, the reply goes: nothing waits any more.
    await desktop.later(8)
    assert value(await scrape(port), "duty_desk_outbox_pending", desk=DESK, priority="reply") == 0


async def test_readyz_names_migrations_behind(desktop: Desktop) -> None:
    port = ops_port(desktop)
    head = head_revision()
    behind = f"{int(head) - 1:04d}"
    with desktop.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": behind})
    try:
        status, ready = await get_json(port, "/readyz")
        assert status == 503
        assert ready["ready"] is False and ready["failing"] == ["migrations"]
        assert ready["checks"]["migrations"]["detail"] == (
            f"database at {behind}, this version needs {head}"
        )
        # Alive all the same: a restart would not help, `duty-desk db upgrade` would.
        assert (await get(port, "/healthz"))[0] == 200
    finally:
        with desktop.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert (await get_json(port, "/readyz"))[0] == 200


class Proxy:
    """A TCP proxy in front of PostgreSQL that can be cut off, as a network or a failover is.

    In threads of its own: the bot talks to its database from the event loop, blocking it.
    """

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.port = 0

    def start(self) -> None:
        """Accept connections (on the same port as before, after a cut)."""
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        assert self._listener is not None
        # shutdown() wakes the thread blocked in accept(); close() alone would leave the
        # port listening until it returns.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._listener = None
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def proxied(url: str) -> Iterator[tuple[Proxy, str]]:
    parsed = make_url(url)
    proxy = Proxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy.start()
    try:
        yield (
            proxy,
            parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        if proxy._listener is not None:
            proxy.cut()


async def test_readyz_names_the_database_when_postgresql_is_cut_off(migrated_url: str) -> None:
    if not migrated_url.startswith("postgresql"):
        # SQLite is a file inside the process; tests/ops/test_readiness.py has one that
        # cannot be opened.
        pytest.skip("needs a database server to cut off: PostgreSQL only")
    with proxied(migrated_url) as (proxy, url):
        async with launch(url) as desktop:
            port = ops_port(desktop)
            assert (await get_json(port, "/readyz"))[0] == 200
            proxy.cut()
            status, ready = await get_json(port, "/readyz")
            assert status == 503
            assert ready["failing"] == ["database", "migrations"]
            assert ready["checks"]["migrations"]["detail"] == "not checked: no database"
            assert "Connection refused" in ready["checks"]["database"]["detail"]
            assert (await get(port, "/healthz"))[0] == 200
            # The counters are still served; the gauges read from the database say they
            # could not be read rather than show stale or zero values as the truth.
            cut_off = await scrape(port)
            assert value(cut_off, "duty_desk_metrics_database_up", desk=DESK) == 0
            assert total(cut_off, "duty_desk_outbox_pending") == 0
            assert value(cut_off, "duty_desk_updates_total", desk=DESK, kind="message") == 0
            # The database comes back (a failover): ready again, with no restart.
            proxy.start()
            assert (await get_json(port, "/readyz"))[0] == 200


async def test_a_streamed_camera_is_a_role_and_its_state_a_gauge(migrated_url: str) -> None:
    async with (
        SimulatedCamera(name="Cổng C", password=PASSWORD) as camera,
        launch(migrated_url, cameras=camera_config(camera)) as desktop,
    ):
        port = ops_port(desktop)
        for _ in range(100):
            if camera.live_subscriptions() == 1:
                break
            await asyncio.sleep(0.05)
        status, ready = await get_json(port, "/readyz")
        assert status == 200 and "camera:20" in ready["roles"]
        samples = await scrape(port)
        assert value(samples, "duty_desk_camera_subscriptions", desk=DESK, kind="pullpoint") == 1
        # Not yet seen by a health round.
        assert value(samples, "duty_desk_cameras", desk=DESK, state="unknown") == 1

        await desktop.desk.cameras.health_round()
        assert value(await scrape(port), "duty_desk_cameras", desk=DESK, state="up") == 1
        camera.set_mode("offline")
        await desktop.desk.cameras.health_round()
        samples = await scrape(port)
        assert value(samples, "duty_desk_cameras", desk=DESK, state="down") == 1
        assert value(samples, "duty_desk_cameras", desk=DESK, state="up") == 0


async def test_an_unhandled_error_is_counted(desktop: Desktop) -> None:
    port = ops_port(desktop)
    assert value(await scrape(port), "duty_desk_errors_total", desk=DESK, source="update") == 0
    with Session(desktop.engine) as session:
        session.execute(text("DROP TABLE handover"))
        session.commit()
    mark = desktop.emu.mark()
    desktop.say(OFFICER, "/pending")
    await desktop.answer(GROUP, mark)
    await desktop.settle()
    assert value(await scrape(port), "duty_desk_errors_total", desk=DESK, source="update") == 1
