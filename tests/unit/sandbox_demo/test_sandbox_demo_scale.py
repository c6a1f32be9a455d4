"""Scale multiplies delivery work, chatter and schedules; the PMO story never scales."""

from __future__ import annotations

import pytest

from tests.unit.sandbox_demo.builders import story
from tests.unit.sandbox_demo.conftest import built

STORY = 20  # 9 requests with 7 replies and 4 announcements; they do not scale
# One summary task per bucket, four buckets in each of the two schedules, and the four
# engagement tasks of "PMO Engagements": they do not scale.
FIXED_TASKS = 8 + 4
BASE_ISSUES = {"GRID": 800, "DIGI": 600, "FIN": 500, "HRX": 450, "REG": 400, "CSV": 550}


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_delivery_issues_are_the_base_volume_times_scale(scale: float) -> None:
    org = built(scale=scale)
    counts = {key: sum(1 for _ in org.jira.issues_in(key)) for key in BASE_ISSUES}

    assert counts == {key: round(base * scale) for key, base in BASE_ISSUES.items()}


def test_scale_one_is_within_the_two_to_four_thousand_issues_budget() -> None:
    assert 2000 <= built().jira_issue_count <= 4000


def test_scale_three_triples_the_chatter_and_the_schedules() -> None:
    one, three = built(scale=1.0), built(scale=3.0)

    assert three.project_task_count - FIXED_TASKS == 3 * (one.project_task_count - FIXED_TASKS)
    assert three.teams_message_count - STORY == 3 * (one.teams_message_count - STORY)
    assert 2.7 < three.changelog_count / one.changelog_count < 3.3


def test_scale_leaves_the_pmo_story_unchanged() -> None:
    assert story(built(scale=3.0)) == story(built(scale=1.0))


def test_scale_keeps_the_planted_symptoms() -> None:
    one, three = built(scale=1.0), built(scale=3.0)

    assert [(s.kind, s.customer_id) for s in three.truth.symptoms] == [
        (s.kind, s.customer_id) for s in one.truth.symptoms
    ]
    assert all(s.value > s.threshold for s in three.truth.symptoms)
