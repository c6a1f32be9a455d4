"""The sandbox's documented departures from the spec subsets: teams (refs D30 to D39).

Each row mirrors one row of ``docs/sandbox-deviations.md`` with the same ``ref``.
"""

from __future__ import annotations

from tests.contract.deviation import Deviation

__all__ = ["TEAMS_DEVIATIONS"]

TEAMS_DEVIATIONS: tuple[Deviation, ...] = ()
