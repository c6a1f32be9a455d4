"""JiraWriter against the sandbox through the jira library, read back with the jira library.

Cloud tests take a fresh sandbox each (``sandbox``) where they count requests or throttle it;
the rest share one per module (``cloud``, ``datacenter``) and write to issues no other test
of the module reads.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from jira import JIRA

import connectors.jira.writer as writer_module
from connectors.errors import AuthenticationError, WriteRejectedError
from connectors.jira import (
    BasicAuth,
    BearerAuth,
    BulkEditUnavailableError,
    CreatedIssue,
    JiraFlavour,
    JiraSite,
    JiraWriter,
)
from connectors.retry import RetryPolicy
from flywheel_sync.sandbox.server import SandboxServer
from tests.integration.jira_clients import AUTH, TOKEN, USER, jira_client

STAGE = "customfield_10010"  # Flywheel Stage, a single select
ENGAGEMENTS = ["PMO-7", "PMO-8", "PMO-10", "PMO-12"]  # epics carrying a stage
FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=3)


def writer(
    server: SandboxServer,
    flavour: JiraFlavour = JiraFlavour.CLOUD,
    *,
    policy: RetryPolicy = FAST,
    token: str = TOKEN,
) -> JiraWriter:
    cloud = flavour is JiraFlavour.CLOUD
    site = JiraSite(
        source="jira:pmo",
        url=f"{server.url}/jira",
        auth=BasicAuth(user=USER, token=token) if cloud else BearerAuth(token=token),
        flavour=flavour,
        policy=policy,
        timeout=10,
    )
    return JiraWriter(site)


def datacenter_client(server: SandboxServer) -> JIRA:
    """The jira library on REST v2 with the Data Center PAT."""
    return JIRA(server=f"{server.url}/jira", token_auth=TOKEN, max_retries=0)


def stage_of(client: JIRA, key: str) -> str | None:
    value = client.issue(key, fields=STAGE).raw["fields"].get(STAGE)
    return None if value is None else str(value["value"])


def requests_to(server: SandboxServer, route: str) -> int:
    stats = httpx.get(f"{server.url}/_sandbox/stats").json()
    return int(stats["requests"].get(route, 0))


def set_faults(server: SandboxServer, **knobs: object) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=knobs).raise_for_status()


def sub_task(parent: str, summary: str, **fields: Any) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": parent.split("-")[0]},
            "issuetype": {"id": "10003"},
            "parent": {"key": parent},
            "summary": summary,
            **fields,
        }
    }


# ---- fields


def test_set_fields_sets_a_select_with_one_put_and_no_read(sandbox: SandboxServer) -> None:
    writer(sandbox).set_fields("PMO-7", {STAGE: {"value": "Value Recognition"}})

    assert stage_of(jira_client(sandbox), "PMO-7") == "Value Recognition"
    assert requests_to(sandbox, "PUT /jira/rest/api/3/issue/{issue}") == 1
    assert requests_to(sandbox, "GET /jira/rest/api/3/issue/{issue}") == 1  # the read-back


def test_an_option_not_allowed_is_refused_naming_the_field(cloud: SandboxServer) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        writer(cloud).set_fields("PMO-8", {STAGE: {"value": "Nirvana"}})

    assert refused.value.status == 400
    assert refused.value.code == STAGE
    assert refused.value.reasons == (f"{STAGE}: Option value 'Nirvana' is not valid",)
    assert refused.value.record == "PMO-8"
    assert stage_of(jira_client(cloud), "PMO-8") == "Awareness Building"


def test_setting_a_field_of_an_issue_that_is_gone_is_a_404_refusal(cloud: SandboxServer) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        writer(cloud).set_fields("PMO-9999", {"summary": "x"})

    assert refused.value.status == 404


def test_data_center_sets_fields_over_rest_v2(datacenter: SandboxServer) -> None:
    writer(datacenter, JiraFlavour.DATACENTER).set_fields(
        "PMO-10", {STAGE: {"value": "Service Operation"}, "description": "Stage set by *sync*"}
    )

    issue = datacenter_client(datacenter).issue("PMO-10", fields=f"{STAGE},description")
    assert issue.raw["fields"][STAGE]["value"] == "Service Operation"
    assert issue.raw["fields"]["description"] == "Stage set by *sync*"


def test_wrong_credentials_are_an_authentication_error(cloud: SandboxServer) -> None:
    with pytest.raises(AuthenticationError) as refused:
        writer(cloud, token="not-the-token").set_fields("PMO-12", {"summary": "x"})

    assert "not-the-token" not in str(refused.value)


def test_select_options_map_values_to_ids_once_per_field(sandbox: SandboxServer) -> None:
    jira = writer(sandbox)

    first = jira.select_options("PMO-7", STAGE)
    second = jira.select_options("PMO-12", STAGE)

    assert first["Service Onboarding"] == "10105"
    assert len(first) == 10
    assert second == first
    assert requests_to(sandbox, "GET /jira/rest/api/3/issue/{issue}/editmeta") == 1


def test_select_options_of_a_field_without_options_are_refused(cloud: SandboxServer) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        writer(cloud).select_options("PMO-7", "summary")

    assert refused.value.code == "summary"


# ---- bulk edit


def test_bulk_edit_sets_the_option_on_every_issue(sandbox: SandboxServer) -> None:
    jira = writer(sandbox)
    option = jira.select_options("PMO-7", STAGE)["Needs Assessment"]
    polls: list[float] = []

    outcome = jira.bulk_set_select(ENGAGEMENTS, field_id=STAGE, option_id=option, poll=polls.append)

    client = jira_client(sandbox)
    assert outcome.edited == tuple(ENGAGEMENTS)
    assert outcome.failed == {}
    assert {stage_of(client, key) for key in ENGAGEMENTS} == {"Needs Assessment"}
    assert polls == [1.0]  # the sandbox's task runs on the second poll
    assert requests_to(sandbox, "POST /jira/rest/api/3/issue/bulkfetch") == 0


def test_bulk_edit_reports_an_unknown_key_and_edits_the_others(sandbox: SandboxServer) -> None:
    jira = writer(sandbox)
    option = jira.select_options("PMO-7", STAGE)["Service Development"]

    outcome = jira.bulk_set_select(
        ["PMO-7", "PMO-404", "PMO-8"], field_id=STAGE, option_id=option, poll=lambda s: None
    )

    assert outcome.edited == ("PMO-7", "PMO-8")
    assert outcome.failed == {
        "PMO-404": "the issue does not exist or you do not have permission to see it"
    }
    assert stage_of(jira_client(sandbox), "PMO-8") == "Service Development"


def test_bulk_edit_names_each_issue_that_refused_the_value(sandbox: SandboxServer) -> None:
    outcome = writer(sandbox).bulk_set_select(
        ["PMO-7", "PMO-8"], field_id=STAGE, option_id="99999", poll=lambda s: None
    )

    assert outcome.edited == ()
    assert outcome.failed == {
        "PMO-7": "Option id '99999' is not valid",
        "PMO-8": "Option id '99999' is not valid",
    }


def test_bulk_edit_sends_a_task_per_thousand_issues(sandbox: SandboxServer) -> None:
    issues = sandbox.state.organisation.jira.issues
    keys = [issue.key for issue in issues if not issue.key.startswith("PMO-")][:1001]
    jira = writer(sandbox)
    option = next(iter(jira.select_options(keys[0], "customfield_10013").values()))

    outcome = jira.bulk_set_select(
        keys, field_id="customfield_10013", option_id=option, poll=lambda s: None
    )

    assert len(outcome.edited) == 1001
    assert requests_to(sandbox, "POST /jira/rest/api/3/bulk/issues/fields") == 2


def test_data_center_has_no_bulk_edit(datacenter: SandboxServer) -> None:
    with pytest.raises(BulkEditUnavailableError):
        writer(datacenter, JiraFlavour.DATACENTER).bulk_set_select(
            ["PMO-7"], field_id=STAGE, option_id="10101"
        )


# ---- create


def test_bulk_create_returns_each_issue_or_its_refusal_in_order(cloud: SandboxServer) -> None:
    marker = {"key": "flywheel.owner", "value": {"checklist": "onboarding"}}
    issues = [
        sub_task("PMO-8", "Kick-off held") | {"properties": [marker]},
        sub_task("PMO-8", "Bad type", issuetype={"id": "424242"}),
        sub_task("PMO-8", "Owner named"),
    ]

    results = writer(cloud).create_issues(issues)

    first, refused, last = results
    assert isinstance(first, CreatedIssue)
    assert isinstance(last, CreatedIssue)
    assert isinstance(refused, WriteRejectedError)
    assert refused.code == "issuetype"
    assert refused.status == 400
    client = jira_client(cloud)
    assert client.issue(first.key).fields.summary == "Kick-off held"
    assert writer(cloud).property(first.key, "flywheel.owner") == {"checklist": "onboarding"}


def test_bulk_create_where_every_element_fails_is_no_exception(cloud: SandboxServer) -> None:
    results = writer(cloud).create_issues([sub_task("PMO-8", "")] * 2)

    assert [type(r) for r in results] == [WriteRejectedError, WriteRejectedError]
    assert all(isinstance(r, WriteRejectedError) and r.code == "summary" for r in results)


def test_bulk_create_sends_fifty_issues_a_request(sandbox: SandboxServer) -> None:
    issues = [sub_task("PMO-10", f"Step {n}") for n in range(51)]

    results = writer(sandbox).create_issues(issues)

    created = [r for r in results if isinstance(r, CreatedIssue)]
    assert len(created) == 51
    assert jira_client(sandbox).issue(created[-1].key).fields.summary == "Step 50"
    assert requests_to(sandbox, "POST /jira/rest/api/3/issue/bulk") == 2


def test_subtasks_lists_a_sub_task_created_a_moment_ago(cloud: SandboxServer) -> None:
    jira = writer(cloud)
    before = jira.subtasks("PMO-12")
    (created,) = jira.create_issues([sub_task("PMO-12", "Benefit owner named")])

    after = jira.subtasks("PMO-12")

    assert isinstance(created, CreatedIssue)
    assert after[:-1] == before
    assert (after[-1].key, after[-1].summary, after[-1].status) == (
        created.key,
        "Benefit owner named",
        "To Do",
    )


# ---- properties and comments


def test_a_property_is_none_until_set_then_reads_back(cloud: SandboxServer) -> None:
    jira = writer(cloud)
    assert jira.property("PMO-7", "flywheel.marker") is None

    jira.set_property("PMO-7", "flywheel.marker", {"stage": "Value Delivery", "run": 1})
    jira.set_property("PMO-7", "flywheel.marker", {"stage": "Value Delivery", "run": 2})

    stored = jira_client(cloud).issue_property("PMO-7", "flywheel.marker").raw["value"]
    assert stored == {"stage": "Value Delivery", "run": 2}
    assert jira.property("PMO-7", "flywheel.marker") == stored


def test_cloud_comments_are_adf_both_ways(cloud: SandboxServer) -> None:
    jira = writer(cloud)
    comment_id = jira.add_comment("PMO-9", "Entered Value Recognition\nKPIs attached")

    (comment,) = [c for c in jira.comments("PMO-9") if c.id == comment_id]

    assert comment.body == {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "Entered Value Recognition"}],
            },
            {"type": "paragraph", "content": [{"type": "text", "text": "KPIs attached"}]},
        ],
    }
    assert comment.author_account_id == "5b10a2844c20165700ede21g"
    assert jira_client(cloud).comment("PMO-9", comment_id).raw["body"] == comment.body


def test_comments_are_read_page_by_page(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_module, "COMMENT_PAGE", 2)
    jira = writer(sandbox)
    written = [jira.add_comment("PMO-11", f"note {n}") for n in range(5)]

    read = [c.id for c in jira.comments("PMO-11")]

    assert read[-5:] == written
    assert requests_to(sandbox, "GET /jira/rest/api/3/issue/{issue}/comment") == 3


def test_data_center_comments_are_wiki_text(datacenter: SandboxServer) -> None:
    jira = writer(datacenter, JiraFlavour.DATACENTER)
    comment_id = jira.add_comment("PMO-9", "Stage is now *Value Recognition*")

    (comment,) = [c for c in jira.comments("PMO-9") if c.id == comment_id]

    assert comment.body == "Stage is now *Value Recognition*"
    assert comment.author_account_id == "pmo-bot"
    assert datacenter_client(datacenter).comment("PMO-9", comment_id).body == comment.body


def test_data_center_refuses_an_adf_comment_before_sending(datacenter: SandboxServer) -> None:
    with pytest.raises(ValueError, match="wiki markup"):
        writer(datacenter, JiraFlavour.DATACENTER).add_comment("PMO-9", {"type": "doc"})


# ---- throttling


def test_a_429_is_waited_out_as_retry_after_says(sandbox: SandboxServer) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        set_faults(sandbox, rate_limit=None)  # the wait is over: lift the limit

    patient = RetryPolicy(sleep=sleep, max_attempts=3, max_total_wait=1000)
    jira = writer(sandbox, policy=patient)
    jira.select_options("PMO-7", STAGE)  # nothing throttled yet
    set_faults(sandbox, rate_limit=0.01, burst=1)
    jira.property("PMO-7", "flywheel.marker")  # takes the one token

    jira.set_fields("PMO-7", {STAGE: {"value": "Service Development"}})

    assert waits == [100.0]  # one token at 0.01/s: Retry-After 100
    assert stage_of(jira_client(sandbox), "PMO-7") == "Service Development"
    assert httpx.get(f"{sandbox.url}/_sandbox/stats").json()["throttled"] == 1


def test_the_sandbox_credentials_stay_out_of_refusals(cloud: SandboxServer) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        writer(cloud).set_fields("PMO-8", {STAGE: {"value": "Nirvana"}})

    assert AUTH[1] not in str(refused.value)
    assert AUTH[1] not in repr(refused.value.reasons)
