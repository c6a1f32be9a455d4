"""One transaction per repository call, with driver failures raised as `StoreError`s."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from flywheel_sync.store.engine import WRITE_LOCK
from flywheel_sync.store.failures import translated_failures

__all__ = ["YIELD_PER", "reading", "writing"]

YIELD_PER = 500
"""Rows fetched per round trip when a repository streams results."""


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a read transaction (one consistent snapshot), ended when the block ends."""
    with translated_failures(_engine(sessions).url), sessions() as session:
        yield session


@contextmanager
def writing(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a write transaction: committed on a clean exit, rolled back otherwise.

    The transaction takes the store's write lock up front (see `engine`), so a concurrent
    writer makes this one wait rather than fail after its reads.
    """
    with translated_failures(_engine(sessions).url), sessions() as session, session.begin():
        session.connection(execution_options={WRITE_LOCK: True})
        yield session


def _engine(sessions: sessionmaker[Session]) -> Engine:
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the store's sessionmaker must be bound to an Engine")
    return bind
