"""Microsoft Graph connectors: Planner plans and Teams channels, read incrementally.

Both read through msgraph-sdk's request adapter on the raw JSON path (libraries.md §1, §4),
each from a `GraphSession` it owns: one background event loop, one connection pool, retries
off in the SDK so the source's `RetryPolicy` is the only one, explicit timeouts.

Building one (the ``pull`` command does this from a ``GraphConnection``)::

    session = GraphSession(base_url="https://graph.microsoft.com/v1.0",
                           credential=ClientSecretCredential(tenant, client, secret))
    # the sandbox: GraphSession(base_url=f"{sandbox.url}/graph/v1.0", token=graph_token)
    with PlannerSource(name="planner:northwind", session=session, group_ids=[group_id]) as s:
        for scope in s.scopes():
            for page in s.pages(scope, stored_watermark(scope)):
                store(page)

Record types (``external_id`` in brackets; every payload is Graph's JSON with its
``@odata.etag``, less the answer's ``@odata.context``):

=========================  ===============================================================
``planner_plan``           a plan [plan id]
``planner_plan_details``   a plan's details: ``categoryDescriptions`` are the label names
                           [plan id]
``planner_bucket``         a bucket [bucket id]
``planner_task``           a task, with its task details (checklist, description,
                           references; their own ``@odata.etag``) under the extra key
                           ``"details"``, as ``$expand=details`` would put them [task id]
``channel_message``        a channel's root post, without its inline replies
                           [``<channel id>/<message id>``]
``channel_reply``          a reply to a root post (``replyToId`` names it)
                           [``<channel id>/<reply id>``]
``directory_user``         a message author's Entra user, ``$select``-ed with
                           ``department`` (which customer wrote it) [user id]
=========================  ===============================================================

A deleted Planner task or bucket is reported as a record of its type whose payload is
``{"id": …, "@removed": {"reason": "deleted"}}`` (Graph's own delta spelling); a deleted
plan simply stops being a scope. Deleted Teams messages come as Graph sends them, with
``deletedDateTime`` set. ``updated_at`` is ``lastModifiedDateTime`` for messages; Planner
objects have no last-modified time in v1.0, so theirs is None.

Watermarks: per plan, the ETag digests of its objects (`PlanWatermark`); per channel, the
next delta link or the state of a full read (`ChannelWatermark`). Both are JSON text.

Writes: `PlannerWriter` patches tasks and task details (checklists) with ``If-Match``, 20
to a raw ``$batch``, one `PatchOutcome` per `PlannerPatch` (`connectors.graph.planner_writer`).
"""

from __future__ import annotations

from connectors.graph.auth import GRAPH_SCOPE
from connectors.graph.failures import ExpiredLinkError
from connectors.graph.planner import (
    PLANNER_BUCKET,
    PLANNER_PLAN,
    PLANNER_PLAN_DETAILS,
    PLANNER_TASK,
    PlannerSource,
)
from connectors.graph.planner_watermark import PlanWatermark
from connectors.graph.planner_writer import PatchOutcome, PlannerPatch, PlannerWriter
from connectors.graph.session import DEFAULT_GRAPH_URL, GraphSession
from connectors.graph.teams import CHANNEL_MESSAGE, CHANNEL_REPLY, ChannelRef, TeamsSource
from connectors.graph.teams_authors import DIRECTORY_USER
from connectors.graph.teams_watermark import ChannelWatermark

__all__ = [
    "CHANNEL_MESSAGE",
    "CHANNEL_REPLY",
    "DEFAULT_GRAPH_URL",
    "DIRECTORY_USER",
    "GRAPH_SCOPE",
    "PLANNER_BUCKET",
    "PLANNER_PLAN",
    "PLANNER_PLAN_DETAILS",
    "PLANNER_TASK",
    "ChannelRef",
    "ChannelWatermark",
    "ExpiredLinkError",
    "GraphSession",
    "PatchOutcome",
    "PlanWatermark",
    "PlannerPatch",
    "PlannerSource",
    "PlannerWriter",
    "TeamsSource",
]
