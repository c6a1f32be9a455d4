"""The Jira emulator's routes, for the Cloud (REST v3) and Data Center (REST v2) flavours.

Both REST versions are served, as Jira does; the flavour decides what ``serverInfo`` says
(``deploymentType``), which the ``jira`` library reads to choose Cloud or Data Center behaviour.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.jira.bulk import BulkEdits
from flywheel_sync.sandbox.jira.comments import IssueComments
from flywheel_sync.sandbox.jira.issue_edits import IssueEditor
from flywheel_sync.sandbox.jira.metadata import JiraMetadata
from flywheel_sync.sandbox.jira.properties import IssueProperties
from flywheel_sync.sandbox.jira.reads import JiraReads
from flywheel_sync.sandbox.jira.search import IssueSearch
from flywheel_sync.sandbox.jira.store import JiraStore
from flywheel_sync.sandbox.jira.writes import IssueWrites
from flywheel_sync.sandbox.services import SandboxCredentials

__all__ = ["JiraFlavour", "jira_routes"]


class JiraFlavour(StrEnum):
    """Which deployment the emulator pretends to be."""

    CLOUD = "cloud"
    DATACENTER = "datacenter"


_ACCOUNT_ID = "5b10a2844c20165700ede21g"


def _bot_user(flavour: JiraFlavour, credentials: SandboxCredentials) -> JsonObject:
    """The sandbox's API user: ``/myself``, and the author of every write made through it."""
    user: JsonObject = {
        "accountId": _ACCOUNT_ID,
        "emailAddress": credentials.atlassian_user,
        "displayName": "PMO Bot",
        "active": True,
        "timeZone": "UTC",
        "accountType": "atlassian",
    }
    if flavour is JiraFlavour.DATACENTER:
        user |= {"name": "pmo-bot", "key": "pmo-bot"}
    return user


def jira_routes(
    *, flavour: JiraFlavour, credentials: SandboxCredentials, store: JiraStore
) -> list[Route]:
    """Routes relative to the Jira prefix (``/jira``)."""

    async def server_info(request: Request) -> Response:
        base = str(request.base_url).rstrip("/") + request.scope.get("root_path", "")
        cloud = flavour is JiraFlavour.CLOUD
        return JSONResponse(
            {
                "baseUrl": base,
                "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.15",
                "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 15],
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100290 if cloud else 9120015,
                "serverTitle": "Northwind Jira (sandbox)",
            }
        )

    bot = _bot_user(flavour, credentials)

    async def myself(request: Request) -> Response:
        return JSONResponse(bot)

    routes: list[Route] = []
    for version in ("2", "3"):
        routes += [
            Route(f"/rest/api/{version}/serverInfo", server_info, methods=["GET"]),
            Route(f"/rest/api/{version}/myself", myself, methods=["GET"]),
        ]
    cloud = flavour is JiraFlavour.CLOUD
    search = IssueSearch(store, clock=lambda: datetime.now(UTC))
    editor = IssueEditor(store, clock=lambda: datetime.now(UTC), author=bot, cloud=cloud)
    reads = JiraReads(store, search, cloud=cloud)
    # Writes first: ``POST /issue/bulk`` must not be taken for ``/issue/{issue}`` by the
    # request counters, which stop at the first route whose path matches.
    if cloud:
        routes += reads.bulk_fetch_routes()
    routes += IssueWrites(editor).routes()
    routes += IssueComments(editor).routes()
    routes += IssueProperties(store).routes()
    routes += JiraMetadata(store, cloud=cloud).routes()
    if cloud:
        routes += BulkEdits(editor).routes()
    return routes + reads.routes()
