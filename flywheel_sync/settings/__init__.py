"""The two configuration files, their models and their loading.

``flywheel.toml`` holds connections, store and jobs; ``mapping.yaml`` says how tool records
become Value Ring entities and what is pushed back.
"""

from flywheel_sync.settings.flywheel import FlywheelSettings, LogFormat
from flywheel_sync.settings.loading import (
    CONFIG_ENV_VAR,
    Configuration,
    find_config,
    load_configuration,
)
from flywheel_sync.settings.mapping import MappingFile
from flywheel_sync.settings.problems import ConfigError, ConfigNotFoundError, ConfigProblem
from flywheel_sync.settings.schema import configuration_schemas

__all__ = [
    "CONFIG_ENV_VAR",
    "ConfigError",
    "ConfigNotFoundError",
    "ConfigProblem",
    "Configuration",
    "FlywheelSettings",
    "LogFormat",
    "MappingFile",
    "configuration_schemas",
    "find_config",
    "load_configuration",
]
