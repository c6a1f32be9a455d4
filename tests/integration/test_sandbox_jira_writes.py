"""The Jira emulator's writes, through the real jira library and over raw HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import AUTH, TOKEN, jira_client

STAGE = "customfield_10010"
CANNOT_SET = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."


def api(sandbox: SandboxServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method, f"{sandbox.url}/jira/rest/api/3/{path}", auth=AUTH, timeout=10, **kwargs
    )


def doc(*lines: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]} for line in lines
        ],
    }


def task_fields(summary: str, **extra: Any) -> dict[str, Any]:
    return {"project": {"key": "PMO"}, "issuetype": {"name": "Task"}, "summary": summary} | extra


def keys(sandbox: SandboxServer, jql: str) -> list[str]:
    return [issue.key for issue in jira_client(sandbox).enhanced_search_issues(jql, maxResults=0)]


def error_body(error: JIRAError) -> Any:
    assert error.response is not None
    return error.response.json()


def history(sandbox: SandboxServer, key: str) -> dict[str, Any]:
    response = api(sandbox, "GET", f"issue/{key}/changelog")
    assert response.status_code == 200
    return dict(response.json())


def test_create_answers_201_with_id_key_and_self(cloud: SandboxServer) -> None:
    response = api(cloud, "POST", "issue", json={"fields": task_fields("Raw create")})

    created = response.json()
    assert response.status_code == 201
    assert sorted(created) == ["id", "key", "self"]
    assert created["self"] == f"{cloud.url}/jira/rest/api/3/issue/{created['id']}"


def test_created_issue_reads_back_through_the_client(cloud: SandboxServer) -> None:
    jira = jira_client(cloud)

    issue = jira.create_issue(
        fields=task_fields(
            "Kick-off with Grid Operations",
            description=doc("Agree the scope.", "Book the room."),
            **{STAGE: {"value": "Needs Assessment"}},
        )
    )

    fields = issue.raw["fields"]
    assert fields["summary"] == "Kick-off with Grid Operations"
    assert fields["description"] == doc("Agree the scope.", "Book the room.")
    assert fields[STAGE] == {"value": "Needs Assessment", "id": "10102"}
    assert (fields["status"]["name"], fields["reporter"]["displayName"]) == ("To Do", "PMO Bot")
    assert fields["created"] == fields["updated"]


def test_names_of_project_and_issue_type_are_resolved_by_the_client(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(project="PMO", issuetype="Need", summary="By name")

    assert (issue.fields.project.key, issue.fields.issuetype.name) == ("PMO", "Need")


def test_a_sub_task_is_created_under_its_parent(cloud: SandboxServer) -> None:
    jira = jira_client(cloud)
    parent = jira.create_issue(fields=task_fields("Parent task"))

    child = jira.create_issue(
        fields=task_fields("Child", issuetype={"name": "Sub-task"}, parent={"key": parent.key})
    )

    assert child.fields.parent.key == parent.key
    assert keys(cloud, f"parent = {parent.key}") == [child.key]


def test_a_sub_task_without_parent_is_refused(cloud: SandboxServer) -> None:
    with pytest.raises(JIRAError) as refused:
        jira_client(cloud).create_issue(
            fields=task_fields("Orphan", issuetype={"name": "Sub-task"})
        )

    assert refused.value.status_code == 400
    assert error_body(refused.value) == {
        "errorMessages": [],
        "errors": {
            "issuetype": "Issue type is a sub-task but parent issue key or id not specified."
        },
    }


def test_update_sets_an_option_by_value_and_labels_by_keyword(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(fields=task_fields("To be triaged", labels=["pmo"]))

    issue.update(fields={STAGE: {"value": "Value Proposition"}}, labels=[{"add": "triaged"}])

    assert issue.raw["fields"][STAGE] == {"value": "Value Proposition", "id": "10103"}
    assert issue.fields.labels == ["pmo", "triaged"]
    assert issue.fields.updated > issue.fields.created


def test_the_changelog_records_each_changed_field(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(
        fields=task_fields("Changelog", **{STAGE: {"value": "Needs Assessment"}})
    )

    issue.update(fields={STAGE: {"id": "10103"}, "summary": "Changelog renamed"})

    page = history(cloud, issue.key)
    assert (page["total"], page["isLast"]) == (1, True)
    assert page["values"][0]["author"]["displayName"] == "PMO Bot"
    assert page["values"][0]["created"] == issue.fields.updated
    assert page["values"][0]["items"] == [
        {
            "field": "Flywheel Stage",
            "fieldtype": "custom",
            "fieldId": STAGE,
            "from": "10102",
            "fromString": "Needs Assessment",
            "to": "10103",
            "toString": "Value Proposition",
        },
        {
            "field": "summary",
            "fieldtype": "jira",
            "fieldId": "summary",
            "from": None,
            "fromString": "Changelog",
            "to": None,
            "toString": "Changelog renamed",
        },
    ]


def test_search_sees_an_edit_at_once(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(fields=task_fields("Searchable"))

    issue.update(fields={STAGE: {"value": "Service Monitoring"}}, labels=[{"add": "seen-by-jql"}])

    jql = 'project = PMO AND "Flywheel Stage" = "Service Monitoring" AND labels = seen-by-jql'
    assert keys(cloud, f"{jql} AND updated >= -1m") == [issue.key]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"value": "Nope"}, "Option value 'Nope' is not valid"),
        ({"id": "99999"}, "Option id '99999' is not valid"),
        ("Nope", "Could not find valid 'id' or 'value' in the Parent Option object."),
    ],
)
def test_an_unknown_option_is_a_400_with_the_errors_map(
    cloud: SandboxServer, value: Any, message: str
) -> None:
    issue = jira_client(cloud).create_issue(fields=task_fields("Bad option"))

    with pytest.raises(JIRAError) as refused:
        issue.update(fields={STAGE: value})

    assert refused.value.status_code == 400
    assert error_body(refused.value) == {"errorMessages": [], "errors": {STAGE: message}}
    assert history(cloud, issue.key)["total"] == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"fields": {"customfield_99999": "x"}},
         {"customfield_99999": CANNOT_SET.format("customfield_99999")}),
        ({"fields": {"status": {"name": "Done"}}}, {"status": CANNOT_SET.format("status")}),
        ({"fields": {"labels": ["a"]}, "update": {"labels": [{"add": "b"}]}},
         {"labels": "Field 'labels' cannot be specified in both 'fields' and 'update'."}),
        ({"fields": {"description": "plain text"}},
         {"description": "Operation value must be an Atlassian Document (see the Atlassian "
          "Document Format)"}),
    ],
)  # fmt: skip
def test_edits_jira_refuses_are_400s(
    cloud: SandboxServer, body: dict[str, Any], errors: dict[str, str]
) -> None:
    response = api(cloud, "PUT", "issue/PMO-2", json=body)

    assert response.status_code == 400
    assert response.json() == {"errorMessages": [], "errors": errors}


def test_an_edit_that_changes_nothing_adds_no_history(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(fields=task_fields("Unchanged", labels=["same"]))

    response = api(
        cloud,
        "PUT",
        f"issue/{issue.key}",
        json={"fields": {"summary": "Unchanged"}, "update": {"labels": [{"add": "same"}]}},
    )

    assert response.status_code == 204
    assert history(cloud, issue.key)["total"] == 0
    assert jira_client(cloud).issue(issue.key).fields.updated == issue.fields.updated


def test_return_issue_answers_200_with_the_edited_issue(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(fields=task_fields("Return me"))

    response = api(
        cloud,
        "PUT",
        f"issue/{issue.key}",
        params={"returnIssue": "true"},
        json={"fields": {"duedate": "2026-12-31"}},
    )

    assert response.status_code == 200
    assert (response.json()["key"], response.json()["fields"]["duedate"]) == (
        issue.key,
        "2026-12-31",
    )


def test_comments_are_written_in_adf_and_paged(cloud: SandboxServer) -> None:
    jira = jira_client(cloud)
    issue = jira.create_issue(fields=task_fields("Discussed"))

    first = jira.add_comment(issue.key, doc("First word."))
    second = jira.add_comment(issue.key, doc("Second word."))
    page = api(cloud, "GET", f"issue/{issue.key}/comment", params={"maxResults": 1}).json()

    assert first.raw["body"] == doc("First word.")
    assert first.raw["author"]["displayName"] == "PMO Bot"
    assert [comment.raw["body"] for comment in jira.comments(issue.key)] == [
        doc("First word."),
        doc("Second word."),
    ]
    assert (page["startAt"], page["maxResults"], page["total"]) == (0, 1, 2)
    assert [comment["id"] for comment in page["comments"]] == [first.id]
    assert jira.issue(issue.key).fields.updated == second.raw["created"]


def test_a_plain_text_comment_is_refused_on_v3(cloud: SandboxServer) -> None:
    response = api(cloud, "POST", "issue/PMO-2/comment", json={"body": "plain"})

    assert response.status_code == 400
    assert response.json() == {
        "errorMessages": [],
        "errors": {
            "comment": "Operation value must be an Atlassian Document (see the Atlassian "
            "Document Format)"
        },
    }


def test_issue_properties_are_created_replaced_listed_and_deleted(cloud: SandboxServer) -> None:
    jira = jira_client(cloud)
    issue = jira.create_issue(fields=task_fields("Owned"))

    created = jira.add_issue_property(issue.key, "flywheel.owner", {"sync": "pmo", "rev": 1})
    replaced = jira.add_issue_property(issue.key, "flywheel.owner", {"sync": "pmo", "rev": 2})
    listed = [prop.key for prop in jira.issue_properties(issue.key)]
    value = jira.issue_property(issue.key, "flywheel.owner").raw["value"]
    deleted = api(cloud, "DELETE", f"issue/{issue.key}/properties/flywheel.owner")
    gone = api(cloud, "GET", f"issue/{issue.key}/properties/flywheel.owner")

    assert (created.status_code, replaced.status_code) == (201, 200)
    assert (listed, value) == (["flywheel.owner"], {"sync": "pmo", "rev": 2})
    assert (deleted.status_code, gone.status_code) == (204, 404)


def test_properties_show_on_the_issue_and_leave_updated_alone(cloud: SandboxServer) -> None:
    jira = jira_client(cloud)
    issue = jira.create_issue(fields=task_fields("Marked"))

    jira.add_issue_property(issue.key, "flywheel.owner", {"rev": 1})
    read = api(cloud, "GET", f"issue/{issue.key}", params={"properties": "flywheel.owner"}).json()

    assert read["properties"] == {"flywheel.owner": {"rev": 1}}
    assert read["fields"]["updated"] == issue.fields.updated


def test_createmeta_lists_the_projects_types_and_their_fields(cloud: SandboxServer) -> None:
    types = api(cloud, "GET", "issue/createmeta/PMO/issuetypes").json()
    sub_task = next(t for t in types["issueTypes"] if t["subtask"])
    fields = api(cloud, "GET", f"issue/createmeta/PMO/issuetypes/{sub_task['id']}").json()

    assert [t["name"] for t in types["issueTypes"]] == [
        "Epic",
        "Task",
        "Sub-task",
        "Need",
        "Customer",
    ]
    required = {f["fieldId"] for f in fields["fields"] if f["required"]}
    assert required == {"summary", "issuetype", "project", "parent"}
    assert fields["total"] == len(fields["fields"])


def test_editmeta_offers_the_options_of_select_fields(cloud: SandboxServer) -> None:
    meta = jira_client(cloud).editmeta("PMO-2")["fields"]

    assert [option["value"] for option in meta[STAGE]["allowedValues"]][:3] == [
        "Awareness Building",
        "Needs Assessment",
        "Value Proposition",
    ]
    assert meta["labels"]["operations"] == ["add", "set", "remove"]
    assert "project" not in meta
    assert "status" not in meta


def test_bulk_create_creates_what_it_can(cloud: SandboxServer) -> None:
    response = api(
        cloud,
        "POST",
        "issue/bulk",
        json={
            "issueUpdates": [
                {"fields": task_fields("Bulk one")},
                {"fields": task_fields("Bulk two", issuetype={"name": "Story"})},
                {"fields": task_fields("Bulk three", **{STAGE: {"value": "Nope"}})},
            ]
        },
    )

    body = response.json()
    assert response.status_code == 201
    assert [issue["key"] for issue in body["issues"]] == keys(cloud, 'summary ~ "Bulk one"')
    assert body["errors"] == [
        {
            "status": 400,
            "elementErrors": {
                "errorMessages": [],
                "errors": {"issuetype": "The issue type selected is invalid."},
            },
            "failedElementNumber": 1,
        },
        {
            "status": 400,
            "elementErrors": {
                "errorMessages": [],
                "errors": {STAGE: "Option value 'Nope' is not valid"},
            },
            "failedElementNumber": 2,
        },
    ]


def test_bulk_create_where_every_element_fails_is_a_400(cloud: SandboxServer) -> None:
    results = jira_client(cloud).create_issues([task_fields("")])

    assert [(r["status"], r["error"]) for r in results] == [
        ("Error", {"summary": "You must specify a summary of the issue."})
    ]


def submit_bulk_edit(sandbox: SandboxServer, issues: list[str], edited: dict[str, Any]) -> str:
    response = api(
        sandbox,
        "POST",
        "bulk/issues/fields",
        json={
            "selectedIssueIdsOrKeys": issues,
            "selectedActions": sorted(
                entry["fieldId"] for entries in edited.values() for entry in entries
            ),
            "editedFieldsInput": edited,
            "sendBulkNotification": False,
        },
    )
    assert response.status_code == 201
    return str(response.json()["taskId"])


def test_bulk_edit_completes_on_the_second_poll(cloud: SandboxServer) -> None:
    jira = jira_client(cloud)
    mine = [jira.create_issue(fields=task_fields(f"Bulk edited {n}")) for n in range(2)]
    edited = {
        "labelsFields": [
            {
                "fieldId": "labels",
                "bulkEditMultiSelectFieldOption": "ADD",
                "labels": [{"name": "bulk-synced"}],
            }
        ],
        "singleSelectFields": [{"fieldId": STAGE, "option": {"optionId": 10109}}],
    }
    task_id = submit_bulk_edit(cloud, [mine[0].key, mine[1].id, "PMO-99999"], edited)

    first = api(cloud, "GET", f"bulk/queue/{task_id}").json()
    before = keys(cloud, "labels = bulk-synced")
    second = api(cloud, "GET", f"bulk/queue/{task_id}").json()
    task = api(cloud, "GET", f"task/{task_id}").json()

    assert (first["status"], first["progressPercent"], before) == ("RUNNING", 0, [])
    assert (second["status"], second["progressPercent"]) == ("COMPLETE", 100)
    assert second["processedAccessibleIssues"] == [int(mine[0].id), int(mine[1].id)]
    assert (second["invalidOrInaccessibleIssueCount"], second["totalIssueCount"]) == (1, 3)
    assert (task["status"], task["result"]["failedAccessibleIssues"]) == ("COMPLETE", {})
    assert keys(cloud, '"Flywheel Stage" = "Value Delivery" AND labels = bulk-synced') == [
        mine[0].key,
        mine[1].key,
    ]


def test_bulk_edit_reports_issues_that_refuse_their_values(cloud: SandboxServer) -> None:
    issue = jira_client(cloud).create_issue(fields=task_fields("Refuses"))
    edited = {"singleSelectFields": [{"fieldId": STAGE, "option": {"optionId": 1}}]}
    task_id = submit_bulk_edit(cloud, [issue.key], edited)

    api(cloud, "GET", f"task/{task_id}")
    done = api(cloud, "GET", f"task/{task_id}").json()

    assert done["result"]["failedAccessibleIssues"] == {issue.id: ["Option id '1' is not valid"]}
    assert done["result"]["processedAccessibleIssues"] == []


def test_bulk_edit_refuses_fields_not_listed_as_actions(cloud: SandboxServer) -> None:
    response = api(
        cloud,
        "POST",
        "bulk/issues/fields",
        json={
            "selectedIssueIdsOrKeys": ["PMO-2"],
            "selectedActions": [],
            "editedFieldsInput": {"priority": {"priorityId": "2"}},
        },
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The following editedFieldInput values are not listed as "
                "selectedActions : priority"
            }
        ]
    }


def test_a_reset_drops_every_write(sandbox: SandboxServer) -> None:
    jira = jira_client(sandbox)
    seeded = jira.issue("PMO-1")
    seeded_summary, seeded_updated = seeded.fields.summary, seeded.fields.updated
    seeded_comments = len(jira.comments("PMO-1"))
    assert "PMO-1" not in keys(sandbox, 'project = PMO AND summary ~ "Renamed" ORDER BY key')
    created = jira.create_issue(fields=task_fields("Forgotten"))
    seeded.update(fields={"summary": "Renamed"})
    jira.add_comment("PMO-1", doc("Forgotten comment"))
    jira.add_issue_property("PMO-1", "flywheel.owner", {"rev": 1})
    assert "PMO-1" in keys(sandbox, 'project = PMO AND summary ~ "Renamed" ORDER BY key')
    task_id = submit_bulk_edit(
        sandbox, ["PMO-1"], {"singleLineTextFields": [{"fieldId": "summary", "text": "Bulk"}]}
    )

    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=30)

    after = jira.issue("PMO-1")
    assert created.key == "PMO-77"
    assert api(sandbox, "GET", "issue/PMO-77").status_code == 404
    assert (after.fields.summary, after.fields.updated) == (seeded_summary, seeded_updated)
    assert len(jira.comments("PMO-1")) == seeded_comments
    assert jira.issue_properties("PMO-1") == []
    assert api(sandbox, "GET", f"bulk/queue/{task_id}").status_code == 404
    assert jira.create_issue(fields=task_fields("Numbered again")).key == "PMO-77"
    # Searches forget the edits too (their cached orders were kept past a reset).
    assert "PMO-1" not in keys(sandbox, 'project = PMO AND summary ~ "Renamed" ORDER BY key')
    assert "PMO-1" not in keys(sandbox, "project = PMO AND updated >= -1h ORDER BY updated DESC")


def test_data_center_writes_wiki_text(datacenter: SandboxServer) -> None:
    jira = JIRA(server=f"{datacenter.url}/jira", token_auth=TOKEN, max_retries=0)

    issue = jira.create_issue(
        project="GRID",
        issuetype="Story",
        summary="Replace the feeder relays",
        description="h2. Scope\n* relay A",
        assignee={"name": "amara.okafor"},
    )
    issue.update(summary="Replace the feeder relays now", notify=False)
    comment = jira.add_comment(issue, "Relays are *on order*.")

    reread = jira.issue(issue.key, expand="changelog")
    assert reread.fields.description == "h2. Scope\n* relay A"
    assert reread.raw["fields"]["assignee"]["displayName"] == "Amara Okafor"
    assert reread.fields.summary == "Replace the feeder relays now"
    assert (
        [c.body for c in jira.comments(issue.key)] == [comment.body] == ["Relays are *on order*."]
    )
    assert [item.toString for h in reread.changelog.histories for item in h.items] == [
        "Replace the feeder relays now"
    ]


def test_data_center_pages_create_metadata_in_values(datacenter: SandboxServer) -> None:
    jira = JIRA(server=f"{datacenter.url}/jira", token_auth=TOKEN, max_retries=0)

    types = jira.project_issue_types("GRID")
    fields = jira.project_issue_fields("GRID", "10003")
    second_page = requests.get(
        f"{datacenter.url}/jira/rest/api/2/issue/createmeta/GRID/issuetypes",
        params={"startAt": 4, "maxResults": 2},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()

    assert [t.name for t in types] == ["Epic", "Story", "Task", "Sub-task", "Bug"]
    assert [t["name"] for t in second_page["values"]] == ["Bug"]
    assert (second_page["total"], second_page["isLast"]) == (5, True)
    assert {f.fieldId for f in fields if f.required} == {
        "summary",
        "issuetype",
        "project",
        "parent",
    }


def test_data_center_has_no_bulk_edit(datacenter: SandboxServer) -> None:
    response = requests.post(
        f"{datacenter.url}/jira/rest/api/2/bulk/issues/fields",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={},
        timeout=10,
    )

    assert response.status_code == 404


def test_a_write_moves_the_issue_in_later_ordered_searches(cloud: SandboxServer) -> None:
    url = f"{cloud.url}/jira/rest/api/3/search/jql"
    params: dict[str, str | int] = {"jql": "project = GRID ORDER BY updated DESC", "maxResults": 5}
    first: dict[str, str | int] = {"jql": "project = GRID ORDER BY updated ASC", "maxResults": 1}
    before = requests.get(url, params=params, auth=AUTH, timeout=10).json()["issues"]
    oldest = requests.get(url, params=first, auth=AUTH, timeout=10).json()["issues"][0]["key"]

    jira_client(cloud).issue(oldest).update(fields={"summary": "Touched by the ordering test"})
    after = requests.get(url, params=params, auth=AUTH, timeout=10).json()["issues"]

    assert before[0]["key"] != oldest
    assert after[0]["key"] == oldest
