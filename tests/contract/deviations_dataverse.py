"""The sandbox's documented departures from the spec subsets: dataverse (refs D40 to D49).

Each row mirrors one row of ``docs/sandbox-deviations.md`` with the same ``ref``.
"""

from __future__ import annotations

from tests.contract.deviation import Deviation

__all__ = ["DATAVERSE_DEVIATIONS"]

DATAVERSE_DEVIATIONS: tuple[Deviation, ...] = ()
