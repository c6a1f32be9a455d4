"""The edge for the Microsoft emulators: credentials, throttling, faults, stats and reset.

The same knobs as for Jira (test_sandbox_edge.py), answered in each service's own dialect:
Graph's ``{"error": {"code", "message", "innerError"}}``, Dataverse's hex error codes, Logic
Apps' body for the Workflows webhook.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials

CREDENTIALS = SandboxCredentials()
GRAPH = {"Authorization": f"Bearer {CREDENTIALS.graph_token}"}
DATAVERSE = {"Authorization": f"Bearer {CREDENTIALS.dataverse_token}"}
CARD = {
    "type": "message",
    "attachments": [
        {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [{"type": "TextBlock", "text": "Sync finished", "wrap": True}],
            },
        }
    ],
}


def set_faults(sandbox: SandboxServer, **knobs: object) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=knobs).raise_for_status()


def stats(sandbox: SandboxServer) -> dict[str, Any]:
    result: dict[str, Any] = httpx.get(f"{sandbox.url}/_sandbox/stats").json()
    return result


def graph_get(sandbox: SandboxServer, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(f"{sandbox.url}/graph/v1.0{path}", **{"headers": GRAPH, **kwargs})


def group_path(sandbox: SandboxServer) -> str:
    return f"/groups/{sandbox.state.organisation.group_id}"


def webhook_url(sandbox: SandboxServer) -> str:
    return f"{sandbox.url}/workflows/pmo-announcements?sig={CREDENTIALS.workflows_signature}"


@pytest.mark.parametrize(
    ("prefix", "headers", "code"),
    [
        pytest.param("/graph/v1.0/planner/plans/x", {}, "InvalidAuthenticationToken", id="graph"),
        pytest.param(
            "/graph/v1.0/planner/plans/x",
            {"Authorization": "Bearer wrong"},
            "InvalidAuthenticationToken",
            id="graph-wrong-token",
        ),
        pytest.param(
            "/graph/v1.0/planner/plans/x",
            {"Authorization": f"Bearer {CREDENTIALS.dataverse_token}"},
            "InvalidAuthenticationToken",
            id="graph-with-dataverse-token",
        ),
        pytest.param("/dataverse/api/data/v9.2/msdyn_projects", {}, "0x80040220", id="dataverse"),
    ],
)
def test_missing_or_wrong_tokens_get_the_services_401(
    sandbox: SandboxServer, prefix: str, headers: dict[str, str], code: str
) -> None:
    response = httpx.get(sandbox.url + prefix, headers=headers)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert response.json()["error"]["code"] == code


def test_graph_401_carries_graphs_inner_error(sandbox: SandboxServer) -> None:
    error = httpx.get(f"{sandbox.url}/graph/v1.0/planner/plans/x").json()["error"]

    assert set(error) == {"code", "message", "innerError"}
    assert "+" not in error["innerError"]["date"]  # Graph's date carries no offset
    assert error["innerError"]["request-id"]


def request_to(sandbox: SandboxServer, service: str) -> httpx.Response:
    """One ordinary, authorised request to ``service``."""
    if service == "graph":
        return graph_get(sandbox, group_path(sandbox))
    if service == "dataverse":
        url = f"{sandbox.url}/dataverse/api/data/v9.2/msdyn_projects"
        return httpx.get(url, headers=DATAVERSE)
    return httpx.post(webhook_url(sandbox), json=CARD)


@pytest.mark.parametrize(
    ("service", "code"),
    [("graph", "TooManyRequests"), ("dataverse", "0x80072322"), ("workflows", None)],
)
def test_each_service_answers_429_with_retry_after_in_its_dialect(
    sandbox: SandboxServer, service: str, code: str | None
) -> None:
    set_faults(sandbox, rate_limit=1, burst=1)
    first, second = request_to(sandbox, service), request_to(sandbox, service)

    assert first.status_code < 400
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "1"
    if code is not None:
        assert second.json()["error"]["code"] == code
    assert stats(sandbox)["throttled"] == 1


def test_rate_limits_are_per_service(sandbox: SandboxServer) -> None:
    set_faults(sandbox, rate_limit=1, burst=1)

    request_to(sandbox, "graph")
    dataverse = request_to(sandbox, "dataverse")
    graph_again = request_to(sandbox, "graph")

    assert dataverse.status_code == 200
    assert graph_again.status_code == 429


def test_injected_faults_reach_graph_with_graphs_body(sandbox: SandboxServer) -> None:
    set_faults(sandbox, fault_rate=1.0)
    outcomes: set[str] = set()
    bodies: list[dict[str, Any]] = []

    for _ in range(30):
        try:
            response = graph_get(sandbox, group_path(sandbox))
        except httpx.HTTPError:
            outcomes.add("dropped")
            continue
        outcomes.add(str(response.status_code))
        bodies.append(response.json())

    assert outcomes == {"500", "503", "dropped"}
    assert all(set(body["error"]) == {"code", "message", "innerError"} for body in bodies)
    assert stats(sandbox)["faults"] == 30


def test_a_throttled_batch_step_answers_429_inside_a_200_batch(sandbox: SandboxServer) -> None:
    set_faults(sandbox, rate_limit=1, burst=2)  # the batch and its first step fit, not the second
    step = {"method": "GET", "url": group_path(sandbox)}
    body = {"requests": [{"id": "1", **step}, {"id": "2", **step, "dependsOn": ["1"]}]}

    response = httpx.post(f"{sandbox.url}/graph/v1.0/$batch", headers=GRAPH, json=body)

    assert response.status_code == 200
    first, second = response.json()["responses"]
    assert first["status"] == 200
    assert second["status"] == 429
    assert second["headers"]["Retry-After"] == "1"
    assert second["body"]["error"]["code"] == "TooManyRequests"
    counted = stats(sandbox)
    assert counted["throttled"] == 1
    assert counted["requests"] == {
        "POST /graph/v1.0/$batch": 1,
        "GET /graph/v1.0/groups/{group_id}": 2,
    }


def test_batch_steps_need_the_batchs_own_credentials(sandbox: SandboxServer) -> None:
    step = {"id": "1", "method": "GET", "url": group_path(sandbox)}
    forged = {**step, "headers": {"Authorization": "Bearer wrong"}}

    good = httpx.post(f"{sandbox.url}/graph/v1.0/$batch", headers=GRAPH, json={"requests": [step]})
    bad = httpx.post(f"{sandbox.url}/graph/v1.0/$batch", headers=GRAPH, json={"requests": [forged]})

    assert good.json()["responses"][0]["status"] == 200
    assert bad.json()["responses"][0]["status"] == 401


def test_webhook_posts_are_counted_and_signature_is_never_a_header(sandbox: SandboxServer) -> None:
    accepted = httpx.post(webhook_url(sandbox), json=CARD)
    unsigned = httpx.post(f"{sandbox.url}/workflows/pmo-announcements", json=CARD)

    assert accepted.status_code == 202
    assert unsigned.status_code == 401
    assert stats(sandbox)["requests"] == {"POST /workflows/{webhook}": 2}


def test_reset_forgets_microsoft_writes_and_the_inbox(sandbox: SandboxServer) -> None:
    task = sandbox.state.organisation.planner.tasks[0]
    path = f"/graph/v1.0/planner/tasks/{task['id']}"
    etag = graph_get(sandbox, path.removeprefix("/graph/v1.0")).json()["@odata.etag"]
    renamed = httpx.patch(
        sandbox.url + path, headers={**GRAPH, "If-Match": etag}, json={"title": "Renamed"}
    )
    httpx.post(webhook_url(sandbox), json=CARD)
    assert renamed.status_code == 204
    assert httpx.get(f"{sandbox.url}/_sandbox/inbox").json()["cards"]

    httpx.post(f"{sandbox.url}/_sandbox/reset").raise_for_status()

    after = graph_get(sandbox, path.removeprefix("/graph/v1.0")).json()
    assert after["title"] == task["title"]
    assert after["@odata.etag"] == etag
    assert httpx.get(f"{sandbox.url}/_sandbox/inbox").json() == {"cards": []}
