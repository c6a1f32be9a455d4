"""The sandbox's Jira credentials and a real `jira` client for them (Cloud, REST v3)."""

from __future__ import annotations

from jira import JIRA

from flywheel_sync.sandbox.server import SandboxServer

USER, TOKEN = "pmo-bot@northwind.example", "sandbox-jira-token"
AUTH = (USER, TOKEN)


def jira_client(sandbox: SandboxServer) -> JIRA:
    """The jira library on REST v3 against ``sandbox``, without retries (tests see every 429)."""
    return JIRA(
        server=f"{sandbox.url}/jira",
        basic_auth=AUTH,
        max_retries=0,
        options={"rest_api_version": "3"},
    )
