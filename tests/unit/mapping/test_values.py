"""One value source applied to one record: read, narrow with the pattern, translate."""

from __future__ import annotations

from typing import Any

import pytest

from flywheel_sync.mapping.values import ReadValue, describe, read_value, translate
from flywheel_sync.settings.rules import ValueSource
from tests.unit.mapping.microsoft_records import (
    PLANNER_CONTEXT,
    planner_task,
)
from tests.unit.mapping.records import (
    jira_issue,
    reader,
    status,
)

ISSUE = jira_issue(
    "PMO-10",
    summary="Onboarding for Grid Operations [PMO-10]",
    fields={"labels": ["onboarding-intake", "eng:PMO-3"], "status": status("In Progress")},
)


def source(**given: Any) -> ValueSource:
    return ValueSource.model_validate(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"field": "summary"}, ("Onboarding for Grid Operations [PMO-10]",)),
        ({"field": "summary", "pattern": r"\[(?P<value>PMO-\d+)\]"}, ("PMO-10",)),
        ({"field": "summary", "pattern": r" for (?P<value>.+?) \["}, ("Grid Operations",)),
        ({"field": "summary", "pattern": r"\[(?P<value>OPS-\d+)\]"}, ()),
        (
            {"field": "status", "value_map": {" in progress ": "service_operation"}},
            ("service_operation",),
        ),
        ({"field": "status", "value_map": {"Done": "value_delivery"}}, ("In Progress",)),
        ({"label_prefix": "onboarding-"}, ("intake",)),
        ({"label_prefix": "eng:"}, ("PMO-3",)),
        ({"label_prefix": "missing-"}, ()),
        ({"constant": "portfolio-governance"}, ("portfolio-governance",)),
        ({"constant": ""}, ()),
        ({"bucket": True}, ()),
    ],
    ids=[
        "field",
        "pattern-join-key",
        "pattern-customer",
        "pattern-no-match",
        "value-map-any-case-and-spaces",
        "value-map-passes-unnamed-values",
        "label-prefix",
        "label-prefix-other",
        "label-prefix-absent",
        "constant",
        "empty-constant",
        "bucket-of-a-jira-issue",
    ],
)
def test_read_value_candidates(given: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert read_value(source(**given), reader(ISSUE)).candidates == expected


def test_bucket_of_a_planner_task() -> None:
    task = planner_task("task-1", title="t", bucket_id="bucket-operation")

    assert read_value(source(bucket=True), reader(task, *PLANNER_CONTEXT)).value == (
        "Service Operation"
    )


def test_translate_applies_the_pattern_before_the_map_and_drops_repeats() -> None:
    rule = source(field="x", pattern=r"^(?P<value>\w+)", value_map={"Alpha": "a", "alpha": "a"})

    assert translate(rule, ("Alpha one", "alpha two", "Beta")) == ("a", "Beta")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"field": "PMO Customer"}, "field 'PMO Customer'"),
        ({"bucket": True}, "bucket"),
        ({"label_prefix": "eng:"}, "label 'eng:'…"),
        ({"constant": "x"}, "constant 'x'"),
    ],
)
def test_describe(given: dict[str, Any], expected: str) -> None:
    assert describe(source(**given)) == expected


@pytest.mark.parametrize(
    ("raw", "candidates", "expected"),
    [
        (("GRID",), ("GRID",), "field 'c' = 'GRID'"),
        (
            ("In Progress",),
            ("service_operation",),
            "field 'c' = 'In Progress' → 'service_operation'",
        ),
        (("title",), (), "field 'c' = 'title' → no match"),
        ((), (), "field 'c' = nothing"),
    ],
)
def test_shown_keeps_each_step(
    raw: tuple[str, ...], candidates: tuple[str, ...], expected: str
) -> None:
    assert ReadValue(origin="field 'c'", raw=raw, candidates=candidates).shown() == expected


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        ("true", True),
        ("Done", True),
        (" YES ", True),
        ("1", True),
        ("x", True),
        ("false", False),
        ("In Progress", False),
        ("0", False),
        (None, False),
    ],
)
def test_truthy(value: str | None, truthy: bool) -> None:
    candidates = () if value is None else (value,)

    assert ReadValue(origin="o", raw=candidates, candidates=candidates).truthy is truthy
