"""The operator's HTTP port: GET /healthz, /readyz and /metrics.

/healthz answers 200 while the event loop runs handlers at all (a liveness probe); /readyz
200 only when every readiness check passes, else 503 naming the failing ones, with the roles
this process holds either way; /metrics is Prometheus' text format, read in a thread since
its gauges query the database.
"""

from __future__ import annotations

import asyncio
import errno
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from bot.config import OpsSettings
from bot.ops.readiness import Readiness

log = logging.getLogger(__name__)


class OpsServer:
    """Serves health, readiness and metrics on its own port."""

    def __init__(
        self, config: OpsSettings, readiness: Readiness, registry: CollectorRegistry
    ) -> None:
        self._config = config
        self._readiness = readiness
        self._registry = registry
        self._runner: web.AppRunner | None = None
        self._scraping: asyncio.Future[bytes] | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        """Build the web application."""
        app = web.Application()
        app.router.add_get("/healthz", self.get_healthz)
        app.router.add_get("/readyz", self.get_readyz)
        app.router.add_get("/metrics", self.get_metrics)
        return app

    async def start(self) -> bool:
        """Listen on the configured address; False (logged) when the port cannot be had.

        The desk goes on without its operator's port rather than leave the duty room without
        its bot; the error says which address, and a probe that finds nothing will say so too.
        """
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._config.host, self._config.port).start()
        except OSError as exc:
            await runner.cleanup()
            reason = "in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            log.error(
                "The operator's port %s:%s cannot be opened (%s): no /healthz, /readyz or "
                "/metrics from this process; set ops.port (DUTY_DESK_OPS__PORT) to a free one",
                self._config.host,
                self._config.port,
                reason,
            )
            return False
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("Health and metrics on http://%s:%s/", self._config.host, self.port)
        return True

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def get_healthz(self, _request: web.Request) -> web.Response:
        """Alive: the loop ran this handler."""
        return web.json_response({"ok": True})

    async def get_readyz(self, _request: web.Request) -> web.Response:
        """Ready, or 503 naming the checks that failed."""
        report = await self._readiness.report()
        return web.json_response(report.as_json(), status=200 if report.ready else 503)

    async def get_metrics(self, _request: web.Request) -> web.Response:
        """Every metric in Prometheus' text format."""
        if self._scraping is None or self._scraping.done():
            self._scraping = asyncio.ensure_future(
                asyncio.to_thread(generate_latest, self._registry)
            )
        # Scrapes that meet share one reading: a slow database holds one thread, not one a scrape.
        body = await asyncio.shield(self._scraping)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
