"""``onboarding_checklists.jira.mode: description``: the steps as a task list in the epic.

An epic enters Service Onboarding; a sync adds the service's steps as ticking items under
"Onboarding checklist" at the end of its description, keeping what the description said. A
person ticks one and adds their own item; the next sync changes nothing (ticks and their item
stay), and the plan after it is empty.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from flywheel_sync.push.adf_checklist import checklist_ids, task_items
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import jira_client
from tests.integration.push_helpers import cli, lean_mapping

EPIC = "PMO-41"  # PM Coaching: pairs, goals, checkpoint
STEPS = {
    "pairs": "Pair coaches with project managers",
    "goals": "Set coaching goals",
    "checkpoint": "Six-week checkpoint",
}


def description_mode(config: Path) -> None:
    mapping = config.parent / "mapping.yaml"
    text = mapping.read_text()
    old = "    jira: {source: jira:pmo, mode: subtasks}\n"
    assert old in text
    mapping.write_text(text.replace(old, "    jira: {source: jira:pmo, mode: description}\n"))


def ticked(doc: dict[str, Any], local_id: str) -> dict[str, Any]:
    for node in doc["content"]:
        for child in node.get("content") or ():
            if (child.get("attrs") or {}).get("localId") == local_id:
                child["attrs"]["state"] = "DONE"
    return doc


def test_steps_become_task_items_people_can_tick(tmp_path: Path) -> None:
    with SandboxServer() as sandbox:
        write_sandbox_config(tmp_path, sandbox.url, sandbox.options)
        config = tmp_path / "flywheel.toml"
        description_mode(config)
        lean_mapping(config)
        jira = jira_client(sandbox)
        before = jira.issue(EPIC).raw["fields"]["description"]
        jira.issue(EPIC).update(fields={"customfield_10010": {"value": "Service Onboarding"}})

        first = cli(config, "sync")
        written = jira.issue(EPIC).raw["fields"]["description"]
        _, ids = checklist_ids(EPIC, list(STEPS))
        theirs = {
            "type": "taskItem",
            "attrs": {"localId": "theirs", "state": "TODO"},
            "content": [{"type": "text", "text": "Our own step"}],
        }
        edited = ticked(copy.deepcopy(written), ids["goals"])
        edited["content"][-1]["content"].append(theirs)
        jira.issue(EPIC).update(fields={"description": edited})
        second = cli(config, "sync")
        after = jira.issue(EPIC).raw["fields"]["description"]
        planned = cli(config, "plan", "--json")
        subtasks = jira.search_issues(f"parent = {EPIC}", maxResults=10)

    assert first.exit_code == 0, first.stdout
    assert written["content"][: len(before["content"])] == before["content"]
    assert {i.local_id: (i.text, i.done) for i in task_items(written).values()} == {
        ids[key]: (title, False) for key, title in STEPS.items()
    }
    assert second.exit_code == 0
    assert after == edited
    assert planned.json()["changes"] == []
    assert len(subtasks) == 0
