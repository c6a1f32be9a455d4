"""The shipped examples, starter files and JSON Schemas stay valid and in step."""

from __future__ import annotations

import json
from pathlib import Path

from flywheel_sync.settings import configuration_schemas, load_configuration
from flywheel_sync.templates import starter_text
from tests.conftest import CONFIG_DIR


def test_config_examples_validate() -> None:
    configuration = load_configuration(CONFIG_DIR / "flywheel.example.toml")

    assert sorted(configuration.settings.source_names()) == [
        "confluence:pmo",
        "jira:pmo",
        "planner:northwind",
        "project:northwind",
        "teams:northwind",
    ]
    assert len(configuration.mapping.customers) == 6
    assert len(configuration.mapping.services) == 8


def test_examples_are_the_starter_files_init_writes() -> None:
    example_toml = (CONFIG_DIR / "flywheel.example.toml").read_text(encoding="utf-8")
    example_mapping = (CONFIG_DIR / "mapping.example.yaml").read_text(encoding="utf-8")

    assert example_toml == starter_text("flywheel.toml").replace(
        'mapping = "mapping.yaml"', 'mapping = "mapping.example.yaml"'
    )
    assert example_mapping == starter_text("mapping.yaml")


def test_committed_schemas_match_the_models() -> None:
    for file_name, schema in configuration_schemas().items():
        committed = json.loads((CONFIG_DIR / file_name).read_text(encoding="utf-8"))
        assert committed == schema, f"config/{file_name} is stale: run 'make schema'"


def test_schemas_forbid_unknown_keys_in_nested_sections() -> None:
    schema = configuration_schemas()["flywheel.schema.json"]

    assert schema["additionalProperties"] is False
    assert schema["$defs"]["JiraConnection"]["additionalProperties"] is False
    assert schema["$defs"]["JiraConnection"]["properties"]["token"]["anyOf"][0] == {
        "format": "password",
        "type": "string",
        "writeOnly": True,
    }


def test_starter_files_name_their_schemas(tmp_path: Path) -> None:
    assert starter_text("flywheel.toml").startswith("#:schema ./flywheel.schema.json\n")
    assert starter_text("mapping.yaml").startswith(
        "# yaml-language-server: $schema=./mapping.schema.json\n"
    )
