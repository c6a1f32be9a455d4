"""Migrations on both databases: an empty one reaches head and matches the models; data survives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine import Engine

from flywheel_sync.store import StoreConfigError, open_store
from flywheel_sync.store.engine import create_store_engine
from flywheel_sync.store.migrate import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from flywheel_sync.store.schema import Base
from tests.unit.store.builders import T0

TABLES = [
    "alembic_version",
    "audit_log",
    "entities",
    "kpi_measurements",
    "outbox",
    "owned_values",
    "plans",
    "quarantined_records",
    "runs",
    "source_records",
    "stage_history",
    "watermarks",
]


FIRST_REVISION_ROWS = (
    "INSERT INTO runs (id, job, pipeline, started_at, counts) "
    """VALUES ('r1', 'nightly', 'pull', :at, '{"records": 3}')""",
    "INSERT INTO source_records "
    "(source, scope, record_type, external_id, content_hash, payload, fetched_at) "
    """VALUES ('jira:pmo', 'PMO', 'issue', 'P-1', 'h', '{"key": "P-1"}', :at)""",
    "INSERT INTO watermarks (source, scope, value, updated_at) "
    "VALUES ('jira:pmo', 'PMO', 'w1', :at)",
)


@pytest.fixture
def engine(empty_store_url: str) -> Iterator[Engine]:
    engine = create_store_engine(empty_store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    upgrade_to_head(engine)
    return engine


def test_head_is_the_quarantined_records_revision() -> None:
    assert head_revision() == "0004_quarantined_records"


def test_an_empty_file_has_no_revision(engine: Engine) -> None:
    assert current_revision(engine) is None


def test_upgrade_brings_an_empty_file_to_head(migrated: Engine) -> None:
    assert current_revision(migrated) == head_revision()


def test_upgrade_creates_every_table(migrated: Engine) -> None:
    assert sorted(sa.inspect(migrated).get_table_names()) == TABLES


def test_upgrading_a_store_at_head_only_reads_its_revision(migrated: Engine) -> None:
    statements: list[str] = []
    event.listen(migrated, "before_cursor_execute", lambda *args: statements.append(args[2]))

    upgrade_to_head(migrated)

    changes = [s for s in statements if s.split()[0].upper() in {"CREATE", "INSERT", "UPDATE"}]
    assert changes == []
    assert current_revision(migrated) == head_revision()


def test_reopening_a_store_keeps_its_data(empty_store_url: str) -> None:
    with open_store(empty_store_url) as first:
        run_id = first.runs.start("nightly", "pull")

    with open_store(empty_store_url) as second:
        assert [run.id for run in second.runs.recent()] == [run_id]


def test_a_store_at_the_first_revision_is_upgraded_with_its_data(
    engine: Engine, empty_store_url: str
) -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001_initial")
        for statement in FIRST_REVISION_ROWS:
            connection.execute(sa.text(statement), {"at": T0})

    with open_store(empty_store_url) as store:
        [run] = store.runs.recent()
        [record] = store.records.iter_records()
        assert (run.id, run.started_at, run.counts) == ("r1", T0, {"records": 3})
        assert (record.scope, record.payload, record.fetched_at) == ("PMO", {"key": "P-1"}, T0)
        assert store.records.watermark("jira:pmo", "PMO") == "w1"
        assert store.owned.for_target("jira:pmo") == {}
    assert current_revision(engine) == head_revision()


def test_orm_models_match_the_migrations(migrated: Engine) -> None:
    with migrated.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_comparison_reports_a_model_the_migrations_lack(migrated: Engine) -> None:
    metadata = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    sa.Table("unmigrated", metadata, sa.Column("id", sa.Integer, primary_key=True))

    with migrated.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert [(kind, table.name) for kind, table in differences] == [("add_table", "unmigrated")]


def test_a_store_migrated_by_a_newer_version_is_refused(
    migrated: Engine, empty_store_url: str
) -> None:
    with migrated.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_future'"))

    with pytest.raises(StoreConfigError, match=r"revision '0099_future', newer than .* upgrade"):
        open_store(empty_store_url)


@pytest.mark.parametrize("relative_path", ["env.py", "script.py.mako", "versions/0001_initial.py"])
def test_migration_scripts_live_in_the_package_folder(relative_path: str) -> None:
    assert (MIGRATIONS_DIR / relative_path).is_file()
