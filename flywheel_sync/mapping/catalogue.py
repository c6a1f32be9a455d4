"""The PMO's customers and services, found by any name a tool uses for them.

Tools name a customer "Grid Operations", "GRID" or "grid-ops"; the catalogue in
``mapping.yaml`` lists each customer's id, name and aliases. Matching ignores case and
surrounding spaces, never guesses: an unknown name is reported, not mapped to the nearest.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flywheel_sync.settings.mapping import CustomerEntry, MappingFile, ServiceEntry

__all__ = ["Catalogue", "Resolution"]


@dataclass(frozen=True, kw_only=True)
class Resolution:
    """The id a tool value resolved to, or why none did."""

    entity_id: str | None
    problem: str | None = None


def _index(entries: Iterable[CustomerEntry | ServiceEntry]) -> dict[str, str]:
    index: dict[str, str] = {}
    for entry in entries:
        for name in (entry.id, entry.name, *entry.aliases):
            index.setdefault(name.strip().casefold(), entry.id)
    return index


class Catalogue:
    """Customers and services by id, name or alias."""

    def __init__(self, mapping: MappingFile) -> None:
        self.customers = {customer.id: customer for customer in mapping.customers}
        self.services = {service.id: service for service in mapping.services}
        self._customer_names = _index(mapping.customers)
        self._service_names = _index(mapping.services)

    def customer(self, values: Sequence[str]) -> Resolution:
        """The customer the first known value names."""
        return self._resolve(values, self._customer_names, "customer")

    def service(self, values: Sequence[str]) -> Resolution:
        """The service the first known value names."""
        return self._resolve(values, self._service_names, "service")

    @staticmethod
    def _resolve(values: Sequence[str], index: dict[str, str], kind: str) -> Resolution:
        for value in values:
            found = index.get(value.strip().casefold())
            if found is not None:
                return Resolution(entity_id=found)
        if not values:
            return Resolution(entity_id=None, problem=f"no {kind} value")
        shown = ", ".join(repr(value) for value in values)
        close = difflib.get_close_matches(values[0].casefold(), list(index), n=1, cutoff=0.7)
        hint = f" (did you mean {index[close[0]]!r}?)" if close else ""
        return Resolution(
            entity_id=None,
            problem=f"{shown} is no {kind} of the catalogue{hint}: add it to '{kind}s' "
            "in mapping.yaml or as an alias",
        )
