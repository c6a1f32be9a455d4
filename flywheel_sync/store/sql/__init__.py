"""The store's repositories on SQLAlchemy (SQLite and PostgreSQL), one module per concern."""

from flywheel_sync.store.sql.entities import SqlEntityRepository, SqlStageHistoryRepository
from flywheel_sync.store.sql.kpis import SqlKPIRepository
from flywheel_sync.store.sql.push import (
    SqlAuditRepository,
    SqlOutboxRepository,
    SqlOwnershipRepository,
    SqlPlanRepository,
)
from flywheel_sync.store.sql.records import SqlRecordRepository
from flywheel_sync.store.sql.runs import SqlRunRepository
from flywheel_sync.store.sql.summary import SqlSummaryReader

__all__ = [
    "SqlAuditRepository",
    "SqlEntityRepository",
    "SqlKPIRepository",
    "SqlOutboxRepository",
    "SqlOwnershipRepository",
    "SqlPlanRepository",
    "SqlRecordRepository",
    "SqlRunRepository",
    "SqlStageHistoryRepository",
    "SqlSummaryReader",
]
