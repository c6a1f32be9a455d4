"""STUB (to be replaced): Planner's objects, loaded from the demo organisation."""

from __future__ import annotations

from flywheel_sync.sandbox.demo import DemoOrganisation

__all__ = ["PlannerStore"]


class PlannerStore:
    """Planner's objects and their ETags."""

    def __init__(self, organisation: DemoOrganisation) -> None:
        self.load(organisation)

    def load(self, organisation: DemoOrganisation) -> None:
        """Replace every object with the organisation's (all writes are forgotten)."""
        self.organisation = organisation
