"""Collects every secret in a loaded configuration for the log scrubber."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, SecretStr

from flywheel_sync.logs import register_secret
from flywheel_sync.settings import Configuration

__all__ = ["register_configuration_secrets", "secret_values"]


def secret_values(value: Any) -> Iterator[str]:
    """Every ``SecretStr`` value inside a model, dict or sequence, at any depth."""
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from secret_values(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from secret_values(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from secret_values(item)


def register_configuration_secrets(configuration: Configuration) -> None:
    """Register every secret of the configuration with the log scrubber."""
    for secret in secret_values(configuration.settings):
        register_secret(secret)
