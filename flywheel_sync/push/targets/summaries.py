"""KPI summary targets: Confluence pages, Teams cards, Jira comments on entering a stage.

**Confluence.** One page per summary (service or customer), found by the id flywheel-sync
recorded, else by its title in the space. A page flywheel-sync wrote carries a content
property (`PAGE_MARKER`) with the hash and version of that write, so a page whose version moved
on since was edited by a person: a conflict, settled by the policy. A page with the same title
that flywheel-sync never wrote is a person's: a conflict too, never overwritten silently.
Either way, a page that already shows exactly the body wanted is our own write whose marker
never landed (the apply failed or was killed between the page and its marker): the write
confirms and marks it. The current page is read live when planning (pages are not pulled).

**Teams.** Cards go through a Workflows webhook, which cannot be read back: flywheel-sync
remembers the hash of what it posted per summary and posts again only when the summary changed.

**Jira comments.** One comment per engagement and stage entry (stage, cycle), carrying a marker
the executor looks for before posting, so a comment is never posted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote_plus

from flywheel_sync.mapping.context import RecordType
from flywheel_sync.push.changes import Action, content_hash
from flywheel_sync.push.context import PlanBuilder, Slot, fixed
from flywheel_sync.report.cards import render_cards
from flywheel_sync.report.confluence import page_title, render_page
from flywheel_sync.report.jira_comment import render_comment
from flywheel_sync.report.summary import KPISummary
from flywheel_sync.settings.targets import (
    ConfluenceSummaryTarget,
    JiraCommentTarget,
    TeamsSummaryTarget,
)
from flywheel_sync.store.rows import OwnedValue

__all__ = [
    "PAGE_MARKER",
    "PageReader",
    "page_link",
    "page_shows",
    "plan_confluence_pages",
    "plan_jira_comments",
    "plan_teams_cards",
    "summary_ref",
]

PAGE_MARKER = "flywheel-sync"
"""The content property on every page flywheel-sync writes: ``{"hash", "version"}``."""

CONFLUENCE_PAGES = "kpi_summaries.confluence"
TEAMS_CARDS = "kpi_summaries.teams"
JIRA_COMMENTS = "kpi_summaries.jira_comment"


class _Page(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...


@runtime_checkable
class _PageWithBody(Protocol):
    """A page read with its storage-format body (`connectors.confluence.PageInfo` is one)."""

    @property
    def body(self) -> str: ...


class _Property(Protocol):
    @property
    def value(self) -> Any: ...


class PageReader(Protocol):
    """Reads Confluence pages as they are now (`connectors.confluence.ConfluenceSite`)."""

    def find_page(self, space_key: str, title: str) -> _Page | None:
        """The current page with this title in the space, if any."""
        ...

    def page(self, page_id: str) -> _Page | None:
        """The page with this id, if it still exists."""
        ...

    def page_property(self, page_id: str, key: str) -> _Property | None:
        """A content property of the page, if set."""
        ...


def summary_ref(summary: KPISummary) -> str:
    """The stable reference of a summary: ``service:health-checks``."""
    return f"{summary.scope.value}:{summary.subject_id}"


def page_link(base_url: str, space: str, title: str) -> str:
    """A link to a page by space and title, known before the page exists."""
    return f"{base_url.rstrip('/')}/display/{quote_plus(space)}/{quote_plus(title)}"


def page_shows(page: object, body: str) -> bool:
    """Whether ``page`` holds the storage-format ``body`` (Confluence may re-indent it)."""
    if not isinstance(page, _PageWithBody):
        return False
    return " ".join(page.body.split()) == " ".join(body.split())


def _wanted(summaries: tuple[KPISummary, ...], per: tuple[Any, ...]) -> list[KPISummary]:
    scopes = {scope.value for scope in per}
    return [summary for summary in summaries if summary.scope.value in scopes]


def plan_confluence_pages(
    builder: PlanBuilder, target: ConfluenceSummaryTarget, pages: PageReader
) -> None:
    """Plan the KPI summary pages: create missing ones, update ours when the summary changed."""
    context, source = builder.context, target.source
    for summary in _wanted(context.desired.summaries, target.per):
        title, body = page_title(summary), render_page(summary)
        wanted = content_hash([title, body])
        ref = summary_ref(summary)
        slot = Slot(
            target=CONFLUENCE_PAGES, tool="confluence", connection=source, ref=ref, field="page"
        )
        owned = builder.owned(source, ref, "page")
        found = pages.page(owned.external_id) if owned and owned.external_id else None
        found = found or pages.find_page(target.space, title)
        owned = owned or _owned_by_marker(pages, found, slot)
        payload: dict[str, Any] = {
            "space": target.space,
            "title": title,
            "body": body,
            "hash": wanted,
            "parent_title": target.parent_title,
        }
        if found is None:
            current = None
        elif owned is not None and str(found.version) == owned.version:
            current = owned.value  # untouched since our write
        elif page_shows(found, body):
            # Our own create or update, failed or killed before its marker landed: the
            # write confirms the page and marks it; nothing is written twice.
            current = owned.value if owned else f"version {found.version}, without its marker"
        else:
            current = f"version {found.version}, not written by flywheel-sync"
            if owned is None:
                owned = OwnedValue(  # a person's page under our title: never overwrite blindly
                    target=source, ref=ref, field="page", value=None, written_at=context.now
                )
        if found is not None:
            payload |= {"page_id": found.id, "current_version": found.version}
        action = Action.UPDATE_PAGE if found is not None else Action.CREATE_PAGE
        revision = found.version if found is not None else (owned.external_id if owned else None)
        builder.assume_owned(slot, owned)
        builder.settle(
            slot,
            current=current,
            wanted=wanted,
            fetched_at=None,
            policy=context.policy(target),
            change=fixed(action, payload | {"revision": revision}),
        )


def _owned_by_marker(pages: PageReader, page: _Page | None, slot: Slot) -> OwnedValue | None:
    """Ownership read from the page's own marker (a store that lost its records)."""
    if page is None:
        return None
    marker = pages.page_property(page.id, PAGE_MARKER)
    value = marker.value if marker is not None else None
    if not isinstance(value, Mapping) or "hash" not in value:
        return None
    return OwnedValue(
        target=slot.connection,
        ref=slot.ref,
        field=slot.field,
        value=value["hash"],
        desired=value["hash"],
        external_id=page.id,
        version=str(value.get("version")),
        written_at=datetime.min.replace(tzinfo=UTC),
    )


def plan_teams_cards(builder: PlanBuilder, target: TeamsSummaryTarget) -> None:
    """Plan a card post for every summary that changed since its last post."""
    context = builder.context
    connection = f"workflows:{target.webhook}"
    for summary in _wanted(context.desired.summaries, target.per):
        messages = render_cards(summary)
        ref = summary_ref(summary)
        owned = builder.owned(connection, ref, "card")
        builder.settle(
            Slot(target=TEAMS_CARDS, tool="teams", connection=connection, ref=ref, field="card"),
            current=owned.value if owned else None,
            wanted=content_hash(messages),
            fetched_at=None,
            policy=context.policy(target),
            change=fixed(
                Action.POST,
                {"messages": messages, "webhook": target.webhook, "subject": summary.subject_name},
            ),
        )


def plan_jira_comments(builder: PlanBuilder, target: JiraCommentTarget, *, adf: bool) -> None:
    """Plan one comment per engagement that entered a stage asking for one."""
    context, source = builder.context, target.source
    stages = set(target.on_entering)
    for comment in context.desired.comments:
        if comment.stage not in stages:
            continue
        key = context.portfolio.record_id(
            "engagement", comment.engagement_id, source, RecordType.JIRA_ISSUE
        )
        if key is None:
            continue
        field_name = f"comment:{comment.stage.value}:{comment.cycle}"
        if builder.owned(source, key, field_name) is not None:
            continue  # posted once for this stage entry; never again
        builder.settle(
            Slot(target=JIRA_COMMENTS, tool="jira", connection=source, ref=key, field=field_name),
            current=None,
            wanted=comment.marker,
            fetched_at=None,
            policy=context.policy(target),
            change=fixed(
                Action.COMMENT,
                {"body": render_comment(comment, adf=adf), "marker": comment.marker},
            ),
        )
