"""Finds and loads ``flywheel.toml`` and ``mapping.yaml``, collecting every problem in both.

Where the configuration is looked for, in order: ``-c/--config``, ``$FLYWHEEL_CONFIG``,
``./flywheel.toml``. The mapping file is named by ``flywheel.toml`` (``mapping = ...``,
default ``mapping.yaml`` beside it).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource

from flywheel_sync.settings.explain import problems_from_validation
from flywheel_sync.settings.flywheel import ENV_NESTING, ENV_PREFIX, TOML_FILE, FlywheelSettings
from flywheel_sync.settings.locations import read_text, toml_line, yaml_line
from flywheel_sync.settings.mapping import YAML_FILE, MappingFile
from flywheel_sync.settings.problems import (
    ConfigError,
    ConfigNotFoundError,
    ConfigProblem,
    format_key_path,
)
from flywheel_sync.settings.references import BrokenReference, check_mapping, check_settings

__all__ = ["CONFIG_ENV_VAR", "Configuration", "find_config", "load_configuration"]

CONFIG_ENV_VAR = "FLYWHEEL_CONFIG"
DEFAULT_CONFIG = Path("flywheel.toml")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)$")


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


def find_config(explicit: Path | None) -> Path:
    """The configuration file to use.

    Raises:
        ConfigNotFoundError: nothing at any of the places looked, all of them listed.
    """
    if explicit is not None:
        if explicit.is_file():
            return explicit
        raise ConfigNotFoundError([f"{explicit} (from -c/--config): no such file"])
    from_env = os.environ.get(CONFIG_ENV_VAR)
    if from_env:
        if Path(from_env).is_file():
            return Path(from_env)
        raise ConfigNotFoundError([f"{from_env} (from ${CONFIG_ENV_VAR}): no such file"])
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise ConfigNotFoundError(
        [
            "-c/--config (not given)",
            f"${CONFIG_ENV_VAR} (not set)",
            f"{DEFAULT_CONFIG.resolve()} (no such file)",
        ]
    )


def _syntax_problem(path: Path, error: Exception) -> ConfigProblem:
    line: int | None = None
    message = str(error)
    if isinstance(error, tomllib.TOMLDecodeError):
        # Python 3.11's tomllib puts the position only in the text: "... (at line 3, column 5)".
        position = _TOML_POSITION.search(message)
        if position:
            line = int(position.group(1))
            message = message[: position.start()].rstrip()
    elif isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        line = error.problem_mark.line + 1
        message = " ".join(filter(None, [error.context, error.problem]))
    elif isinstance(error, OSError):
        message = f"cannot read the file: {error.strerror or error}"
    return ConfigProblem(origin=str(path), key_path="(file)", message=f"{message}", line=line)


def _check_syntax(path: Path, *, toml: bool) -> ConfigProblem | None:
    """A problem if the file cannot be read or parsed, before any key is looked at."""
    try:
        text = path.read_text(encoding="utf-8")
        if toml:
            tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
            if data is not None and not isinstance(data, dict):
                return ConfigProblem(
                    origin=str(path),
                    key_path="(file)",
                    message="expected a mapping of keys at the top level",
                )
    except (OSError, tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as error:
        return _syntax_problem(path, error)
    return None


def _located(path: Path, broken: list[BrokenReference], *, toml: bool) -> list[ConfigProblem]:
    text = read_text(path)
    line_of = toml_line if toml else yaml_line
    return [
        ConfigProblem(
            origin=str(path),
            key_path=format_key_path(b.loc),
            message=b.message,
            hint=b.hint,
            line=line_of(text, b.loc),
        )
        for b in broken
    ]


def _load_settings(path: Path) -> tuple[FlywheelSettings | None, list[ConfigProblem]]:
    syntax = _check_syntax(path, toml=True)
    if syntax is not None:
        return None, [syntax]
    token = TOML_FILE.set(path)
    try:
        settings = FlywheelSettings()
    except ValidationError as error:
        text = read_text(path)
        return None, problems_from_validation(
            error,
            model=FlywheelSettings,
            file=path,
            line_of=lambda loc: toml_line(text, loc),
            env_values=EnvSettingsSource(FlywheelSettings)(),
            env_prefix=ENV_PREFIX,
            env_delimiter=ENV_NESTING,
        )
    finally:
        TOML_FILE.reset(token)
    return settings, _located(path, check_settings(settings), toml=True)


def _load_mapping(
    path: Path, settings: FlywheelSettings | None
) -> tuple[MappingFile | None, list[ConfigProblem]]:
    if not path.is_file():
        return None, [
            ConfigProblem(
                origin=str(path),
                key_path="(file)",
                message="mapping file not found",
                hint="set 'mapping' in flywheel.toml, or run 'flywheel-sync init'",
            )
        ]
    syntax = _check_syntax(path, toml=False)
    if syntax is not None:
        return None, [syntax]
    token = YAML_FILE.set(path)
    try:
        mapping = MappingFile()
    except ValidationError as error:
        text = read_text(path)
        return None, problems_from_validation(
            error, model=MappingFile, file=path, line_of=lambda loc: yaml_line(text, loc)
        )
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
