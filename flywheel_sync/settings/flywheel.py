"""The ``flywheel.toml`` model: connections, state store, logging, scheduled jobs and the service.

Loaded with pydantic-settings, so every key can be overridden from the environment:
``FLYWHEEL_`` + the key path joined by ``__``, e.g. ``FLYWHEEL_JIRA__PMO__TOKEN`` or
``FLYWHEEL_STORE__URL``. The environment wins over the file.
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from flywheel_sync.settings.base import ConfigModel, ConnectionName, SecretBearing
from flywheel_sync.settings.connections import (
    ConfluenceConnection,
    DataverseConnection,
    GraphConnection,
    JiraConnection,
    MSPDIFile,
    TeamsWebhook,
)
from flywheel_sync.settings.jobs import JobSettings
from flywheel_sync.settings.serve import ServeSettings

__all__ = [
    "ENV_NESTING",
    "ENV_PREFIX",
    "TOML_FILE",
    "FlywheelSettings",
    "LogFormat",
    "LoggingSettings",
    "StoreSettings",
]

TOML_FILE: ContextVar[Path | None] = ContextVar("flywheel_toml_file", default=None)
"""The file the settings being built come from; set by the loader for one load only."""

ENV_PREFIX = "FLYWHEEL_"
ENV_NESTING = "__"


class StoreSettings(SecretBearing):
    """Where flywheel-sync keeps records, entities, plans, the outbox, the audit log and runs."""

    secret_fields: ClassVar[tuple[str, ...]] = ("password",)

    url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL. Default: sqlite:///.flywheel/state.db next to flywheel.toml. "
            "PostgreSQL: postgresql://user@host/db (password in 'password')."
        ),
    )
    password: SecretStr | None = Field(
        default=None, description="Database password; kept out of the URL so it is never shown."
    )
    password_file: Path | None = None

    def required_secrets(self) -> tuple[str, ...]:
        """SQLite needs no password, and PostgreSQL may use peer or .pgpass authentication."""
        return ()

    @field_validator("url")
    @classmethod
    def _no_inline_password(cls, value: str | None) -> str | None:
        if value is None:
            return value
        scheme = value.split(":", 1)[0]
        if not scheme.startswith(("sqlite", "postgresql", "postgres")):
            raise PydanticCustomError(
                "store_url",
                "'{scheme}' databases are not supported: use sqlite:///path/to/state.db "
                "or postgresql://user@host:5432/dbname",
                {"scheme": scheme},
            )
        if urlsplit(value).password:
            raise PydanticCustomError(
                "store_url",
                "the store URL contains a password: move it to store.password, "
                "FLYWHEEL_STORE__PASSWORD or store.password_file so it is never displayed",
            )
        return value


class LogFormat(StrEnum):
    """``text`` for people at a terminal; ``json`` for scheduled jobs and log collectors."""

    TEXT = "text"
    JSON = "json"


class LoggingSettings(ConfigModel):
    """Log output; the command line's ``--log-format`` and ``-v`` take precedence."""

    format: LogFormat = Field(
        default=LogFormat.TEXT,
        description="text for people, json lines for jobs and log collectors.",
    )
    level: str = Field(
        default="INFO",
        pattern=r"^(?i:debug|info|warning|error)$",
        description=(
            "Level of flywheel-sync serve's log. Other commands log warnings, or more with -v."
        ),
    )


class FlywheelSettings(BaseSettings):
    """Everything in ``flywheel.toml``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTING,
        extra="forbid",
        frozen=True,
        title="flywheel.toml",
    )

    mapping: Path = Field(
        default=Path("mapping.yaml"),
        description="The mapping file, relative to the folder of flywheel.toml.",
    )
    store: StoreSettings = StoreSettings()
    logging: LoggingSettings = LoggingSettings()
    serve: ServeSettings = ServeSettings()
    jira: dict[ConnectionName, JiraConnection] = Field(
        default_factory=dict, description="Jira sites by connection name."
    )
    confluence: dict[ConnectionName, ConfluenceConnection] = Field(
        default_factory=dict, description="Confluence sites by connection name."
    )
    graph: dict[ConnectionName, GraphConnection] = Field(
        default_factory=dict,
        description="Microsoft 365 tenants (Planner and Teams) by connection name.",
    )
    dataverse: dict[ConnectionName, DataverseConnection] = Field(
        default_factory=dict, description="Dataverse environments (Microsoft Project)."
    )
    teams_webhooks: dict[ConnectionName, TeamsWebhook] = Field(
        default_factory=dict, description="Teams Workflows webhooks that post KPI cards."
    )
    mspdi: dict[ConnectionName, MSPDIFile] = Field(
        default_factory=dict, description="Microsoft Project XML (MSPDI) exports read as sources."
    )
    jobs: tuple[JobSettings, ...] = Field(default=(), description="Scheduled jobs.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence, highest first: explicit arguments, environment, then the TOML file."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = TOML_FILE.get()
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    def source_names(self) -> dict[str, str]:
        """Every source a job or mapping rule may name, with the connection kind behind it."""
        names: dict[str, str] = {}
        for name in self.jira:
            names[f"jira:{name}"] = "jira"
        for name in self.confluence:
            names[f"confluence:{name}"] = "confluence"
        for name in self.graph:
            names[f"planner:{name}"] = "graph"
            names[f"teams:{name}"] = "graph"
        for name in self.dataverse:
            names[f"project:{name}"] = "dataverse"
        for name in self.mspdi:
            names[f"mspdi:{name}"] = "mspdi"
        return names
