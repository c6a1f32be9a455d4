"""The Teams Workflows webhook over HTTP: what a flow's trigger accepts, refuses, and keeps."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials
from tests.unit.sandbox_workflows.builders import card, message

SIGNATURE = SandboxCredentials().workflows_signature
SIGNED = {"api-version": "2016-06-01", "sp": "/triggers/manual/run", "sv": "1.0", "sig": SIGNATURE}
TIMEOUT = 5


def post(sandbox: SandboxServer, payload: Any, *, path: str = "/pmo-alerts", **kwargs: Any) -> Any:
    params = kwargs.pop("params", SIGNED)
    return requests.post(
        f"{sandbox.url}/workflows{path}", params=params, json=payload, timeout=TIMEOUT, **kwargs
    )


def inbox(sandbox: SandboxServer) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = requests.get(
        f"{sandbox.url}/_sandbox/inbox", timeout=TIMEOUT
    ).json()["cards"]
    return cards


def test_accepted_card_is_a_202_with_no_body_and_lands_in_the_inbox(
    sandbox: SandboxServer,
) -> None:
    payload = message(card())

    response = post(sandbox, payload)

    assert (response.status_code, response.content) == (202, b"")
    assert [(c["webhook"], c["payload"]) for c in inbox(sandbox)] == [("pmo-alerts", payload)]


def test_a_url_shaped_like_a_real_trigger_works(sandbox: SandboxServer) -> None:
    response = post(sandbox, message(), path="/8a1b2c/triggers/manual/paths/invoke")

    assert response.status_code == 202
    assert inbox(sandbox)[0]["webhook"] == "8a1b2c"


@pytest.mark.parametrize(
    ("params", "code", "message_text"),
    [
        (
            {"api-version": "2016-06-01"},
            "DirectApiAuthorizationRequired",
            "The request must be authenticated only by Shared Access scheme.",
        ),
        (
            {**SIGNED, "sig": "forged"},
            "DirectApiInvalidAuthorizationSignature",
            "The provided authorization signature is not valid.",
        ),
    ],
    ids=["no-signature", "wrong-signature"],
)
def test_the_signature_is_the_credential(
    sandbox: SandboxServer, params: dict[str, str], code: str, message_text: str
) -> None:
    response = post(sandbox, message(), params=params)

    assert response.status_code == 401
    assert response.json() == {"error": {"code": code, "message": message_text}}
    assert inbox(sandbox) == []


def test_a_bearer_token_next_to_the_signature_is_refused(sandbox: SandboxServer) -> None:
    response = post(sandbox, message(), headers={"Authorization": "Bearer token"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "DirectApiRequestHasMoreThanOneAuthorization"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_only_post_triggers_a_flow(sandbox: SandboxServer, method: str) -> None:
    response = requests.request(
        method, f"{sandbox.url}/workflows/pmo-alerts", params=SIGNED, timeout=TIMEOUT
    )

    assert (response.status_code, response.headers["Allow"]) == (405, "POST")
    assert response.json()["error"]["code"] == "TriggerRequestMethodNotValid"


def test_a_message_above_28_kb_is_too_large(sandbox: SandboxServer) -> None:
    text = {"type": "TextBlock", "text": "x" * (28 * 1024)}

    response = post(sandbox, message(card(text)))

    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("Request Entity Too Large")
    assert inbox(sandbox) == []


def test_a_message_of_exactly_28_kb_is_accepted(sandbox: SandboxServer) -> None:
    empty = json.dumps(message(card({"type": "TextBlock", "text": ""})))
    text = "x" * (28 * 1024 - len(empty))
    body = json.dumps(message(card({"type": "TextBlock", "text": text}))).encode()
    assert len(body) == 28 * 1024

    response = requests.post(
        f"{sandbox.url}/workflows/pmo-alerts",
        params=SIGNED,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 202


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b'{"type": "message",', "application/json"), (b"hello", "text/plain")],
    ids=["malformed-json", "not-json"],
)
def test_a_body_that_is_not_json_is_a_400(
    sandbox: SandboxServer, body: bytes, content_type: str
) -> None:
    response = requests.post(
        f"{sandbox.url}/workflows/pmo-alerts",
        params=SIGNED,
        data=body,
        headers={"Content-Type": content_type},
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestContent"


def test_an_invalid_card_is_a_400_naming_every_problem(sandbox: SandboxServer) -> None:
    payload = message(
        card(
            {"type": "TextBlok", "text": "x"},
            version="1.6",
            actions=[{"type": "Action.Submit", "title": "Approve"}],
        )
    )

    response = post(sandbox, payload)

    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (400, "TriggerInputSchemaMismatch")
    assert [d["target"] for d in error["details"]] == [
        "$.attachments[0].content.version",
        "$.attachments[0].content.body[0].type",
        "$.attachments[0].content.actions[0].type",
    ]
    assert all(d["target"] in error["message"] for d in error["details"])
    assert inbox(sandbox) == []


def test_other_paths_are_no_workflow(sandbox: SandboxServer) -> None:
    response = post(sandbox, message(), path="/pmo-alerts/runs")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "WorkflowNotFound"
