"""An open store: which database it is on, its engine for APScheduler, and ``ping``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import make_url

from flywheel_sync.store import Store, StoreUnavailableError, open_store, resolve_store_url
from flywheel_sync.store.schema import Base, is_ours
from tests.postgres import PostgresServer

PASSWORD = "s3cret-pw"


def test_the_backend_names_the_database(store: Store, store_backend: str) -> None:
    assert store.backend == store_backend


def test_an_in_memory_store_is_on_sqlite() -> None:
    with open_store("sqlite://") as store:
        assert store.backend == "sqlite"


def test_the_engine_is_the_one_the_repositories_write_through(store: Store) -> None:
    run_id = store.runs.start("nightly", "pull")

    with store.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT id FROM runs")).scalars().all()

    assert stored == [run_id]


def test_apscheduler_keeps_its_job_table_beside_the_store(store: Store, store_url: str) -> None:
    job_store = SQLAlchemyJobStore(engine=store.engine, tablename="apscheduler_jobs")
    job_store.start(BackgroundScheduler(), "default")  # creates its table; never started
    assert job_store.get_all_jobs() == []
    job_store.shutdown()  # disposes of the engine's pooled connections, nothing more

    run_id = store.runs.start("nightly", "pull")
    with open_store(store_url) as reopened:  # the migrations leave the foreign table alone
        assert [run.id for run in reopened.runs.recent()] == [run_id]
    assert "apscheduler_jobs" in sa.inspect(store.engine).get_table_names()
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": is_ours})
        assert compare_metadata(context, Base.metadata) == []


def test_a_reachable_store_answers_the_ping(store: Store) -> None:
    store.ping()


def test_a_sqlite_file_that_cannot_be_opened_any_more_fails_the_ping(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    url = resolve_store_url("sqlite:///state/state.db", base_dir=tmp_path)  # makes the folder
    with open_store(url) as store:
        store.engine.dispose()  # the pooled connection would still reach the deleted file
        shutil.rmtree(folder)
        folder.write_text("a file where the folder was", encoding="utf-8")

        with pytest.raises(StoreUnavailableError) as raised:
            store.ping()

    assert str(raised.value) == (
        f"the store at sqlite:///{folder}/state.db is unavailable: unable to open database "
        "file; retry later"
    )


def test_a_postgresql_database_that_is_gone_fails_the_ping_without_showing_the_password(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database()
    with_password = make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    with open_store(resolve_store_url(with_password, base_dir=tmp_path)) as store:
        store.ping()
        postgres_server.drop_database(url)  # also ends the store's pooled connection

        with pytest.raises(StoreUnavailableError) as raised:
            store.ping()

    message = str(raised.value)
    database = make_url(url).database
    assert message.startswith("the store at postgresql+psycopg://flywheel:***@127.0.0.1:")
    assert f'database "{database}" does not exist; retry later' in message
    assert PASSWORD not in message
