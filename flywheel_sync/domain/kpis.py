"""KPIs: what is measured and what good looks like (`KPIDefinition`), and what was measured.

A definition's target and at-risk bound split the value line into three bands::

    higher is better:   off-track  < at_risk_bound <=  at-risk  < target <=  on-track
    lower is better:    on-track  <= target <  at-risk  <= at_risk_bound <  off-track

Without a bound there is no at-risk band: a miss is off-track. Without a target there is no
status at all.
"""

import math
from enum import Enum
from typing import Self

from pydantic import Field, FiniteFloat, model_validator

from flywheel_sync.domain.base import AwareDatetime, EntityId, NonEmptyStr, ValueObject

__all__ = [
    "KPIDefinition",
    "KPIDirection",
    "KPIMeasurement",
    "KPIPeriod",
    "KPIStatus",
    "KPITarget",
    "KPITrend",
    "MeasurementScope",
    "ScopeKind",
]


class KPIDirection(Enum):
    """Which way a KPI improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class KPIPeriod(Enum):
    """The period a KPI is measured over."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


class KPIStatus(Enum):
    """How a measured value compares with its target."""

    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OFF_TRACK = "off-track"


class KPITrend(Enum):
    """How a value moved since the previous period, judged by the KPI's direction."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    FLAT = "flat"


class KPIDefinition(ValueObject):
    """A KPI: what is measured, in which unit, which way is better and what counts as on track.

    Invariant: ``at_risk_bound`` needs a ``target`` and lies strictly on its worse side (below
    it when higher is better, above it when lower is better).
    """

    id: EntityId
    name: NonEmptyStr
    description: str = Field(default="", description="What is measured and how it is computed.")
    unit: str = Field(default="", description='Unit shown next to values: "%", "days", "items".')
    direction: KPIDirection
    target: FiniteFloat | None = Field(
        default=None, description="The value that counts as on track; none to only observe."
    )
    at_risk_bound: FiniteFloat | None = Field(
        default=None,
        description="Past this value a miss is off-track rather than at-risk. Must be on the "
        "worse side of target: below it when higher is better, above it when lower is better. "
        "Leave unset for no at-risk band.",
    )
    period: KPIPeriod = KPIPeriod.MONTH
    strategic_objective_ids: tuple[EntityId, ...] = Field(
        default=(), description="Strategic objectives (organizational baseline) this KPI serves."
    )

    @model_validator(mode="after")
    def _bound_is_on_the_worse_side(self) -> Self:
        bound, target = self.at_risk_bound, self.target
        if bound is None:
            return self
        if target is None:
            raise ValueError(f"KPI {self.id!r}: at_risk_bound is set but target is not")
        if not self._is_better(target, bound):
            side = "below" if self.direction is KPIDirection.HIGHER_IS_BETTER else "above"
            raise ValueError(
                f"KPI {self.id!r}: at_risk_bound {bound} must be {side} target {target} "
                f"when {self.direction.value.replace('_', ' ')}"
            )
        return self

    def status_for(self, value: float) -> KPIStatus | None:
        """The status of a measured value, or None when the KPI has no target.

        Meeting the target exactly is on track; reaching the bound exactly is still at risk.

        Raises:
            ValueError: The value is NaN or infinite.
        """
        if not math.isfinite(value):
            raise ValueError(f"KPI {self.id!r}: cannot rate non-finite value {value}")
        if self.target is None:
            return None
        if not self._is_better(self.target, value):
            return KPIStatus.ON_TRACK
        if self.at_risk_bound is not None and not self._is_better(self.at_risk_bound, value):
            return KPIStatus.AT_RISK
        return KPIStatus.OFF_TRACK

    def trend_between(self, previous: float, current: float) -> KPITrend:
        """How the value moved from ``previous`` to ``current``, in this KPI's direction."""
        if current == previous:
            return KPITrend.FLAT
        return KPITrend.IMPROVING if self._is_better(current, previous) else KPITrend.WORSENING

    def _is_better(self, first: float, second: float) -> bool:
        """Whether ``first`` is strictly better than ``second`` for this KPI."""
        if self.direction is KPIDirection.HIGHER_IS_BETTER:
            return first > second
        return first < second


class KPITarget(ValueObject):
    """A success measure: the value a KPI should reach for a value proposition."""

    kpi_id: EntityId
    target: FiniteFloat


class ScopeKind(Enum):
    """What a measurement is about."""

    CUSTOMER = "customer"
    SERVICE = "service"
    ENGAGEMENT = "engagement"
    PORTFOLIO = "portfolio"


class MeasurementScope(ValueObject):
    """The subject of a measurement; only the portfolio (everything) needs no id."""

    kind: ScopeKind
    id: EntityId | None = Field(
        default=None, description="Id of the customer, service or engagement measured."
    )

    @model_validator(mode="after")
    def _id_unless_portfolio(self) -> Self:
        if self.id is None and self.kind is not ScopeKind.PORTFOLIO:
            raise ValueError(f"a {self.kind.value} scope needs an id")
        return self


class KPIMeasurement(ValueObject):
    """A KPI's value for one scope over one period ``[period_start, period_end)``."""

    kpi_id: EntityId
    scope: MeasurementScope
    period_start: AwareDatetime
    period_end: AwareDatetime
    value: FiniteFloat
    target: FiniteFloat | None = Field(
        default=None, description="The target in force when measured."
    )
    status: KPIStatus | None = None
    trend: KPITrend | None = None
    previous_value: FiniteFloat | None = Field(
        default=None, description="The value of the preceding period, when there is one."
    )

    @model_validator(mode="after")
    def _period_is_not_empty(self) -> Self:
        if self.period_start >= self.period_end:
            raise ValueError(
                f"period_start {self.period_start.isoformat()} must be before "
                f"period_end {self.period_end.isoformat()}"
            )
        return self
