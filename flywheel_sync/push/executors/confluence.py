"""Makes the Confluence writes of a plan: KPI summary pages, created or updated in place.

Each page write is followed by setting the page's ownership marker (its content property
``flywheel-sync``: the hash and version written). A page is created only if no page of that
title is in the space, and a page found with our body already in place (an apply interrupted
between the page and its marker) is confirmed and marked instead of written again. An update
sends the version it was planned against: a page edited since (409) is left alone, and the
next plan settles it by the conflict policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from connectors.confluence import ConfluenceSite, PageInfo
from connectors.errors import ConnectorConfigError, StaleWriteError, WriteRejectedError
from flywheel_sync.push.apply import Claim, Job, Result, Settle, Status
from flywheel_sync.push.changes import Action
from flywheel_sync.push.targets.summaries import PAGE_MARKER, page_shows
from flywheel_sync.store.ports import Clock
from flywheel_sync.store.rows import OwnedValue

__all__ = ["ConfluenceExecutor"]


@dataclass
class ConfluenceExecutor:
    """Runs the Confluence jobs of an apply, one page at a time."""

    site_for: Callable[[str], ConfluenceSite]
    clock: Clock
    run_id: str
    _claim: Claim = field(init=False, repr=False)
    _settle: Settle = field(init=False, repr=False)
    _parents: dict[tuple[str, str, str], str | None] = field(default_factory=dict, repr=False)

    def run(self, jobs: Sequence[Job], *, claim: Claim, settle: Settle) -> None:
        """Make the writes; see `flywheel_sync.push.apply.Executor`."""
        self._claim, self._settle = claim, settle
        for job in jobs:
            try:
                site = self.site_for(job.change.connection)
            except ConnectorConfigError as error:
                self._settle(job, Result(status=Status.FAILED, detail=str(error)))
                continue
            try:
                self._page(site, job)
            except (WriteRejectedError, StaleWriteError) as refused:
                self._settle(job, Result(status=Status.FAILED, detail=str(refused.detail)))

    def _page(self, site: ConfluenceSite, job: Job) -> None:
        data = job.change.payload
        title, body = str(data["title"]), str(data["body"])
        found = site.find_page(str(data["space"]), title)
        if found is not None and page_shows(found, body):
            self._mark(site, job, found, Status.CONFIRMED, "the page already shows it")
            return
        if not job.wanted:
            self._settle(job, Result(status=Status.SUPERSEDED, detail="no longer wanted"))
            return
        self._claim([job])
        if job.change.action is Action.CREATE_PAGE and found is None:
            parent = self._parent(site, str(data["space"]), data.get("parent_title"))
            page = site.create_page(
                space_key=str(data["space"]), title=title, body=body, parent_id=parent
            )
            self._mark(site, job, page, Status.APPLIED, f"created page {page.id}")
            return
        page_id = str(data.get("page_id") or (found.id if found else ""))
        version = int(data.get("current_version") or (found.version if found else 0))
        try:
            page = site.update_page(
                page_id=page_id,
                title=title,
                body=body,
                current_version=version,
                message=f"flywheel-sync: KPI summary ({self.run_id[:8]})",
            )
        except StaleWriteError:
            detail = "the page was edited since the plan; the next plan decides"
            self._settle(job, Result(status=Status.SUPERSEDED, detail=detail))
            return
        self._mark(site, job, page, Status.APPLIED, f"page {page.id} is now version {page.version}")

    def _parent(self, site: ConfluenceSite, space: str, title: object) -> str | None:
        if not isinstance(title, str) or not title:
            return None
        key = (site.source, space, title)
        if key not in self._parents:
            parent = site.find_page(space, title)
            self._parents[key] = None if parent is None else parent.id
        return self._parents[key]

    def _mark(
        self, site: ConfluenceSite, job: Job, page: PageInfo, status: Status, detail: str
    ) -> None:
        wanted = str(job.change.payload["hash"])
        site.set_page_property(page.id, PAGE_MARKER, {"hash": wanted, "version": page.version})
        owned = OwnedValue(
            target=job.change.connection,
            ref=job.change.ref,
            field=job.change.field,
            value=wanted,
            desired=wanted,
            external_id=page.id,
            version=str(page.version),
            written_at=self.clock(),
            run_id=self.run_id,
        )
        self._settle(job, Result(status=status, detail=detail, owned=(owned,)))
