"""Push targets on small hand-built states: what they write, what they leave to people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.errors import AuthenticationError
from flywheel_sync.domain import (
    ChecklistItem,
    ChecklistItemOrigin,
    ChecklistTemplateItem,
    Engagement,
    FlywheelStage,
    OnboardingChecklist,
    PMOService,
)
from flywheel_sync.engine.desired import desired_state
from flywheel_sync.engine.portfolio import Portfolio, RecordRef
from flywheel_sync.push.changes import Action, Plan, Unread
from flywheel_sync.push.context import PlanBuilder, PlanContext
from flywheel_sync.push.planning import plan_push
from flywheel_sync.push.state import StoredState
from flywheel_sync.push.targets.checklists import planner_item_id
from flywheel_sync.push.targets.summaries import PageReader
from flywheel_sync.settings.targets import PushTargets
from flywheel_sync.store import OwnedValue, RawRecord, Store, open_store
from tests.unit.report.builders import summary

NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)
TASK = "task-1"
STEPS = tuple(ChecklistTemplateItem(key=f"s{n}", title=f"Step {n}") for n in range(1, 4))
SERVICE = PMOService(id="coaching", name="PM Coaching", onboarding_template=STEPS)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'state.db'}") as opened:
        yield opened


def engagement(stage: FlywheelStage = FlywheelStage.SERVICE_ONBOARDING) -> Engagement:
    return Engagement(id="PMO-1", customer_id="grid", service_id="coaching", current_stage=stage)


def portfolio(
    stage: FlywheelStage = FlywheelStage.SERVICE_ONBOARDING,
    items: tuple[ChecklistItem, ...] = (),
) -> Portfolio:
    checklist = OnboardingChecklist(engagement_id="PMO-1", service_id="coaching", items=items)
    return Portfolio(
        services={"coaching": SERVICE},
        engagements={"PMO-1": engagement(stage)},
        checklists={("PMO-1", "planner:p"): checklist},
        records={
            ("engagement", "PMO-1"): (
                RecordRef(source="jira:pmo", record_type="issue", external_id="PMO-1"),
                RecordRef(source="planner:p", record_type="planner_task", external_id=TASK),
            )
        },
    )


def store_task(store: Store, checklist: dict[str, Any], bucket: str = "b-onboarding") -> None:
    task = {
        "id": TASK,
        "planId": "plan",
        "bucketId": bucket,
        "@odata.etag": 'W/"t1"',
        "details": {"@odata.etag": 'W/"d1"', "checklist": checklist},
    }
    buckets = [
        RawRecord(
            record_type="planner_bucket",
            external_id=bucket_id,
            payload={"id": bucket_id, "name": name, "planId": "plan"},
        )
        for bucket_id, name in (
            ("b-onboarding", "Service Onboarding"),
            ("b-ops", "6 - Service Operation"),
        )
    ]
    records = [RawRecord(record_type="planner_task", external_id=TASK, payload=task), *buckets]
    store.records.upsert_page("planner:p", "plan", records, None)


def push(**targets: Any) -> PushTargets:
    return PushTargets.model_validate(targets)


@dataclass
class NoLabels:
    """No Project connection in these plans: reading its labels is a test bug."""

    def labels(self, project_id: str) -> list[Any]:
        raise AssertionError("no Project target is configured here")

    def task_labels(self, task_id: str) -> list[Any]:
        raise AssertionError("no Project target is configured here")


class NoPages:
    def find_page(self, space_key: str, title: str) -> None:
        return None

    def page(self, page_id: str) -> None:
        return None

    def page_property(self, page_id: str, key: str) -> None:
        return None


def plan(
    store: Store, folio: Portfolio, targets: PushTargets, pages: PageReader | None = None
) -> Plan:
    context = PlanContext(
        portfolio=folio,
        desired=desired_state(folio, experience={}),
        push=targets,
        state=StoredState(store.records),
        owned=store.owned,
        now=NOW,
    )
    return plan_push(
        context,
        pages=lambda _: pages or NoPages(),
        jira_is_cloud=lambda _: True,
        project_labels=lambda _: NoLabels(),
    )


PLANNER_CHECKLIST = {"onboarding_checklists": {"planner": {"source": "planner:p"}}}


def test_missing_steps_become_new_items_with_ids_from_task_and_step(store: Store) -> None:
    store_task(store, {})

    found = plan(store, portfolio(), push(**PLANNER_CHECKLIST))

    assert [(c.field, c.action, c.payload["item_id"]) for c in found.changes] == [
        (f"checklist:{step.key}", Action.CREATE, planner_item_id(TASK, step.key)) for step in STEPS
    ]


def test_a_step_a_person_put_there_is_theirs(store: Store) -> None:
    store_task(store, {"x": {"title": "Step 1", "isChecked": True}})
    theirs = ChecklistItem(
        key="s1", title="Step 1", done=True, origin=ChecklistItemOrigin.TEMPLATE, external_id="x"
    )

    found = plan(store, portfolio(items=(theirs,)), push(**PLANNER_CHECKLIST))

    assert [c.field for c in found.changes] == ["checklist:s2", "checklist:s3"]


def test_steps_beyond_planners_limit_are_noted_not_sent(store: Store) -> None:
    store_task(store, {f"p{n}": {"title": f"Theirs {n}"} for n in range(19)})

    found = plan(store, portfolio(), push(**PLANNER_CHECKLIST))

    assert [c.field for c in found.changes] == ["checklist:s1"]
    assert [n.message for n in found.notes] == [
        "step 'Step 2' not added: Planner allows 20 checklist items per task",
        "step 'Step 3' not added: Planner allows 20 checklist items per task",
    ]


def test_no_checklist_outside_service_onboarding(store: Store) -> None:
    store_task(store, {})

    found = plan(store, portfolio(FlywheelStage.SERVICE_OPERATION), push(**PLANNER_CHECKLIST))

    assert found.changes == ()


def test_a_deleted_item_of_ours_is_a_conflict_and_not_recreated(store: Store) -> None:
    store_task(store, {})
    store.owned.put(
        [
            OwnedValue(
                target="planner:p",
                ref=TASK,
                field="checklist:s1",
                value="Step 1",
                desired="Step 1",
                external_id=planner_item_id(TASK, "s1"),
                written_at=NOW,
            )
        ]
    )

    found = plan(store, portfolio(), push(**PLANNER_CHECKLIST))

    assert [c.field for c in found.changes] == ["checklist:s2", "checklist:s3"]
    assert [(c.field, c.ours, c.theirs) for c in found.conflicts] == [
        ("checklist:s1", "Step 1", None)
    ]


def test_the_bucket_is_found_by_the_stage_it_names(store: Store) -> None:
    store_task(store, {}, bucket="b-onboarding")
    targets = push(flywheel_stage={"planner": {"source": "planner:p"}})

    found = plan(store, portfolio(FlywheelStage.SERVICE_OPERATION), targets)

    [change] = found.changes
    assert (change.before, change.after, change.payload["body"]) == (
        "Service Onboarding",
        "Service Operation",
        {"bucketId": "b-ops"},
    )


def test_a_target_the_tool_owns_plans_nothing(store: Store) -> None:
    store_task(store, {}, bucket="b-onboarding")
    targets = push(flywheel_stage={"planner": {"source": "planner:p", "authority": "tool"}})

    assert plan(store, portfolio(FlywheelStage.SERVICE_OPERATION), targets).changes == ()


@dataclass(frozen=True)
class Page:
    id: str
    version: int


@dataclass(frozen=True)
class Property:
    value: Any


@dataclass
class PersonsPage:
    """A page with the summary's title that flywheel-sync never wrote (no marker)."""

    def find_page(self, space_key: str, title: str) -> Page:
        return Page(id="77", version=3)

    def page(self, page_id: str) -> Page:
        return Page(id=page_id, version=3)

    def page_property(self, page_id: str, key: str) -> Property | None:
        return None


def plan_pages(
    store: Store, pages: PageReader, policy: str = "skip", refused: tuple[str, ...] = ()
) -> Plan:
    folio = portfolio()
    context = PlanContext(
        portfolio=folio,
        desired=desired_state(folio, experience={}, summaries=(summary(),)),
        push=push(
            conflict_policy=policy,
            kpi_summaries={"confluence": {"source": "confluence:pmo", "space": "PMO"}},
        ),
        state=StoredState(store.records),
        owned=store.owned,
        now=NOW,
    )
    return plan_push(
        context,
        pages=lambda _: pages,
        jira_is_cloud=lambda _: True,
        project_labels=lambda _: NoLabels(),
        refused=refused,
    )


def test_a_missing_page_is_created(store: Store) -> None:
    [change] = plan_pages(store, NoPages()).changes

    assert change.action is Action.CREATE_PAGE


def test_a_persons_page_under_our_title_is_a_conflict_not_overwritten(store: Store) -> None:
    found = plan_pages(store, PersonsPage())

    assert found.changes == ()
    [conflict] = found.conflicts
    assert conflict.theirs == "version 3, not written by flywheel-sync"


def test_a_persons_page_is_taken_over_only_by_overwrite(store: Store) -> None:
    [change] = plan_pages(store, PersonsPage(), policy="overwrite").changes

    assert (change.action, change.conflict, change.payload["current_version"]) == (
        Action.UPDATE_PAGE,
        True,
        3,
    )


@dataclass(frozen=True)
class PageWithBody:
    id: str
    version: int
    body: str


@dataclass
class OurUnmarkedPage:
    """Our own page whose marker never landed: it shows exactly the body wanted."""

    body: str

    def find_page(self, space_key: str, title: str) -> PageWithBody:
        return PageWithBody(id="77", version=1, body=f"  {self.body}\n")  # re-indented

    def page(self, page_id: str) -> PageWithBody:
        return self.find_page("", "")

    def page_property(self, page_id: str, key: str) -> Property | None:
        return None


def test_our_page_whose_marker_never_landed_is_written_to_be_marked_not_a_conflict(
    store: Store,
) -> None:
    [create] = plan_pages(store, NoPages()).changes

    found = plan_pages(store, OurUnmarkedPage(body=str(create.payload["body"])))

    assert found.conflicts == ()
    [change] = found.changes
    assert (change.action, change.conflict) == (Action.UPDATE_PAGE, False)


@dataclass
class RefusingPages:
    """Confluence refuses the credentials when a page is looked up."""

    def find_page(self, space_key: str, title: str) -> Page:
        raise AuthenticationError("Confluence refused the credentials", source="confluence:pmo")

    def page(self, page_id: str) -> Page:
        raise AssertionError("not reached")

    def page_property(self, page_id: str, key: str) -> Property | None:
        raise AssertionError("not reached")


def test_a_target_whose_tool_cannot_be_read_is_left_out_with_what_to_do(store: Store) -> None:
    found = plan_pages(store, RefusingPages())

    assert (found.changes, found.conflicts, found.notes) == ((), (), ())
    assert [(u.target, u.what_to_do) for u in found.unread] == [
        ("kpi_summaries.confluence", "re-authenticate")
    ]
    assert "refused the credentials" in found.unread[0].reason
    assert found.as_json()["unread"] == [found.unread[0].as_row()]


def test_a_target_left_out_takes_back_what_it_had_planned(store: Store) -> None:
    folio = portfolio()
    builder = PlanBuilder(
        PlanContext(
            portfolio=folio,
            desired=desired_state(folio, experience={}),
            push=push(),
            state=StoredState(store.records),
            owned=store.owned,
            now=NOW,
        )
    )
    builder.note("flywheel_stage.jira", "PMO-1", "kept: planned before")
    mark = builder.mark()
    builder.note("kpi_summaries.confluence", "svc", "dropped: half of a target")

    builder.rewind(mark, Unread(target="kpi_summaries.confluence", what_to_do="x", reason="y"))

    plan = builder.plan()
    assert [note.message for note in plan.notes] == ["kept: planned before"]
    assert [unread.target for unread in plan.unread] == ["kpi_summaries.confluence"]


def test_a_target_whose_connection_the_pull_saw_refused_is_not_asked_again(store: Store) -> None:
    found = plan_pages(store, RefusingPages(), refused=("confluence:pmo",))  # never called

    [unread] = found.unread
    assert (unread.target, unread.what_to_do) == ("kpi_summaries.confluence", "re-authenticate")
    assert "refused while pulling" in unread.reason
