"""``[serve]``: where ``flywheel-sync serve`` answers health checks, and its leader election."""

from __future__ import annotations

from pydantic import Field

from flywheel_sync.settings.base import ConfigModel

__all__ = ["DEFAULT_LEADER_LOCK_KEY", "ServeSettings"]

DEFAULT_LEADER_LOCK_KEY = 0x46_6C_79_77
"""``pg_try_advisory_lock`` key of the scheduler leader ("Flyw"): one leader per database."""


class ServeSettings(ConfigModel):
    """The scheduler service: its HTTP endpoints and its leader election."""

    host: str = Field(
        default="127.0.0.1",
        description="Address /healthz and /metrics listen on; 0.0.0.0 to reach them from outside.",
    )
    port: int = Field(
        default=9187,
        ge=0,
        le=65535,
        description="Port of /healthz and /metrics (0 picks a free one and logs it).",
    )
    standby_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description=(
            "How often a standby process tries to become the leader; a dead leader is "
            "replaced within about this long."
        ),
    )
    leader_lock_key: int = Field(
        default=DEFAULT_LEADER_LOCK_KEY,
        ge=-(2**63),
        lt=2**63,
        description=(
            "PostgreSQL advisory lock key the processes elect their leader with. Give two "
            "deployments sharing one database different keys."
        ),
    )
