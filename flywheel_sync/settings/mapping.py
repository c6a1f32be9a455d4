"""The ``mapping.yaml`` model.

It holds the PMO's context and catalogue, how tool records map onto Value Ring entities, what
is pushed back, and the engine's thresholds.

Loaded with pydantic-settings from YAML. Unlike ``flywheel.toml`` it takes no environment
overrides: it holds no secrets, and a mapping should read the same wherever it runs.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from flywheel_sync.domain import (
    OrganizationalBaseline,
    PMOCustomer,
    PMOGovernance,
    PMOMandate,
    PMOService,
    PMOStrategy,
)
from flywheel_sync.settings.base import ConfigModel
from flywheel_sync.settings.kpis import KPIEntry
from flywheel_sync.settings.rules import MappingRule
from flywheel_sync.settings.targets import PushTargets
from flywheel_sync.settings.thresholds import (
    DiagnosisSettings,
    ExperienceRule,
    FlywheelSettingsSection,
)

__all__ = [
    "YAML_FILE",
    "CustomerEntry",
    "MappingFile",
    "Organization",
    "ServiceEntry",
]

YAML_FILE: ContextVar[Path | None] = ContextVar("flywheel_mapping_file", default=None)
"""The file the mapping being built comes from; set by the loader for one load only."""


class Organization(ConfigModel):
    """The PMO's context: the Organizational Baseline and its own Structural Components."""

    name: str = Field(min_length=1, description="The organisation, e.g. 'Northwind Utilities'.")
    pmo_name: str = Field(default="PMO", min_length=1)
    baseline: OrganizationalBaseline | None = None
    mandate: PMOMandate | None = None
    governance: PMOGovernance | None = None
    strategy: PMOStrategy | None = None


class CustomerEntry(PMOCustomer):
    """A PMO customer, with the other names tools use for it."""

    aliases: tuple[str, ...] = Field(
        default=(),
        description="Tool values that mean this customer (matched case-insensitively), "
        "besides its id and name.",
    )


class ServiceEntry(PMOService):
    """A service of the PMO's catalogue, with the other names tools use for it."""

    aliases: tuple[str, ...] = Field(default=(), description="Tool values meaning this service.")


class MappingFile(BaseSettings):
    """Everything in ``mapping.yaml``."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, title="mapping.yaml")

    version: int = Field(default=1, ge=1, le=1, description="Mapping format version.")
    organization: Organization | None = None
    customers: tuple[CustomerEntry, ...] = ()
    services: tuple[ServiceEntry, ...] = ()
    kpis: tuple[KPIEntry, ...] = ()
    rules: tuple[MappingRule, ...] = ()
    push: PushTargets = PushTargets()
    flywheel: FlywheelSettingsSection = FlywheelSettingsSection()
    experience: ExperienceRule = ExperienceRule.CONFIGURED
    diagnosis: DiagnosisSettings = DiagnosisSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only explicit arguments and the YAML file: a mapping holds no secrets."""
        yaml_file = YAML_FILE.get()
        if yaml_file is None:
            return (init_settings,)
        return (init_settings, YamlConfigSettingsSource(settings_cls, yaml_file=yaml_file))
