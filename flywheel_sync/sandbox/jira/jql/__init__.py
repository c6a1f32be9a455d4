"""The Jira emulator's JQL engine: parse, validate and evaluate JQL over in-memory issues.

`compile_jql` turns a query into a `CompiledQuery` (or raises `JqlError` with Jira's
``errorMessages``); the emulator resolves field names through its `FieldCatalog`. A compiled
query is reusable: `CompiledQuery.predicate` binds it to one request's clock and caller and
returns a per-issue test, `CompiledQuery.sort` lists issues in ORDER BY order, and
`CompiledQuery.references` lists the values whose existence the emulator checks. Semantics
(EMPTY, ``!=``, ``NOT``, ``~``, dates, sort order) are documented in `clauses`, `dates` and
`ordering`.
"""

from __future__ import annotations

from flywheel_sync.sandbox.jira.jql.errors import JqlError
from flywheel_sync.sandbox.jira.jql.fields import FieldCatalog, FieldRef
from flywheel_sync.sandbox.jira.jql.ordering import OrderKey
from flywheel_sync.sandbox.jira.jql.query import UNBOUNDED_QUERY_MESSAGE, CompiledQuery, compile_jql
from flywheel_sync.sandbox.jira.jql.references import ValueReference

__all__ = [
    "UNBOUNDED_QUERY_MESSAGE",
    "CompiledQuery",
    "FieldCatalog",
    "FieldRef",
    "JqlError",
    "OrderKey",
    "ValueReference",
    "compile_jql",
]
