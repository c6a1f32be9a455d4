"""The ownership rule: write, keep theirs, or adopt, from the tool's value and our last write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flywheel_sync.push.ownership import Verdict, decide
from flywheel_sync.settings.targets import ConflictPolicy
from flywheel_sync.store.rows import OwnedValue

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)
SKIP, OVERWRITE, ADOPT = ConflictPolicy.SKIP, ConflictPolicy.OVERWRITE, ConflictPolicy.ADOPT


def ours(value: str | None, desired: str | None = None, *, at: datetime = T0) -> OwnedValue:
    return OwnedValue(
        target="jira:pmo",
        ref="PMO-1",
        field="Flywheel Stage",
        value=value,
        desired=value if desired is None else desired,
        written_at=at,
    )


@pytest.mark.parametrize(
    ("current", "wanted", "owned", "policy", "verdict", "conflict"),
    [
        pytest.param("A", "A", None, SKIP, Verdict.NOTHING, False, id="already-shows-it"),
        pytest.param("A", "B", None, SKIP, Verdict.WRITE, False, id="never-written: write"),
        pytest.param(None, "B", None, SKIP, Verdict.WRITE, False, id="empty: write"),
        pytest.param("A", "B", ours("A"), SKIP, Verdict.WRITE, False, id="ours-unchanged: write"),
        pytest.param("C", "B", ours("A"), SKIP, Verdict.KEEP_THEIRS, True, id="edited: skip"),
        pytest.param("C", "B", ours("A"), OVERWRITE, Verdict.WRITE, True, id="edited: overwrite"),
        pytest.param("C", "B", ours("A"), ADOPT, Verdict.NOTHING, True, id="edited: adopt"),
        pytest.param("C", "A", ours("A"), SKIP, Verdict.KEEP_THEIRS, True, id="edited-ours: skip"),
        pytest.param("B", "B", ours("A"), SKIP, Verdict.NOTHING, False, id="edited-to-wanted"),
        pytest.param("C", "B", ours("C", "B"), SKIP, Verdict.NOTHING, False, id="adopted-holds"),
        pytest.param("C", "D", ours("C", "B"), SKIP, Verdict.WRITE, False, id="adopted-then-new"),
    ],
)
def test_decisions(
    current: str | None,
    wanted: str,
    owned: OwnedValue | None,
    policy: ConflictPolicy,
    verdict: Verdict,
    conflict: bool,
) -> None:
    decision = decide(
        current=current, wanted=wanted, owned=owned, fetched_at=LATER, policy=policy, now=LATER
    )

    assert (decision.verdict, decision.conflict) == (verdict, conflict)


def test_a_record_read_before_our_write_is_taken_to_show_our_write() -> None:
    decision = decide(
        current="A",
        wanted="B",
        owned=ours("B", at=LATER),
        fetched_at=T0,
        policy=SKIP,
        now=LATER,
    )

    assert (decision.verdict, decision.current, decision.conflict) == (Verdict.NOTHING, "B", False)


def test_a_record_read_after_our_write_shows_a_persons_edit() -> None:
    decision = decide(
        current="A", wanted="B", owned=ours("B"), fetched_at=LATER, policy=SKIP, now=LATER
    )

    assert (decision.verdict, decision.current) == (Verdict.KEEP_THEIRS, "A")


def test_adopting_records_theirs_with_what_we_wanted() -> None:
    decision = decide(
        current="C", wanted="B", owned=ours("A"), fetched_at=LATER, policy=ADOPT, now=LATER
    )

    assert decision.adopted is not None
    assert (decision.adopted.value, decision.adopted.desired, decision.adopted.written_at) == (
        "C",
        "B",
        LATER,
    )
