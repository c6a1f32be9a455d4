"""STUB (to be replaced): the team's channels and messages, loaded from the demo organisation."""

from __future__ import annotations

from flywheel_sync.sandbox.demo import DemoOrganisation

__all__ = ["TeamsStore"]


class TeamsStore:
    """The team, its channels, messages and replies."""

    def __init__(self, organisation: DemoOrganisation) -> None:
        self.load(organisation)

    def load(self, organisation: DemoOrganisation) -> None:
        """Replace every object with the organisation's (all writes are forgotten)."""
        self.organisation = organisation
