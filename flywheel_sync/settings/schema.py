"""JSON Schemas of both configuration files, for editor autocompletion and validation.

``flywheel.toml`` gets a ``#:schema`` line (Taplo / Even Better TOML) and ``mapping.yaml`` a
``yaml-language-server`` comment, both pointing at the files written here.
"""

from __future__ import annotations

from typing import Any

from flywheel_sync.settings.flywheel import FlywheelSettings
from flywheel_sync.settings.mapping import MappingFile

__all__ = ["SCHEMA_FILES", "configuration_schemas"]

SCHEMA_FILES = {"flywheel.toml": "flywheel.schema.json", "mapping.yaml": "mapping.schema.json"}
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def configuration_schemas() -> dict[str, dict[str, Any]]:
    """Each configuration file's JSON Schema, keyed by the schema's file name."""
    schemas: dict[str, dict[str, Any]] = {}
    for model, file_name in (
        (FlywheelSettings, SCHEMA_FILES["flywheel.toml"]),
        (MappingFile, SCHEMA_FILES["mapping.yaml"]),
    ):
        schema = model.model_json_schema(mode="validation")
        schemas[file_name] = {"$schema": _DIALECT, "$id": file_name, **schema}
    return schemas
