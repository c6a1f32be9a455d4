"""Initial schema: raw records and watermarks, entities, stage history, KPIs, runs, push.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite autoincrements only an INTEGER primary key; PostgreSQL gets a 64-bit one.
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_record_tables()
    _create_entity_tables()
    _create_run_tables()
    _create_push_tables()


def downgrade() -> None:
    op.drop_index("ix_outbox_status", table_name="outbox")
    for table in ("outbox", "plans", "audit_log", "kpi_measurements"):
        op.drop_table(table)
    op.drop_index("ix_runs_started_at", table_name="runs")
    for table in ("runs", "stage_history", "entities", "watermarks", "source_records"):
        op.drop_table(table)


def _create_record_tables() -> None:
    op.create_table(
        "source_records",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(255), nullable=False),
        sa.Column("record_type", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("fetched_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_source_records"),
        sa.UniqueConstraint(
            "source",
            "record_type",
            "external_id",
            name="uq_source_records_source_record_type_external_id",
        ),
    )
    op.create_table(
        "watermarks",
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("scope", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("source", "scope", name="pk_watermarks"),
    )


def _create_entity_tables() -> None:
    op.create_table(
        "entities",
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("flywheel_stage", sa.String(100), nullable=True),
        sa.Column("experience_stage", sa.String(100), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("kind", "entity_id", name="pk_entities"),
    )
    op.create_table(
        "stage_history",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("engagement_id", sa.String(255), nullable=False),
        sa.Column("stage", sa.String(100), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("entered_at", UTC_DATETIME, nullable=False),
        sa.Column("source_ref", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stage_history"),
        sa.UniqueConstraint(
            "engagement_id",
            "entered_at",
            "stage",
            name="uq_stage_history_engagement_id_entered_at_stage",
        ),
    )


def _create_run_tables() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("job", sa.String(100), nullable=False),
        sa.Column("pipeline", sa.String(100), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "kpi_measurements",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("kpi_id", sa.String(100), nullable=False),
        sa.Column("scope_kind", sa.String(100), nullable=False),
        sa.Column("scope_id", sa.String(255), nullable=False),
        sa.Column("period_start", UTC_DATETIME, nullable=False),
        sa.Column("period_end", UTC_DATETIME, nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("trend", sa.String(20), nullable=True),
        sa.Column("run_id", sa.String(36), nullable=True),
        sa.Column("computed_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_kpi_measurements_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_kpi_measurements"),
        sa.UniqueConstraint(
            "kpi_id",
            "scope_kind",
            "scope_id",
            "period_start",
            name="uq_kpi_measurements_kpi_id_scope_kind_scope_id_period_start",
        ),
    )


def _create_push_tables() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_plans_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("plan_id", sa.String(36), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("tool", sa.String(100), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("field", sa.String(255), nullable=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_outbox_plan_id_plans"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_table(
        "audit_log",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("tool", sa.String(100), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("field", sa.String(255), nullable=True),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_audit_log_run_id_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
