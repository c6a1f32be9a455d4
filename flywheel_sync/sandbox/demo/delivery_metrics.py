"""The symptom metrics of a delivery project, measured from its issues as a detector would.

Definitions (the demo's reading of the example mapping's ``diagnosis`` section):

- **overdue ratio**: of the issues with a due date, those resolved on a later date, or still
  open with a due date before today.
- **priority churn**: priority changes in the changelogs per issue.
- **open per assignee**: issues not in the done status category, per assignee account id.
- **blocked ratio**: of the open issues, those in status "Blocked" or flagged "Impediment".
- **scope churn ratio**: of the issues in a sprint that has started, those created after the
  sprint's start date.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flywheel_sync.sandbox.demo.jira_model import JiraIssue
from flywheel_sync.sandbox.demo.jira_schema import FLAGGED, SPRINT

__all__ = ["DeliveryMetrics", "measure_delivery"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryMetrics:
    """What a project's issues show; ``*_keys`` name the issues behind each count."""

    project_key: str
    issues: int
    with_due: int
    late_keys: tuple[str, ...]
    open: int
    blocked_keys: tuple[str, ...]
    priority_changes: int
    in_started_sprints: int
    added_keys: tuple[str, ...]
    open_by_assignee: Mapping[str, int]

    @property
    def overdue_ratio(self) -> float:
        """Late issues per issue with a due date."""
        return len(self.late_keys) / self.with_due if self.with_due else 0.0

    @property
    def priority_churn(self) -> float:
        """Priority changes per issue."""
        return self.priority_changes / self.issues if self.issues else 0.0

    @property
    def blocked_ratio(self) -> float:
        """Blocked or flagged issues per open issue."""
        return len(self.blocked_keys) / self.open if self.open else 0.0

    @property
    def scope_churn_ratio(self) -> float:
        """Issues added after their sprint started, per issue in a started sprint."""
        return len(self.added_keys) / self.in_started_sprints if self.in_started_sprints else 0.0

    def overloaded(self, threshold: int) -> tuple[str, ...]:
        """Account ids with more than ``threshold`` open issues, most loaded first."""
        loaded = [(count, who) for who, count in self.open_by_assignee.items() if count > threshold]
        return tuple(who for _, who in sorted(loaded, key=lambda pair: (-pair[0], pair[1])))


def _is_late(fields: dict[str, object], due: str, today: str) -> bool:
    resolved = fields.get("resolutiondate")
    if isinstance(resolved, str):
        return resolved[:10] > due
    return due < today


def _sprint_start(fields: dict[str, object]) -> str | None:
    sprints = fields.get(SPRINT)
    if not sprints or not isinstance(sprints, list | tuple):
        return None
    return str(sprints[-1]["startDate"])[:19]


class _Tally:
    def __init__(self) -> None:
        self.issues = self.with_due = self.open = self.changes = self.started = 0
        self.late: list[str] = []
        self.blocked: list[str] = []
        self.added: list[str] = []
        self.loads: Counter[str] = Counter()

    def count(self, issue: JiraIssue, *, today: str, now: str) -> None:
        fields = issue.fields
        self.issues += 1
        due = fields.get("duedate")
        if isinstance(due, str):
            self.with_due += 1
            if _is_late(fields, due, today):
                self.late.append(issue.key)
        if fields["status"]["statusCategory"]["key"] != "done":
            self._count_open(issue)
        self.changes += sum(
            1
            for history in issue.changelog
            for item in history["items"]
            if item["fieldId"] == "priority"
        )
        start = _sprint_start(fields)
        if start is not None and start < now:
            self.started += 1
            if str(fields["created"])[:19] > start:
                self.added.append(issue.key)

    def _count_open(self, issue: JiraIssue) -> None:
        fields = issue.fields
        self.open += 1
        if fields["status"]["name"] == "Blocked" or fields.get(FLAGGED):
            self.blocked.append(issue.key)
        assignee = fields.get("assignee")
        if assignee:
            self.loads[assignee["accountId"]] += 1


def measure_delivery(
    project_key: str, issues: Iterable[JiraIssue], *, today: str, now: str
) -> DeliveryMetrics:
    """Measure one project's issues.

    Args:
        project_key: The project measured (issues of other projects must not be passed).
        issues: Its issues.
        today: Today's date, ``YYYY-MM-DD``.
        now: Now as ``YYYY-MM-DDTHH:MM:SS`` (UTC); sprints starting later have not started.
    """
    tally = _Tally()
    for issue in issues:
        tally.count(issue, today=today, now=now)
    return DeliveryMetrics(
        project_key=project_key,
        issues=tally.issues,
        with_due=tally.with_due,
        late_keys=tuple(tally.late),
        open=tally.open,
        blocked_keys=tuple(tally.blocked),
        priority_changes=tally.changes,
        in_started_sprints=tally.started,
        added_keys=tuple(tally.added),
        open_by_assignee=dict(tally.loads),
    )
