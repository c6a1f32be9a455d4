"""The demo is a pure function of (seed, scale, now)."""

from __future__ import annotations

import datetime as dt

import pytest

from flywheel_sync.sandbox.demo import DemoOrganisation, build_demo_organisation
from tests.unit.sandbox_demo.builders import story, wire
from tests.unit.sandbox_demo.conftest import NOW, built


def test_the_same_inputs_build_identical_organisations() -> None:
    again = build_demo_organisation(seed=1, scale=1.0, now=NOW)

    assert wire(again) == wire(built())


def delivery(org: DemoOrganisation) -> list[tuple[str, str, str]]:
    return [
        (issue.key, issue.fields["summary"], issue.fields["created"])
        for issue in org.jira.issues
        if not issue.key.startswith("PMO-")
    ]


def test_another_seed_changes_the_delivery_work() -> None:
    assert delivery(built(seed=2)) != delivery(built(seed=1))


def test_another_seed_tells_the_same_pmo_story() -> None:
    assert story(built(seed=2)) == story(built(seed=1))


def test_now_anchors_every_date() -> None:
    later = build_demo_organisation(seed=1, scale=1.0, now=NOW + dt.timedelta(days=7))

    shifted = [e.history[0].entered_at for e in later.truth.engagements]
    assert shifted != [e.history[0].entered_at for e in built().truth.engagements]
    assert max(issue.fields["updated"] for issue in later.jira.issues) <= (
        (NOW + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    )


def test_a_now_in_another_timezone_gives_the_same_organisation() -> None:
    paris = NOW.astimezone(dt.timezone(dt.timedelta(hours=2)))

    assert wire(build_demo_organisation(now=paris)) == wire(built())


def test_a_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        build_demo_organisation(now=dt.datetime(2026, 6, 15, 12, 0))  # noqa: DTZ001


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf"), 100.5])
def test_a_scale_outside_the_range_is_rejected(scale: float) -> None:
    with pytest.raises(ValueError, match="scale must be above 0 and at most 100"):
        build_demo_organisation(scale=scale, now=NOW)
