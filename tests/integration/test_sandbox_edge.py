"""The sandbox's edge over real HTTP: credentials, rate limits, faults and stats."""

from __future__ import annotations

import socket

import pytest
import requests
from jira import JIRA

from flywheel_sync.sandbox.jira.app import JiraFlavour
from flywheel_sync.sandbox.server import SandboxOptions, SandboxServer
from tests.integration.jira_clients import TOKEN, USER, jira_client


def set_faults(sandbox: SandboxServer, **knobs: object) -> None:
    response = requests.post(f"{sandbox.url}/_sandbox/faults", json=knobs, timeout=5)
    response.raise_for_status()


def stats(sandbox: SandboxServer) -> dict[str, object]:
    result: dict[str, object] = requests.get(f"{sandbox.url}/_sandbox/stats", timeout=5).json()
    return result


def test_jira_library_sees_a_cloud_site(sandbox: SandboxServer) -> None:
    client = jira_client(sandbox)

    assert client.deploymentType == "Cloud"
    assert client.myself()["emailAddress"] == USER


def test_data_center_flavour_is_not_cloud() -> None:
    with SandboxServer(SandboxOptions(jira_flavour=JiraFlavour.DATACENTER)) as sandbox:
        client = JIRA(server=f"{sandbox.url}/jira", token_auth=TOKEN, max_retries=0)

        assert client.deploymentType == "Server"
        assert client.myself()["name"] == "pmo-bot"


@pytest.mark.parametrize(
    "auth",
    [("pmo-bot@northwind.example", "wrong"), ("someone@else.example", TOKEN), None],
)
def test_wrong_or_missing_credentials_get_a_jira_401(
    sandbox: SandboxServer, auth: tuple[str, str] | None
) -> None:
    response = requests.get(f"{sandbox.url}/jira/rest/api/3/myself", auth=auth, timeout=5)

    assert response.status_code == 401
    assert response.json() == {
        "errorMessages": ["Client must be authenticated to access this resource."],
        "errors": {},
    }


def test_server_info_answers_anonymously_like_jira(sandbox: SandboxServer) -> None:
    response = requests.get(f"{sandbox.url}/jira/rest/api/3/serverInfo", timeout=5)

    assert response.status_code == 200
    assert response.json()["deploymentType"] == "Cloud"


def test_rate_limit_answers_429_with_integer_retry_after_and_is_counted(
    sandbox: SandboxServer,
) -> None:
    set_faults(sandbox, rate_limit=1, burst=2)
    url = f"{sandbox.url}/jira/rest/api/3/myself"

    responses = [requests.get(url, auth=(USER, TOKEN), timeout=5) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 429, 429]
    throttled = responses[2]
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.headers["RateLimit-Reason"] == "jira-burst-based"
    assert throttled.headers["X-RateLimit-Remaining"] == "0"
    assert throttled.json() == {"errorMessages": ["Rate limit exceeded."], "errors": {}}
    assert stats(sandbox) == {
        "total": 4,
        "throttled": 2,
        "faults": 0,
        "requests": {"GET /jira/rest/api/3/myself": 4},
    }


def test_faults_produce_errors_and_dropped_connections(sandbox: SandboxServer) -> None:
    set_faults(sandbox, fault_rate=1.0)
    url = f"{sandbox.url}/jira/rest/api/3/myself"
    outcomes: set[str] = set()

    for _ in range(30):
        try:
            outcomes.add(str(requests.get(url, auth=(USER, TOKEN), timeout=5).status_code))
        except requests.exceptions.RequestException:
            outcomes.add("dropped")

    assert outcomes == {"500", "503", "dropped"}
    counted = stats(sandbox)
    assert counted["faults"] == 30
    assert counted["requests"] == {"GET /jira/rest/api/3/myself": 30}


def test_admin_routes_are_never_throttled_or_counted(sandbox: SandboxServer) -> None:
    set_faults(sandbox, rate_limit=1, burst=1, fault_rate=1.0)

    for _ in range(5):
        assert requests.get(f"{sandbox.url}/_sandbox/faults", timeout=5).status_code == 200

    assert stats(sandbox)["total"] == 0


def test_bad_fault_settings_are_refused_with_every_reason(sandbox: SandboxServer) -> None:
    response = requests.post(
        f"{sandbox.url}/_sandbox/faults", json={"fault_rate": 2, "latncy_ms": 5}, timeout=5
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            "fault_rate: Input should be less than or equal to 1",
            "latncy_ms: Extra inputs are not permitted",
        ]
    }


def test_reset_clears_the_counters(sandbox: SandboxServer) -> None:
    requests.get(f"{sandbox.url}/jira/rest/api/3/serverInfo", timeout=5)

    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)

    assert stats(sandbox) == {"total": 0, "throttled": 0, "faults": 0, "requests": {}}


def test_listening_socket_disables_nagle_for_keep_alive_clients(sandbox: SandboxServer) -> None:
    listening = sandbox._socket

    assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
