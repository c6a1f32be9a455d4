"""The ``Prefer`` request header as Dataverse honours it, and what ``Preference-Applied`` says.

``odata.maxpagesize=N`` sets the page size; Dataverse ignores sizes over 5,000 (and the
sandbox ignores ones that are not positive whole numbers, as RFC 7240 lets a server do).
``odata.include-annotations="..."`` asks for annotations by term, ``ns.*`` or ``*``, with
``-term`` exclusions. ``return=representation`` asks a create to answer with the row.
Preferences may come in one header, comma-separated, or in several headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["DEFAULT_PAGE_SIZE", "Preferences"]

DEFAULT_PAGE_SIZE = 5000
"""Rows per page when no (valid) ``odata.maxpagesize`` is asked for (page-results.md)."""
_PREFERENCE = re.compile(r'\s*([\w.-]+)\s*(?:=\s*("[^"]*"|[^,;]*))?\s*(?:;[^,]*)?(?:,|$)')


@dataclass(frozen=True, kw_only=True)
class Preferences:
    """What one request prefers, as far as Dataverse honours it."""

    max_page_size: int | None = None
    annotations: str | None = None
    """The ``odata.include-annotations`` value without its quotes, if asked for."""
    return_representation: bool = False

    @classmethod
    def read(cls, headers: Iterable[str]) -> Preferences:
        """The preferences of every ``Prefer`` header of a request."""
        size: int | None = None
        annotations: str | None = None
        representation = False
        for header in headers:
            for name, raw in _PREFERENCE.findall(header):
                value = raw.strip().strip('"')
                name = name.lower()
                if name == "odata.maxpagesize" and value.isdigit():
                    wanted = int(value)
                    size = wanted if 0 < wanted <= DEFAULT_PAGE_SIZE else None
                elif name == "odata.include-annotations":
                    annotations = value
                elif name == "return":
                    representation = value.lower() == "representation"
        return cls(
            max_page_size=size, annotations=annotations, return_representation=representation
        )

    def applied(self, *, paged: bool) -> str | None:
        """The ``Preference-Applied`` value, or None when nothing was applied."""
        applied = []
        if paged and self.max_page_size is not None:
            applied.append(f"odata.maxpagesize={self.max_page_size}")
        if self.annotations is not None:
            applied.append(f'odata.include-annotations="{self.annotations}"')
        return ", ".join(applied) or None

    def wants(self) -> Callable[[str], bool]:
        """A test of whether an annotation term (``...FormattedValue``) was asked for."""
        patterns = [p.strip() for p in (self.annotations or "").split(",") if p.strip()]
        included = [p for p in patterns if not p.startswith("-")]
        excluded = [p[1:] for p in patterns if p.startswith("-")]

        def matches(pattern: str, term: str) -> bool:
            pattern, term = pattern.lower(), term.lower()
            return pattern in ("*", term) or (
                pattern.endswith(".*") and term.startswith(pattern[:-1])
            )

        return lambda term: (
            any(matches(p, term) for p in included) and not any(matches(p, term) for p in excluded)
        )
