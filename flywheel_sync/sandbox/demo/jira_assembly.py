"""Puts the Jira site together: keys and ids in creation order, parents linked, users listed.

Real Jira numbers issues per project in creation order (``PMO-1``, ``PMO-2``) and gives issue,
changelog and comment ids that ascend with time across the site; the demo does the same once
every issue exists, which is why writers leave ids empty.
"""

from collections.abc import Iterable

from flywheel_sync.sandbox.demo.jira_model import JiraIssue, JiraSite, JiraUser, JsonObject
from flywheel_sync.sandbox.demo.jira_schema import JiraSchema
from flywheel_sync.sandbox.demo.people import DemoPerson

__all__ = ["FIRST_ID", "assemble_site"]

FIRST_ID = 10001


def _created(issue: JiraIssue) -> str:
    return str(issue.fields["created"])


def _number_projects(projects: Iterable[tuple[str, list[JiraIssue]]]) -> None:
    for key, issues in projects:
        issues.sort(key=_created)
        for number, issue in enumerate(issues, start=1):
            issue.key = f"{key}-{number}"


def _number_in_time_order(records: list[JsonObject]) -> None:
    records.sort(key=lambda record: str(record["created"]))
    for number, record in enumerate(records, start=FIRST_ID):
        record["id"] = str(number)


def _link_parent(child: JiraIssue, parent: JiraIssue) -> None:
    fields = parent.fields
    child.fields["parent"] = {
        "id": parent.id,
        "key": parent.key,
        "fields": {
            "summary": fields["summary"],
            "status": fields["status"],
            "priority": fields["priority"],
            "issuetype": fields["issuetype"],
        },
    }


def assemble_site(
    schema: JiraSchema,
    *,
    projects: Iterable[tuple[str, list[JiraIssue]]],
    parents: Iterable[tuple[JiraIssue, JiraIssue]],
    people: Iterable[DemoPerson],
) -> JiraSite:
    """Number every issue, history and comment, link sub-tasks to epics, and build the site.

    Args:
        schema: The site's configuration.
        projects: Each project key with its issues, in any order.
        parents: (child, parent) pairs to link once both have ids.
        people: Everyone with a Jira account.
    """
    projects = list(projects)
    _number_projects(projects)
    issues = sorted((issue for _, found in projects for issue in found), key=_created)
    for number, issue in enumerate(issues, start=FIRST_ID):
        issue.id = str(number)
    _number_in_time_order([history for issue in issues for history in issue.changelog])
    _number_in_time_order([comment for issue in issues for comment in issue.comments])
    for child, parent in parents:
        _link_parent(child, parent)
    return JiraSite.assemble(
        fields=schema.fields,
        statuses=schema.statuses,
        priorities=schema.priorities,
        issue_types=schema.issue_types,
        projects=schema.projects,
        users=tuple(
            JiraUser(
                account_id=person.account_id,
                name=person.handle,
                display_name=person.display_name,
                email_address=person.email,
            )
            for person in people
        ),
        issues=tuple(issues),
    )
