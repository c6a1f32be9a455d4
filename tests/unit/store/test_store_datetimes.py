"""Datetimes: aware in, aware UTC out; naive ones refused before they reach the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from flywheel_sync.store import (
    AuditEntry,
    EntityRecord,
    MeasurementRecord,
    RawRecord,
    StageChange,
    Store,
)
from flywheel_sync.store.schema import UTCDateTime

NAIVE = datetime(2026, 1, 5, 9, 0)  # noqa: DTZ001 - the value under test
NEW_YORK_WINTER = timezone(timedelta(hours=-5))


def test_an_aware_datetime_round_trips_as_the_same_instant_in_utc(store: Store) -> None:
    local = datetime(2026, 1, 5, 4, 0, 0, 123456, tzinfo=NEW_YORK_WINTER)
    record = RawRecord(record_type="issue", external_id="PMO-1", payload={}, updated_at=local)

    store.records.upsert_page("jira:pmo", "PMO", [record], None)

    [stored] = store.records.iter_records()
    assert stored.updated_at == local
    assert stored.updated_at is not None
    assert (stored.updated_at.tzinfo, stored.updated_at.hour) == (UTC, 9)


@pytest.mark.parametrize(
    "build",
    [
        lambda: RawRecord(record_type="issue", external_id="1", payload={}, updated_at=NAIVE),
        lambda: EntityRecord(
            kind="customer", entity_id="c", name="C", payload={}, updated_at=NAIVE
        ),
        lambda: StageChange(engagement_id="e", stage="s", cycle=1, entered_at=NAIVE),
        lambda: AuditEntry(
            run_id="r", at=NAIVE, tool="jira", target="t", ref="R", action="a", outcome="applied"
        ),
        lambda: MeasurementRecord(
            kpi_id="k",
            scope_kind="service",
            scope_id="s",
            period_start=datetime(2026, 1, 1, tzinfo=UTC),
            period_end=NAIVE,
            value=1.0,
            computed_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
    ],
    ids=["record", "entity", "stage-change", "audit", "measurement"],
)
def test_rows_refuse_naive_datetimes(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="must be timezone-aware, got naive"):
        build()


DIALECTS = [sqlite.dialect(), postgresql.dialect()]  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("dialect", DIALECTS, ids=["sqlite", "pg"])
def test_the_column_type_refuses_naive_datetimes(dialect: Dialect) -> None:
    with pytest.raises(ValueError, match="refusing to store a naive datetime"):
        UTCDateTime().process_bind_param(NAIVE, dialect)


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (NAIVE, datetime(2026, 1, 5, 9, 0, tzinfo=UTC)),
        (
            datetime(2026, 1, 5, 4, 0, tzinfo=NEW_YORK_WINTER),
            datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        ),
        (None, None),
    ],
    ids=["naive-from-sqlite-is-utc", "aware-from-postgresql-to-utc", "null"],
)
def test_the_column_type_reads_aware_utc(read: datetime | None, expected: datetime | None) -> None:
    value = UTCDateTime().process_result_value(read, sqlite.dialect())

    assert value == expected
    assert value is None or value.tzinfo is UTC
