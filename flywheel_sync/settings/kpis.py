"""KPI definitions in ``mapping.yaml``: the out-of-the-box set and custom aggregations.

A KPI entry is a domain ``KPIDefinition`` (what, unit, direction, target, period) plus how it is
computed: one of the built-in measures of value-ring.md §5, or a custom aggregation over the
records that some mapping rules produce.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from flywheel_sync.domain import KPIDefinition
from flywheel_sync.settings.base import ConfigModel

__all__ = ["Aggregation", "BuiltinKPI", "CustomAggregation", "KPIEntry"]


class BuiltinKPI(StrEnum):
    """The KPIs flywheel-sync computes out of the box."""

    THROUGHPUT = "throughput"
    LEAD_TIME_MEDIAN = "lead_time_median"
    LEAD_TIME_P85 = "lead_time_p85"
    CYCLE_TIME_MEDIAN = "cycle_time_median"
    CYCLE_TIME_P85 = "cycle_time_p85"
    ON_TIME_PCT = "on_time_pct"
    SCHEDULE_VARIANCE_DAYS = "schedule_variance_days"
    WIP_PER_PERSON = "wip_per_person"
    BLOCKED_TIME_PCT = "blocked_time_pct"
    PRIORITY_CHURN = "priority_churn"
    ONBOARDING_COMPLETION_PCT = "onboarding_completion_pct"
    SERVICE_ADOPTION = "service_adoption"
    CSAT = "csat"
    STAGE_DWELL_DAYS = "stage_dwell_days"
    FLYWHEEL_MOMENTUM_DAYS = "flywheel_momentum_days"


_BUILTINS_NEEDING_A_FIELD = frozenset({BuiltinKPI.CSAT})


class Aggregation(StrEnum):
    """How a custom KPI folds the selected records into one number per period."""

    COUNT = "count"
    RATIO = "ratio"
    SUM = "sum"
    MEAN = "mean"
    MEDIAN = "median"
    PERCENTILE = "percentile"


class CustomAggregation(ConfigModel):
    """A custom KPI: an aggregation over the work items some rules produce.

    The records are the work items of ``rules`` matching every ``where`` filter (attributes
    and the engine's derived facts, e.g. ``on_time``, ``open``; compared as text, ignoring
    case). With ``period_by`` the KPI is measured per period over the records whose
    ``period_by`` date falls in it; without, on every record as of now (a snapshot).

    ``count`` counts them; ``ratio`` is the percentage (0-100) of them also matching
    ``numerator_where``; ``sum``/``mean``/``median``/``percentile`` fold the numeric attribute
    or fact ``field`` (durations: the derived ``lead_time_days``, ``cycle_time_days``).
    """

    aggregation: Aggregation
    rules: tuple[str, ...] = Field(min_length=1, description="Names of the mapping rules read.")
    where: dict[str, str] = Field(
        default_factory=dict, description="Attribute → value filters, all must match."
    )
    numerator_where: dict[str, str] = Field(
        default_factory=dict, description="For ratio: the records counted in the numerator."
    )
    field: str | None = Field(default=None, description="The attribute aggregated.")
    percentile: float | None = Field(default=None, gt=0, lt=100)
    period_by: str | None = Field(
        default=None,
        description="The date attribute or fact placing a record in a period (e.g. 'due', "
        "'resolved', 'created'); unset: measured on every record as of now.",
    )

    @model_validator(mode="after")
    def _parameters_fit(self) -> CustomAggregation:
        problem = None
        if self.aggregation is Aggregation.RATIO and not self.numerator_where:
            problem = "a ratio needs 'numerator_where'"
        elif self.aggregation in {Aggregation.COUNT, Aggregation.RATIO}:
            pass
        elif self.field is None:
            problem = f"{self.aggregation.value} needs 'field'"
        if self.aggregation is Aggregation.PERCENTILE and self.percentile is None:
            problem = "percentile needs 'percentile' (e.g. 85)"
        if problem:
            raise PydanticCustomError("aggregation", problem)
        return self


class KPIEntry(KPIDefinition):
    """A KPI the engine computes: its definition plus exactly one of ``builtin`` or ``custom``."""

    builtin: BuiltinKPI | None = None
    custom: CustomAggregation | None = None
    field: str | None = Field(
        default=None, description="For builtins that read a field, e.g. the CSAT field's name."
    )

    @model_validator(mode="after")
    def _one_computation(self) -> KPIEntry:
        if (self.builtin is None) == (self.custom is None):
            raise PydanticCustomError(
                "kpi_computation", "a KPI needs exactly one of 'builtin' or 'custom'"
            )
        if self.builtin in _BUILTINS_NEEDING_A_FIELD and self.field is None:
            raise PydanticCustomError(
                "kpi_computation",
                "builtin '{builtin}' needs 'field' (the field holding the answers)",
                {"builtin": self.builtin.value if self.builtin else ""},
            )
        return self

    def definition(self) -> KPIDefinition:
        """The plain domain definition, without the computation."""
        return KPIDefinition.model_validate(
            self.model_dump(include=set(KPIDefinition.model_fields))
        )
