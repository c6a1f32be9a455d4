"""Migrations: an empty SQLite file reaches head, stays there, and matches the ORM models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine import Engine

from flywheel_sync.store import StoreConfigError, open_store
from flywheel_sync.store.engine import create_store_engine
from flywheel_sync.store.migrate import (
    MIGRATIONS_DIR,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from flywheel_sync.store.schema import Base

TABLES = [
    "alembic_version",
    "audit_log",
    "entities",
    "kpi_measurements",
    "outbox",
    "owned_values",
    "plans",
    "runs",
    "source_records",
    "stage_history",
    "watermarks",
]


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = create_store_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    upgrade_to_head(engine)
    return engine


def test_head_is_the_owned_values_revision() -> None:
    assert head_revision() == "0002_owned_values"


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


def test_reopening_a_store_keeps_its_data(store_url: str) -> None:
    with open_store(store_url) as first:
        run_id = first.runs.start("nightly", "pull")

    with open_store(store_url) as second:
        assert [run.id for run in second.runs.recent()] == [run_id]


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


def test_a_store_migrated_by_a_newer_version_is_refused(migrated: Engine, store_url: str) -> None:
    with migrated.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_future'"))

    with pytest.raises(StoreConfigError, match=r"revision '0099_future', newer than .* upgrade"):
        open_store(store_url)


@pytest.mark.parametrize("relative_path", ["env.py", "script.py.mako", "versions/0001_initial.py"])
def test_migration_scripts_live_in_the_package_folder(relative_path: str) -> None:
    assert (MIGRATIONS_DIR / relative_path).is_file()
