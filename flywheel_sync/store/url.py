"""Store URLs: resolve what the configuration says into a URL the engine accepts, and redact it."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from flywheel_sync.store.errors import StoreConfigError

__all__ = ["DEFAULT_STORE_PATH", "redact_url", "resolve_store_url"]

DEFAULT_STORE_PATH = Path(".flywheel") / "state.db"
"""Where the SQLite store lives, relative to the configuration file's folder."""

_ACCEPTED_FORMS = (
    "sqlite:///relative/path.db (resolved against the configuration file's folder), "
    "sqlite:////absolute/path.db, sqlite:// (in memory, for tests), "
    "postgresql://user:password@host:5432/database (also postgres:// "
    "and postgresql+psycopg://)"
)
_SQLITE_DRIVERS = frozenset({"sqlite", "sqlite+pysqlite"})
_POSTGRES_DRIVERS = frozenset({"postgresql", "postgres", "postgresql+psycopg"})
_MEMORY_DATABASES = frozenset({"", ":memory:"})
_PASSWORD_IN_URL = re.compile(r"(//[^/:@]*:)[^@/]*(@)")


def resolve_store_url(url: str | None, *, base_dir: Path) -> str:
    """Turn the configured store URL into the one the engine opens.

    ``None`` means the default SQLite file ``<base_dir>/.flywheel/state.db``. A relative SQLite
    path is resolved against ``base_dir`` (the configuration file's folder, not the working
    directory), and the folder of every SQLite file is created. ``postgresql://`` and
    ``postgres://`` are pinned to the installed psycopg 3 driver.

    Args:
        url: The configured URL, or ``None`` for the default.
        base_dir: The folder relative SQLite paths are resolved against.

    Returns:
        A SQLAlchemy URL string (it may carry a password: print it only through `redact_url`).

    Raises:
        StoreConfigError: The URL cannot be parsed, uses another database, or the SQLite
            file's folder cannot be created.
    """
    if url is None:
        return _sqlite_file_url(URL.create("sqlite"), base_dir / DEFAULT_STORE_PATH)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreConfigError(
            f"cannot parse the store URL {redact_url(url)!r}; use one of: {_ACCEPTED_FORMS}"
        ) from exc
    driver = parsed.drivername.lower()
    if driver in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if driver in _SQLITE_DRIVERS:
        database = parsed.database or ""
        if database in _MEMORY_DATABASES:
            return "sqlite://"
        path = Path(database).expanduser()
        return _sqlite_file_url(parsed, path if path.is_absolute() else base_dir / path)
    raise StoreConfigError(
        f"unsupported store URL scheme {parsed.drivername!r} in {redact_url(url)!r}; "
        f"use one of: {_ACCEPTED_FORMS}"
    )


def redact_url(url: str) -> str:
    """Return ``url`` with its password replaced by ``***``, safe to print or log."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1***\2", url)
    return parsed.render_as_string(hide_password=True)


def _sqlite_file_url(base: URL, path: Path) -> str:
    folder = path.parent.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreConfigError(
            f"cannot create the folder {str(folder)!r} for the SQLite store: "
            f"{exc.strerror or exc}; choose a writable location in the store URL"
        ) from exc
    return base.set(database=str(folder / path.name)).render_as_string(hide_password=False)
