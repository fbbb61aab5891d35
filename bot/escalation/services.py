"""The escalation services, wired together once per desk."""

from __future__ import annotations

from dataclasses import dataclass

from bot.escalation.approvals import Approvals
from bot.escalation.context import EscalationContext
from bot.escalation.incidents import Incidents
from bot.escalation.requests import Requests
from bot.escalation.timers import Timers


@dataclass
class Escalation:
    """Incidents, approvals, unit requests and their timers."""

    ctx: EscalationContext
    incidents: Incidents
    approvals: Approvals
    requests: Requests
    timers: Timers

    @classmethod
    def build(cls, ctx: EscalationContext) -> Escalation:
        """Wire the services on a shared context."""
        requests = Requests(ctx)
        approvals = Approvals(ctx, requests)
        return cls(ctx, Incidents(ctx), approvals, requests, Timers(ctx, approvals, requests))
