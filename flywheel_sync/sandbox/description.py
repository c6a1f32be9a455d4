"""What a running sandbox tells its users: URLs, credentials, and ready-made configuration.

``sandbox.json`` is for scripts; ``flywheel.toml`` + ``mapping.yaml`` point flywheel-sync at the
sandbox (they are the starter files, with the sandbox's real port).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flywheel_sync.sandbox.server import SandboxOptions
from flywheel_sync.templates import starter_text

__all__ = ["STARTER_BASE_URL", "sandbox_description", "write_sandbox_config"]

STARTER_BASE_URL = "http://127.0.0.1:8765"
"""The sandbox URL the starter files name: the default port of ``sandbox serve``."""

WORKFLOWS_WEBHOOK_PATH = "/workflows/pmo-announcements"
"""The webhook the starter files name; any name below ``/workflows/`` works the same."""


def sandbox_description(base_url: str, options: SandboxOptions) -> dict[str, Any]:
    """The machine-readable description written to ``sandbox.json``."""
    credentials = options.credentials
    return {
        "jira": {
            "url": f"{base_url}/jira",
            "user": credentials.atlassian_user,
            "token": credentials.jira_token,
            "flavour": options.jira_flavour.value,
        },
        "confluence": {
            "url": f"{base_url}/confluence",
            "user": credentials.atlassian_user,
            "token": credentials.confluence_token,
        },
        "graph": {"base_url": f"{base_url}/graph/v1.0", "token": credentials.graph_token},
        "dataverse": {
            "base_url": f"{base_url}/dataverse/api/data/v9.2",
            "token": credentials.dataverse_token,
            "app_token": credentials.dataverse_app_token,
        },
        "workflows_webhook": (
            f"{base_url}{WORKFLOWS_WEBHOOK_PATH}"
            f"?api-version=2016-06-01&sig={credentials.workflows_signature}"
        ),
        "inbox": f"{base_url}/_sandbox/inbox",
        "admin": f"{base_url}/_sandbox",
    }


def write_sandbox_config(directory: Path, base_url: str, options: SandboxOptions) -> list[Path]:
    """Write ``flywheel.toml``, ``mapping.yaml`` and ``sandbox.json`` for this sandbox."""
    directory.mkdir(parents=True, exist_ok=True)
    toml = starter_text("flywheel.toml").replace(STARTER_BASE_URL, base_url)
    if options.jira_flavour.value != "cloud":
        toml = toml.replace('flavour = "cloud" ', f'flavour = "{options.jira_flavour.value}"')
    files = {
        "flywheel.toml": toml,
        "mapping.yaml": starter_text("mapping.yaml"),
        "sandbox.json": json.dumps(sandbox_description(base_url, options), indent=2) + "\n",
    }
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
