"""The state store: raw records, entities, KPIs, plans, outbox, audit log and runs.

Open it with `open_configured_store` from the ``[store]`` settings, or `open_store` from a URL
(SQLite by default at ``./.flywheel/state.db``, PostgreSQL by URL; see `resolve_store_url`);
the schema is migrated on opening. Callers use the repositories on the returned `Store` and
the values in `rows`, never sessions or ORM objects.
"""

from __future__ import annotations

from flywheel_sync.store.errors import (
    StoreConfigError,
    StoreError,
    StoreStateError,
    StoreUnavailableError,
)
from flywheel_sync.store.opening import (
    Store,
    StoreBackend,
    configured_store_url,
    open_configured_store,
    open_store,
)
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
from flywheel_sync.store.rows import (
    CUSTOMER_KIND,
    ENGAGEMENT_KIND,
    AuditEntry,
    EntityRecord,
    JSONObject,
    MeasurementRecord,
    OutboxEntry,
    OutboxStatus,
    OwnedValue,
    PlannedWrite,
    PlanRecord,
    PlanStatus,
    RawRecord,
    RunOutcome,
    RunRecord,
    StageChange,
    StoredRecord,
    StoreSummary,
)
from flywheel_sync.store.url import redact_url, resolve_store_url

__all__ = [
    "CUSTOMER_KIND",
    "ENGAGEMENT_KIND",
    "AuditEntry",
    "AuditRepository",
    "Clock",
    "EntityRecord",
    "EntityRepository",
    "JSONObject",
    "KPIRepository",
    "MeasurementRecord",
    "OutboxEntry",
    "OutboxRepository",
    "OutboxStatus",
    "OwnedValue",
    "OwnershipRepository",
    "PlanRecord",
    "PlanRepository",
    "PlanStatus",
    "PlannedWrite",
    "RawRecord",
    "RecordRepository",
    "RunOutcome",
    "RunRecord",
    "RunRepository",
    "StageChange",
    "StageHistoryRepository",
    "Store",
    "StoreBackend",
    "StoreConfigError",
    "StoreError",
    "StoreStateError",
    "StoreSummary",
    "StoreUnavailableError",
    "StoredRecord",
    "SummaryReader",
    "configured_store_url",
    "open_configured_store",
    "open_store",
    "redact_url",
    "resolve_store_url",
]
