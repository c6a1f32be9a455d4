"""The real client libraries driven through the recorder: their requests meet the specs too.

atlassian-python-api accepts a ``requests.Session``, so every request it makes (and the
sandbox's answer) is recorded and judged, not only the ones a row spells out by hand.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from atlassian import Confluence, ConfluenceV2

from flywheel_sync.sandbox.server import SandboxServer
from tests.contract.calls import CONFLUENCE_AUTH
from tests.contract.harness import ContractRecorder
from tests.contract.specs import CONFLUENCE_V1, CONFLUENCE_V2

USER, TOKEN = CONFLUENCE_AUTH


@pytest.fixture
def recorder(cloud_sandbox: SandboxServer) -> ContractRecorder:
    return ContractRecorder(cloud_sandbox.url, [CONFLUENCE_V1, CONFLUENCE_V2], auth=CONFLUENCE_AUTH)


def nonconforming(recorder: ContractRecorder) -> list[tuple[str, int, Any]]:
    return [(v.operation, v.status, v.violations) for v in recorder.verdicts() if v.violations]


def test_confluence_v2_client_publishes_a_page_within_the_spec(
    recorder: ContractRecorder, cloud_sandbox: SandboxServer
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ConfluenceV2 warns at construction
        client: Any = ConfluenceV2(
            url=f"{cloud_sandbox.url}/confluence/wiki",
            username=USER,
            password=TOKEN,
            session=recorder.session,
        )
    spaces = client.get_spaces(keys=["PMO"])
    space_id = (spaces["results"] if isinstance(spaces, dict) else spaces)[0]["id"]
    created = client.create_page(space_id, "Library v2 page", "<p>v1</p>")
    client.update_page(created["id"], "Library v2 page", "<p>v2</p>", version=1, status="current")
    client.get_page_by_title("PMO", "Library v2 page")

    assert (len(recorder.exchanges), nonconforming(recorder)) == (5, [])


def test_confluence_v1_client_publishes_a_page_within_the_spec(
    recorder: ContractRecorder, cloud_sandbox: SandboxServer
) -> None:
    client: Any = Confluence(  # type: ignore[no-untyped-call]
        url=f"{cloud_sandbox.url}/confluence",
        username=USER,
        password=TOKEN,
        cloud=False,
        session=recorder.session,
    )
    created = client.create_page("PMO", "Library v1 page", "<p>v1</p>")
    client.update_page(created["id"], "Library v1 page", "<p>v2</p>")
    client.set_page_label(created["id"], "flywheel-sync")

    assert nonconforming(recorder) == []
