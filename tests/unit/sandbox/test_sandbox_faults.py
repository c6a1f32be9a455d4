"""The sandbox's knobs, decided without any server: token bucket, latency, route templates."""

from __future__ import annotations

import pytest
from starlette.routing import Mount, Route

from flywheel_sync.sandbox.faults import Faults, FaultSettings, TokenBucket
from flywheel_sync.sandbox.middleware import matched_template


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_grants_its_capacity_then_says_how_long_to_wait() -> None:
    bucket = TokenBucket(rate=2, capacity=2, tokens=2, updated=0)

    assert [bucket.take(0), bucket.take(0)] == [0, 0]
    assert bucket.take(0) == pytest.approx(0.5)
    assert bucket.take(0.5) == 0


def test_retry_after_is_whole_seconds_and_refills_with_time() -> None:
    clock = FakeClock()
    faults = Faults(FaultSettings(rate_limit=0.5, burst=1), clock=clock)

    assert faults.retry_after("jira") is None
    assert faults.retry_after("jira") == 2
    clock.now += 2
    assert faults.retry_after("jira") is None


def test_each_service_has_its_own_bucket() -> None:
    faults = Faults(FaultSettings(rate_limit=1, burst=1), clock=FakeClock())

    assert faults.retry_after("jira") is None
    assert faults.retry_after("graph") is None
    assert faults.retry_after("jira") == 1


def test_no_rate_limit_never_throttles() -> None:
    faults = Faults(FaultSettings(), clock=FakeClock())

    assert all(faults.retry_after("jira") is None for _ in range(1000))


def test_latency_stays_within_base_plus_jitter() -> None:
    faults = Faults(FaultSettings(latency_ms=30, latency_jitter_ms=10), seed=7)

    delays = [faults.latency_seconds() for _ in range(200)]

    assert min(delays) >= 0.030
    assert max(delays) <= 0.040
    assert len(set(delays)) > 100


def test_fault_rate_zero_never_faults_and_one_always_does() -> None:
    assert {Faults(FaultSettings()).fault() for _ in range(100)} == {None}
    assert None not in {Faults(FaultSettings(fault_rate=1.0)).fault() for _ in range(100)}


def test_update_changes_only_the_given_knobs() -> None:
    faults = Faults(FaultSettings(latency_ms=5, fault_rate=0.1))

    updated = faults.update(FaultSettings(rate_limit=3), {"rate_limit"})

    assert updated == FaultSettings(latency_ms=5, fault_rate=0.1, rate_limit=3)


async def _endpoint() -> None:  # pragma: no cover - never called: only matched
    return None


ROUTES = [
    Mount(
        "/jira",
        routes=[
            Route("/rest/api/3/issue/{issue}", _endpoint),
            Route("/rest/api/3/issue/{issue}/comment/{comment}", _endpoint),
        ],
    ),
]


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/jira/rest/api/3/issue/PMO-7", "/jira/rest/api/3/issue/{issue}"),
        ("/jira/rest/api/3/issue/1/comment/1", "/jira/rest/api/3/issue/{issue}/comment/{comment}"),
        ("/nowhere", "/nowhere"),
    ],
)
def test_matched_template_is_the_route_pattern(path: str, template: str) -> None:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}

    assert matched_template(ROUTES, scope) == template
