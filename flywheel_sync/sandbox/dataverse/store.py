"""STUB (to be replaced): the Project tables, loaded from the demo organisation."""

from __future__ import annotations

from flywheel_sync.sandbox.demo import DemoOrganisation

__all__ = ["DataverseStore"]


class DataverseStore:
    """Rows of the msdyn_* tables and the open operation sets."""

    def __init__(self, organisation: DemoOrganisation) -> None:
        self.load(organisation)

    def load(self, organisation: DemoOrganisation) -> None:
        """Replace every row with the organisation's (all writes are forgotten)."""
        self.organisation = organisation
