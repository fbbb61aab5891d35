"""How several `duty-desk run` processes on one PostgreSQL database share the work."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.config.base import Section


class CoordinationSettings(Section):
    """The pace of the roles and leases (PostgreSQL only; SQLite runs one process)."""

    # How often a process proves it is alive, renews its camera leases and looks for a role
    # or a camera no one holds: a dead holder's role moves within about this long.
    heartbeat_seconds: float = Field(2.0, gt=0, le=60)
    # A camera lease not renewed for this long is free even if its holder's connection still
    # looks alive (a process stuck, not dead); a dead one's leases are free at once. Stuck
    # twice this long, a process has its session ended so that its roles move too.
    lease_seconds: float = Field(8.0, gt=0, le=600)

    @model_validator(mode="after")
    def _lease_outlives_beats(self) -> CoordinationSettings:
        if self.lease_seconds < 2 * self.heartbeat_seconds:
            raise ValueError(
                "coordination.lease_seconds must be at least twice heartbeat_seconds, so one "
                "late heartbeat does not hand a camera to another process"
            )
        return self
