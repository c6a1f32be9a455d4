"""Builders for configuration files in tests: valid minimal files, changed one key at a time."""

from __future__ import annotations

from pathlib import Path

MINIMAL_TOML = """\
[jira.pmo]
url = "https://northwind.atlassian.net"
user = "bot@northwind.example"
token = "jira-secret-value"
"""

MINIMAL_MAPPING = """\
services:
  - {id: health-checks, name: Project Health Checks}
rules:
  - name: engagements
    source: jira:pmo
    select: {jql: "project = PMO AND issuetype = Epic"}
    produces: engagement
    customer: {field: PMO Customer}
    service: {field: PMO Service}
    flywheel_stage: {field: Flywheel Stage}
"""


def write_config(folder: Path, toml: str = MINIMAL_TOML, mapping: str = MINIMAL_MAPPING) -> Path:
    """Write flywheel.toml and mapping.yaml into ``folder``; return the flywheel.toml path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    config = folder / "flywheel.toml"
    config.write_text(toml, encoding="utf-8")
    return config
