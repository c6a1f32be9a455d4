"""Quarantined records: what the pull could not read, why, and since when.

A connector sets aside an item it cannot read (no id, an unreadable update time, a field of
the wrong type) instead of failing its scope; the pull keeps it here until the item is read
cleanly. The scope column is unbounded on PostgreSQL, as in 0003.

Revision ID: 0004_quarantined_records
Revises: 0003_unbounded_scopes
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_quarantined_records"
down_revision: str | None = "0003_unbounded_scopes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SCOPE = sa.String(255).with_variant(sa.Text(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quarantined_records",
        sa.Column("id", SERIAL, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("scope", SCOPE, nullable=False),
        sa.Column("record_type", sa.String(100), nullable=False),
        sa.Column("entry_key", sa.String(255), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_records"),
        sa.UniqueConstraint(
            "source",
            "record_type",
            "entry_key",
            name="uq_quarantined_records_source_record_type_entry_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("quarantined_records")
