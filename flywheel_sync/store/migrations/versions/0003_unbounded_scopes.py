"""Unbounded scopes on PostgreSQL: a Jira scope is its JQL query, which can be long.

PostgreSQL enforces ``VARCHAR(255)``, so pulling a query longer than 255 characters failed
there. SQLite never enforced the length, and would have to copy both tables to change the
declared type, so its stores keep it (see ``schema.SCOPE``).

Revision ID: 0003_unbounded_scopes
Revises: 0002_owned_values
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_unbounded_scopes"
down_revision: str | None = "0002_owned_values"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("source_records", "watermarks")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table in _TABLES:
        op.alter_column(
            table, "scope", existing_type=sa.String(255), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table in _TABLES:
        op.alter_column(
            table, "scope", existing_type=sa.Text(), type_=sa.String(255), existing_nullable=False
        )
