"""Alembic environment: runs the store's migrations on the connection `migrate` hands over.

There is no ``alembic.ini``: `flywheel_sync.store.migrate` builds the configuration and passes
an open connection (already in a transaction) as ``config.attributes["connection"]``. To write
the next migration, autogenerate it against a store migrated to head, e.g.::

    engine = create_store_engine("sqlite:////tmp/head.db")
    upgrade_to_head(engine)
    with engine.begin() as connection:
        config = alembic_config(connection)
        alembic.command.revision(config, "what changed", autogenerate=True, rev_id="0002_...")

then read and tidy the generated file in ``versions/``.
"""

from __future__ import annotations

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from flywheel_sync.store.schema import Base, UTCDateTime, is_ours


def render_type(kind: str, item: object, _context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy ones, so migrations never import the app."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations inside the caller's transaction.

    SQLite cannot alter most things in place, so its operations are rendered as batches
    (copy the table, alter the copy, swap).
    """
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_type,
        include_name=is_ours,  # autogenerate would plan to drop APScheduler's job table
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError(  # noqa: TRY004 - a misuse of the environment, not a bad argument
        "run the store's migrations through flywheel_sync.store.migrate, which passes the "
        "connection in config.attributes['connection']"
    )
run_migrations(_connection)
