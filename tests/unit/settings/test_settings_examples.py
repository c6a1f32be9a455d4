"""The shipped examples, starter files and JSON Schemas stay valid and in step."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flywheel_sync.mapping import map_records
from flywheel_sync.settings import configuration_schemas, load_configuration
from flywheel_sync.store import StoredRecord
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


def test_the_data_center_example_reads_the_stage_from_the_workflow_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLYWHEEL_JIRA__ONPREM__TOKEN", "a-personal-access-token")
    monkeypatch.setenv("FLYWHEEL_CONFLUENCE__ONPREM__TOKEN", "another-token")
    configuration = load_configuration(CONFIG_DIR / "flywheel.datacenter.example.toml")
    now = datetime(2026, 11, 23, tzinfo=UTC)
    issue = StoredRecord(
        source="jira:onprem",
        scope='(project in ("PMO")) AND issuetype in ("Engagement")',
        record_type="issue",
        external_id="PMO-7",
        payload={
            "key": "PMO-7",
            "fields": {
                "summary": "Health checks for Finance",
                "project": {"key": "PMO", "name": "Enterprise PMO"},
                "issuetype": {"name": "Engagement"},
                "status": {"name": "Onboarding"},
                "components": [{"name": "Finance (CFO office)"}],
                "labels": ["service:health-checks"],
                "created": "2026-09-01T09:00:00.000+0000",
            },
            "fullChangelog": [
                {
                    "id": "501",
                    "created": "2026-10-01T09:00:00.000+0000",
                    "items": [
                        {"field": "status", "fromString": "Proposal", "toString": "Onboarding"}
                    ],
                }
            ],
        },
        content_hash="-",
        updated_at=now,
        fetched_at=now,
    )

    outcome = map_records(configuration.mapping, lambda: [issue], now=now)

    (engagement,) = outcome.entities_of_kind("engagement")
    assert engagement.flywheel_stage == "service_onboarding"
    assert engagement.payload["customer_id"] == "finance"
    assert engagement.payload["service_id"] == "health-checks"
    assert [(s["stage"], s["source_ref"]) for s in engagement.payload["stage_history"]] == [
        ("value_proposition", None),
        ("service_onboarding", "501"),
    ]
