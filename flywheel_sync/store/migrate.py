"""Schema migrations: bring a store to the schema this version of flywheel-sync expects.

The Alembic scripts live in the package (``migrations/``), and the configuration is built
here, so no ``alembic.ini`` is needed at runtime. Opening a store calls `upgrade_to_head` on
every command, so the up-to-date case costs one read of ``alembic_version``.

Several processes may open a new store at once (``flywheel-sync serve`` replicas starting
together): the migration transaction takes the store's write lock first (see `engine`), so
they run one after the other, and the later ones find the schema at head. Alembic keeps its
context in a module global, so within one process a lock lets one thread migrate at a time.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from flywheel_sync.store.engine import WRITE_LOCK
from flywheel_sync.store.errors import StoreConfigError
from flywheel_sync.store.failures import translated_failures

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revision",
    "head_revision",
    "upgrade_to_head",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

_ALEMBIC_IN_USE = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration for the store's scripts, bound to ``connection`` if given.

    ``env.py`` runs the migrations on that connection, inside its current transaction.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest migration's revision id: the schema this code expects."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001_initial
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision, or ``None`` for an empty database.

    Raises:
        StoreError: The database cannot be reached or opened (see `errors`).
    """
    with translated_failures(engine.url), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Apply the pending migrations in one transaction; a store already at head is untouched.

    The transaction takes the store's write lock first, so two processes opening a new store
    at once run the migrations one after the other instead of colliding.

    Raises:
        StoreConfigError: The store was migrated by a newer flywheel-sync.
        StoreError: The database cannot be reached, opened or changed (see `errors`).
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is not None and not _is_known(current):
        raise StoreConfigError(
            f"the store at {engine.url.render_as_string(hide_password=True)} has schema "
            f"revision {current!r}, newer than this flywheel-sync knows (head {head!r}); "
            "upgrade flywheel-sync"
        )
    with _ALEMBIC_IN_USE, translated_failures(engine.url), engine.connect() as connection:
        connection.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            command.upgrade(alembic_config(connection), "head")


def _is_known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(alembic_config())
    return any(script.revision == revision for script in scripts.walk_revisions())
