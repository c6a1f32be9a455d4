"""Opening a store: the engine, the migrations, and the repositories wired into one `Store`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TypeAlias

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from flywheel_sync.store.engine import create_store_engine
from flywheel_sync.store.failures import unavailable_error
from flywheel_sync.store.migrate import upgrade_to_head
from flywheel_sync.store.ports import (
    AuditRepository,
    Clock,
    EntityRepository,
    KPIRepository,
    OutboxRepository,
    OwnershipRepository,
    PlanRepository,
    RecordRepository,
    RunRepository,
    StageHistoryRepository,
    SummaryReader,
)
from flywheel_sync.store.quarantine import QuarantineRepository
from flywheel_sync.store.rows import StoreSummary
from flywheel_sync.store.sql import (
    SqlAuditRepository,
    SqlEntityRepository,
    SqlKPIRepository,
    SqlOutboxRepository,
    SqlOwnershipRepository,
    SqlPlanRepository,
    SqlRecordRepository,
    SqlRunRepository,
    SqlStageHistoryRepository,
    SqlSummaryReader,
)
from flywheel_sync.store.sql.quarantine import SqlQuarantineRepository
from flywheel_sync.store.url import redact_url, resolve_store_url

if TYPE_CHECKING:
    from flywheel_sync.settings.flywheel import StoreSettings

__all__ = [
    "Store",
    "StoreBackend",
    "configured_store_url",
    "open_configured_store",
    "open_store",
]

StoreBackend: TypeAlias = Literal["sqlite", "postgresql"]
"""The databases a store can live in."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Store:
    """An open state store: its repositories, and `close` (or use it as a context manager)."""

    display_url: str
    """The store's URL with any password redacted: safe to print and log."""
    records: RecordRepository
    entities: EntityRepository
    stage_history: StageHistoryRepository
    kpis: KPIRepository
    plans: PlanRepository
    outbox: OutboxRepository
    owned: OwnershipRepository
    audit: AuditRepository
    runs: RunRepository
    quarantine: QuarantineRepository
    _summary: SummaryReader = field(repr=False)
    _engine: Engine = field(repr=False)

    def summary(self) -> StoreSummary:
        """The overview behind ``flywheel-sync status`` (see `SummaryReader`)."""
        return self._summary.summary()

    @property
    def backend(self) -> StoreBackend:
        """Which database holds the store: ``"sqlite"`` or ``"postgresql"``."""
        return "sqlite" if self._engine.dialect.name == "sqlite" else "postgresql"

    @property
    def engine(self) -> Engine:
        """The store's SQLAlchemy engine, for a library that keeps its own tables beside ours.

        Meant for APScheduler's ``SQLAlchemyJobStore(engine=store.engine)``: one connection
        pool with the store's connection settings, and ``engine.url`` is the resolved URL
        with its password (never log it; `display_url` is the printable one). Tables named
        ``apscheduler_*`` are left out of the store's migrations. Do not dispose of it:
        `close` the store.
        """
        return self._engine

    def ping(self) -> None:
        """Check that the database answers, with one ``SELECT 1`` (for ``/healthz``).

        Raises:
            StoreUnavailableError: The database cannot be reached or opened; the message names
                the redacted URL, never the password.
        """
        try:
            with self._engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            raise unavailable_error(exc, self._engine.url) from exc

    def close(self) -> None:
        """Release the connections; an in-memory store is gone afterwards."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str, *, clock: Clock = _utc_now) -> Store:
    """Open the store at ``url``, migrating its schema to this version's head first.

    Args:
        url: A resolved store URL (see `resolve_store_url`); ``sqlite://`` is an in-memory
            store for tests (one connection: do not write while iterating).
        clock: Stamps the store's bookkeeping times (fetched, created, started, ...).

    Raises:
        StoreConfigError: The URL is unusable, the SQLite file cannot be created or opened,
            or the schema is newer than this flywheel-sync.
        StoreUnavailableError: The database cannot be reached or stays locked; retry.
    """
    engine = create_store_engine(url)
    try:
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Store(
        display_url=redact_url(url),
        records=SqlRecordRepository(sessions, clock=clock),
        entities=SqlEntityRepository(sessions),
        stage_history=SqlStageHistoryRepository(sessions),
        kpis=SqlKPIRepository(sessions),
        plans=SqlPlanRepository(sessions, clock=clock),
        outbox=SqlOutboxRepository(sessions, clock=clock),
        owned=SqlOwnershipRepository(sessions),
        audit=SqlAuditRepository(sessions),
        runs=SqlRunRepository(sessions, clock=clock),
        quarantine=SqlQuarantineRepository(sessions, clock=clock),
        _summary=SqlSummaryReader(sessions),
        _engine=engine,
    )


def configured_store_url(settings: StoreSettings, *, base_dir: Path) -> str:
    """The URL the ``[store]`` settings name, with their password (kept apart so it is never shown).

    Args:
        settings: The ``[store]`` section of ``flywheel.toml``.
        base_dir: The folder of ``flywheel.toml``; relative SQLite paths are resolved against it.

    Raises:
        StoreConfigError: See `resolve_store_url`.
    """
    url = resolve_store_url(settings.url, base_dir=base_dir)
    parsed = make_url(url)
    if settings.password is None or parsed.get_backend_name() == "sqlite":
        return url
    with_password = parsed.set(password=settings.password.get_secret_value())
    return with_password.render_as_string(hide_password=False)


def open_configured_store(
    settings: StoreSettings, *, base_dir: Path, clock: Clock = _utc_now
) -> Store:
    """Open the store the ``[store]`` settings name (see `configured_store_url`, `open_store`)."""
    return open_store(configured_store_url(settings, base_dir=base_dir), clock=clock)
