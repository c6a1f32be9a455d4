"""``flywheel-sync sandbox serve`` as a user runs it: a process, its config, and a clean stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from jira import JIRA

from flywheel_sync.settings import load_configuration

_READY = "Press Ctrl-C to stop."
CLI = [sys.executable, "-c", "from flywheel_sync.cli.main import run; run()"]
ANNOUNCEMENT = {
    "type": "message",
    "attachments": [
        {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [{"type": "TextBlock", "text": "Hello from the starter config"}],
            },
        }
    ],
}


def start_serve(folder: Path, *extra: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``sandbox serve``; return the process and what it printed until it was ready."""
    process = subprocess.Popen(
        [
            *CLI,
            "sandbox",
            "serve",
            "--port",
            "0",
            "--write-config",
            str(folder),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    printed: list[str] = []
    for line in process.stdout:
        printed.append(line)
        if _READY in line or time.monotonic() > deadline:
            break
    return process, printed


def test_serve_writes_a_working_config_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    process, printed = start_serve(tmp_path, "--jira-flavour", "datacenter")
    try:
        description = json.loads((tmp_path / "sandbox.json").read_text(encoding="utf-8"))
        configuration = load_configuration(tmp_path / "flywheel.toml")
        jira = configuration.settings.jira["pmo"]
        token = jira.token.get_secret_value() if jira.token else ""
        client = JIRA(server=jira.url, basic_auth=(jira.user or "", token), max_retries=0)

        assert sorted(description) == [
            "admin",
            "confluence",
            "dataverse",
            "graph",
            "inbox",
            "jira",
            "workflows_webhook",
        ]
        assert description["jira"]["url"] == jira.url
        assert description["jira"]["flavour"] == "datacenter"
        assert jira.flavour.value == "datacenter"
        assert client.deploymentType == "Server"
        webhook = configuration.settings.teams_webhooks["pmo"].url
        assert webhook is not None
        posted = httpx.post(webhook.get_secret_value(), json=ANNOUNCEMENT, timeout=10)
        inbox = httpx.get(description["inbox"], timeout=10).json()
        assert posted.status_code == 202
        assert [card["payload"] for card in inbox["cards"]] == [ANNOUNCEMENT]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)

    assert process.returncode == 0, err
    assert "Northwind Utilities (seed 1, scale 1, as of " in "".join(printed)
    assert "sandbox stopped" in out


def test_serve_rejects_an_unknown_flavour_with_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            *CLI,
            "sandbox",
            "serve",
            "--port",
            "0",
            "--jira-flavour",
            "server",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "use 'cloud' or 'datacenter'" in result.stderr
    assert "Traceback" not in result.stderr
