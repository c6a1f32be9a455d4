"""Finds and loads ``flywheel.toml`` and ``mapping.yaml``, collecting every problem in both.

Where the configuration is looked for, in order: ``-c/--config``, ``$FLYWHEEL_CONFIG``,
``./flywheel.toml``. The mapping file is named by ``flywheel.toml`` (``mapping = ...``,
default ``mapping.yaml`` beside it).

Whatever a file holds, loading ends in a ``Configuration`` or a ``ConfigError``: each file is
first read and parsed exactly as pydantic-settings will read it (`flywheel_sync.settings.
syntax`), so bytes no parser accepts become a located problem rather than a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource

from flywheel_sync.settings.explain import problems_from_validation
from flywheel_sync.settings.flywheel import ENV_NESTING, ENV_PREFIX, TOML_FILE, FlywheelSettings
from flywheel_sync.settings.locations import read_text, toml_locator, yaml_locator
from flywheel_sync.settings.mapping import YAML_FILE, MappingFile
from flywheel_sync.settings.problems import (
    ConfigError,
    ConfigNotFoundError,
    ConfigProblem,
    format_key_path,
)
from flywheel_sync.settings.references import BrokenReference, check_mapping, check_settings
from flywheel_sync.settings.syntax import UNREADABLE, check_toml, check_yaml, syntax_problem

__all__ = ["CONFIG_ENV_VAR", "Configuration", "find_config", "load_configuration"]

CONFIG_ENV_VAR = "FLYWHEEL_CONFIG"
DEFAULT_CONFIG = Path("flywheel.toml")


@dataclass(frozen=True, kw_only=True)
class Configuration:
    """Both files, validated together, with where they came from."""

    settings: FlywheelSettings
    mapping: MappingFile
    config_path: Path
    mapping_path: Path

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the configuration are resolved against."""
        return self.config_path.parent


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be the file asked for, or None when it is a file."""
    try:
        return None if path.is_file() else "no such file"
    except OSError as error:  # a name too long for the system, a permission refused
        return error.strerror or str(error)


def find_config(explicit: Path | None) -> Path:
    """The configuration file to use.

    Raises:
        ConfigNotFoundError: nothing at any of the places looked, all of them listed.
    """
    if explicit is not None:
        reason = _not_a_file(explicit)
        if reason is None:
            return explicit
        raise ConfigNotFoundError([f"{explicit} (from -c/--config): {reason}"])
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        reason = _not_a_file(Path(from_env))
        if reason is None:
            return Path(from_env)
        raise ConfigNotFoundError([f"{from_env} (from ${CONFIG_ENV_VAR}): {reason}"])
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise ConfigNotFoundError(
        [
            "-c/--config (not given)",
            f"${CONFIG_ENV_VAR} (not set)",
            f"{DEFAULT_CONFIG.resolve()} (no such file)",
        ]
    )


def _located(path: Path, broken: list[BrokenReference], *, toml: bool) -> list[ConfigProblem]:
    if not broken:
        return []
    line_of = (toml_locator if toml else yaml_locator)(read_text(path))
    return [
        ConfigProblem(
            origin=str(path),
            key_path=format_key_path(b.loc),
            message=b.message,
            hint=b.hint,
            line=line_of(b.loc),
        )
        for b in broken
    ]


def _load_settings(path: Path) -> tuple[FlywheelSettings | None, list[ConfigProblem]]:
    syntax = check_toml(path)
    if syntax is not None:
        return None, [syntax]
    token = TOML_FILE.set(path)
    try:
        settings = FlywheelSettings()
    except ValidationError as error:
        return None, problems_from_validation(
            error,
            model=FlywheelSettings,
            file=path,
            line_of=toml_locator(read_text(path)),
            env_values=EnvSettingsSource(FlywheelSettings)(),
            env_prefix=ENV_PREFIX,
            env_delimiter=ENV_NESTING,
        )
    except UNREADABLE as error:
        # Changed since it was checked, or parsed again deeper in the stack, past the limit.
        return None, [syntax_problem(path, error)]
    finally:
        TOML_FILE.reset(token)
    return settings, _located(path, check_settings(settings), toml=True)


def _load_mapping(
    path: Path, settings: FlywheelSettings | None
) -> tuple[MappingFile | None, list[ConfigProblem]]:
    reason = _not_a_file(path)
    if reason is not None:
        return None, [
            ConfigProblem(
                origin=str(path),
                key_path="(file)",
                message="mapping file not found" if reason == "no such file" else reason,
                hint="set 'mapping' in flywheel.toml, or run 'flywheel-sync init'",
            )
        ]
    syntax = check_yaml(path)
    if syntax:
        return None, syntax
    token = YAML_FILE.set(path)
    try:
        mapping = MappingFile()
    except ValidationError as error:
        return None, problems_from_validation(
            error, model=MappingFile, file=path, line_of=yaml_locator(read_text(path))
        )
    except UNREADABLE as error:
        return None, [syntax_problem(path, error)]
    finally:
        YAML_FILE.reset(token)
    return mapping, _located(path, check_mapping(mapping, settings), toml=False)


def load_configuration(explicit: Path | None = None) -> Configuration:
    """Load and cross-check both files.

    Raises:
        ConfigError: every problem in either file, located; nothing is half-loaded.
    """
    config_path = find_config(explicit)
    settings, problems = _load_settings(config_path)
    mapping_name = settings.mapping if settings else Path("mapping.yaml")
    mapping_path = mapping_name if mapping_name.is_absolute() else config_path.parent / mapping_name
    mapping, mapping_problems = _load_mapping(mapping_path, settings)
    problems += mapping_problems
    if problems or settings is None or mapping is None:
        raise ConfigError(problems)
    return Configuration(
        settings=settings, mapping=mapping, config_path=config_path, mapping_path=mapping_path
    )
