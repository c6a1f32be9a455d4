"""How Dataverse words the query options it cannot read.

Two families, as Dataverse answers them: what OData's lexer and parser refuse (syntax, bad
``$top``, bad ``$skiptoken``) carries ``0x80060888``; what its binder refuses (a name the type
does not have, operand types that do not fit) carries ``0x0`` (web-api-client-errors, "Could
not find a property named ..."). The texts are OData's own.
"""

from __future__ import annotations

from flywheel_sync.sandbox.dataverse.tables import Table
from flywheel_sync.sandbox.dataverse.wire import DataverseError

__all__ = ["binding_error", "property_not_found", "syntax_error"]


def syntax_error(message: str) -> DataverseError:
    """400 for a query option OData cannot parse."""
    return DataverseError(400, "0x80060888", message)


def binding_error(message: str) -> DataverseError:
    """400 for a parsed query option OData cannot bind to the entity type."""
    return DataverseError(400, "0x0", message)


def property_not_found(table: Table, name: str) -> DataverseError:
    """400 for a name the table has no column for (names are case-sensitive)."""
    return binding_error(f"Could not find a property named '{name}' on type '{table.edm_type}'.")
