"""The escalation services, wired together once per desk."""

from __future__ import annotations

from dataclasses import dataclass

from bot.deadlines.timers import Timers
from bot.escalation.approvals import Approvals
from bot.escalation.incidents import Incidents
from bot.escalation.requests import Requests
from bot.service import ServiceContext


@dataclass
class Escalation:
    """Incidents, approvals and unit requests."""

    ctx: ServiceContext
    incidents: Incidents
    approvals: Approvals
    requests: Requests

    @classmethod
    def build(cls, ctx: ServiceContext, timers: Timers) -> Escalation:
        """Wire the services on a shared context; their deadlines fire through `timers`."""
        requests = Requests(ctx)
        approvals = Approvals(ctx, requests)
        requests.register(timers)
        approvals.register(timers)
        return cls(ctx, Incidents(ctx), approvals, requests)
