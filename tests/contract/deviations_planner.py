"""The sandbox's documented departures from the spec subsets: planner (refs D20 to D29).

Each row mirrors one row of ``docs/sandbox-deviations.md`` with the same ``ref``.
"""

from __future__ import annotations

from tests.contract.deviation import Deviation

__all__ = ["PLANNER_DEVIATIONS"]

PLANNER_DEVIATIONS: tuple[Deviation, ...] = ()
