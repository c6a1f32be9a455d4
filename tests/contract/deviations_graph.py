"""The sandbox's documented departures from the spec subsets: graph (refs D50 to D59).

Each row mirrors one row of ``docs/sandbox-deviations.md`` with the same ``ref``.
"""

from __future__ import annotations

from tests.contract.deviation import Deviation

__all__ = ["GRAPH_DEVIATIONS"]

GRAPH_DEVIATIONS: tuple[Deviation, ...] = ()
