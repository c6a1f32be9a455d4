"""WorkflowsWebhook against the sandbox's Workflows trigger; cards read back from its inbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.errors import (
    AuthenticationError,
    ConnectorConfigError,
    ConnectorError,
    RetryableError,
    WriteRejectedError,
)
from connectors.retry import RetryPolicy
from connectors.teams import WorkflowsWebhook
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.sandbox.services import SandboxCredentials

SIGNATURE = SandboxCredentials().workflows_signature
CANARY = "canary-sig-7Qx2vB9"
FAST = RetryPolicy(sleep=lambda seconds: None, max_attempts=2)


def card(*texts: str, version: str = "1.4") -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": version,
                    "body": [{"type": "TextBlock", "text": t, "wrap": True} for t in texts],
                },
            }
        ],
    }


def inbox(server: SandboxServer) -> list[dict[str, Any]]:
    return list(httpx.get(f"{server.url}/_sandbox/inbox").json()["cards"])


def set_faults(server: SandboxServer, **knobs: object) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=knobs).raise_for_status()


@pytest.fixture
def open_webhook() -> Iterator[Any]:
    opened: list[WorkflowsWebhook] = []

    def make(url: str, *, policy: RetryPolicy = FAST) -> WorkflowsWebhook:
        webhook = WorkflowsWebhook(source="teams:pmo-reports", url=url, policy=policy, timeout=10)
        opened.append(webhook)
        return webhook

    yield make
    for webhook in opened:
        webhook.close()


def url(server: SandboxServer, path: str = "pmo-reports", sig: str = SIGNATURE) -> str:
    return f"{server.url}/workflows/{path}?api-version=2016-06-01&sig={sig}"


def test_a_valid_card_is_posted(sandbox: SandboxServer, open_webhook: Any) -> None:
    message = card("Grid Ops: 3 of 4 KPIs on track")

    open_webhook(url(sandbox)).post(message)

    assert [(c["webhook"], c["payload"]) for c in inbox(sandbox)] == [("pmo-reports", message)]


def test_a_card_over_28_kb_is_rejected_as_too_large(
    sandbox: SandboxServer, open_webhook: Any
) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        open_webhook(url(sandbox)).post(card("x" * 29_000))

    assert refused.value.status == 413
    assert refused.value.reasons == ("card larger than Teams accepts (28 KB)",)
    assert inbox(sandbox) == []


def test_an_invalid_card_is_rejected_with_the_triggers_reasons(
    cloud: SandboxServer, open_webhook: Any
) -> None:
    with pytest.raises(WriteRejectedError) as refused:
        open_webhook(url(cloud)).post(card("too new", version="1.6"))

    assert refused.value.status == 400
    assert refused.value.code == "TriggerInputSchemaMismatch"
    assert "$.attachments[0].content.version" in str(refused.value)


def test_a_refused_signature_never_shows_in_the_error(
    cloud: SandboxServer, open_webhook: Any
) -> None:
    webhook = open_webhook(url(cloud, sig=CANARY))

    with pytest.raises(AuthenticationError) as refused:
        webhook.post(card("hello"))

    assert CANARY not in str(refused.value)
    assert CANARY not in repr(webhook)
    assert webhook.url == f"{cloud.url}/workflows/pmo-reports"


def test_a_workflow_that_does_not_exist_is_a_configuration_error(
    cloud: SandboxServer, open_webhook: Any
) -> None:
    with pytest.raises(ConnectorConfigError) as refused:
        open_webhook(url(cloud, path="pmo-reports/gone/away", sig=CANARY)).post(card("hello"))

    assert CANARY not in str(refused.value)


def test_a_429_is_waited_out_as_retry_after_says(sandbox: SandboxServer, open_webhook: Any) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        set_faults(sandbox, rate_limit=None)  # the wait is over: lift the limit

    webhook = open_webhook(url(sandbox), policy=RetryPolicy(sleep=sleep, max_total_wait=1000))
    set_faults(sandbox, rate_limit=0.01, burst=1)
    webhook.post(card("first"))  # takes the one token

    webhook.post(card("second"))

    assert waits == [100.0]
    assert [
        c["payload"]["attachments"][0]["content"]["body"][0]["text"] for c in inbox(sandbox)
    ] == [
        "first",
        "second",
    ]


def test_no_answer_at_all_is_retryable_and_keeps_the_signature_out(open_webhook: Any) -> None:
    webhook = open_webhook(f"http://127.0.0.1:1/workflows/x?sig={CANARY}")

    with pytest.raises(RetryableError) as failed:
        webhook.post(card("hello"))

    assert isinstance(failed.value, ConnectorError)
    assert CANARY not in str(failed.value)
    assert failed.value.__cause__ is None
