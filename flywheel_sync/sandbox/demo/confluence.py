"""Confluence in the demo: the PMO space, its home page and the parent of the KPI summary pages.

KPI summary pages are pushed under "PMO Value Reports" (``parent_title`` in the example
mapping). Pages are Confluence Cloud REST v2 ``PageSingle`` JSON with a storage-format body;
the space id is numeric, as v2 requires.
"""

from dataclasses import dataclass

from flywheel_sync.sandbox.demo.catalogue import ORGANISATION_NAME, PMO_NAME, SERVICES
from flywheel_sync.sandbox.demo.jira_model import JsonObject
from flywheel_sync.sandbox.demo.people import DemoPerson
from flywheel_sync.sandbox.demo.timeline import DAY, graph_time

__all__ = ["SPACE_ID", "SPACE_KEY", "VALUE_REPORTS_TITLE", "ConfluenceSite", "write_confluence"]

SPACE_ID = "98305"
SPACE_KEY = "PMO"
VALUE_REPORTS_TITLE = "PMO Value Reports"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfluenceSite:
    """The PMO space and its pages (parents before children)."""

    space: JsonObject
    pages: tuple[JsonObject, ...]


def _time(seconds: int) -> str:
    return graph_time(seconds).replace("Z", ".000Z")


def _page(
    page_id: str,
    title: str,
    body: str,
    *,
    parent_id: str | None,
    author: DemoPerson,
    created: int,
    version: int,
) -> JsonObject:
    return {
        "id": page_id,
        "status": "current",
        "title": title,
        "spaceId": SPACE_ID,
        "parentId": parent_id,
        "parentType": None if parent_id is None else "page",
        "position": int(page_id) - int(SPACE_ID),
        "authorId": author.account_id,
        "ownerId": author.account_id,
        "createdAt": _time(created),
        "version": {
            "number": version,
            "message": "",
            "minorEdit": False,
            "authorId": author.account_id,
            "createdAt": _time(created + (version - 1) * 30 * DAY),
        },
        "body": {"storage": {"value": body, "representation": "storage"}},
    }


def write_confluence(lead: DemoPerson, *, now: int) -> ConfluenceSite:
    """Write the PMO space, its home page, the charter, the catalogue and the reports parent."""
    created = now - 540 * DAY
    catalogue = "".join(f"<li><strong>{s.name}</strong>: {s.description}</li>" for s in SERVICES)
    pages = (
        _page(
            "98306",
            PMO_NAME,
            f"<p>The {PMO_NAME} of {ORGANISATION_NAME}: portfolio visibility and delivery "
            "support for every project above the budget threshold.</p>",
            parent_id=None,
            author=lead,
            created=created,
            version=3,
        ),
        _page(
            "98307",
            VALUE_REPORTS_TITLE,
            "<p>KPI summaries per service and per customer, published by flywheel-sync.</p>",
            parent_id="98306",
            author=lead,
            created=created + DAY,
            version=1,
        ),
        _page(
            "98308",
            "PMO Charter",
            "<p><strong>Mandate</strong>: portfolio visibility and delivery support. "
            "<strong>Governance</strong>: monthly portfolio board, quarterly strategy review. "
            "<strong>Strategy</strong>: from report factory to value partner in 18 months.</p>",
            parent_id="98306",
            author=lead,
            created=created + DAY,
            version=2,
        ),
        _page(
            "98309",
            "Service Catalogue",
            f"<ul>{catalogue}</ul>",
            parent_id="98306",
            author=lead,
            created=created + 2 * DAY,
            version=4,
        ),
    )
    space = {
        "id": SPACE_ID,
        "key": SPACE_KEY,
        "name": PMO_NAME,
        "type": "global",
        "status": "current",
        "authorId": lead.account_id,
        "createdAt": _time(created),
        "homepageId": "98306",
        "description": {"plain": {"value": f"The {PMO_NAME}'s space.", "representation": "plain"}},
    }
    return ConfluenceSite(space=space, pages=pages)
