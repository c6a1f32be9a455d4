"""Dataverse's ``$skiptoken``: a paging cookie naming the page and the last row it returned.

The token has Dataverse's shape (page-results.md, count-rows.md)::

    <cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e%3cmsdyn_projecttaskid
    last%3d%22%7b...%7d%22%20first%3d%22%7b...%7d%22%20%2f%3e%3c%2fcookie%3e" istracking="False" />

Clients must treat it as opaque. The next page starts after the row named ``last`` in the
current order, so rows written between two requests neither repeat nor vanish; when that row
is gone the page number is used instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from flywheel_sync.sandbox.dataverse.odata.errors import syntax_error
from flywheel_sync.sandbox.dataverse.wire import parse_guid

__all__ = ["PageCookie"]

_FIRST_NEXT = 2
"""The first page a cookie can ask for: the first page needs none."""
_OUTER = re.compile(r'<cookie pagenumber="(\d+)" pagingcookie="([^"]*)" istracking="False" />')
_INNER = re.compile(r'<cookie page="\d+"><(\w+) last="\{([^}]*)\}" first="\{([^}]*)\}" /></cookie>')


@dataclass(frozen=True, kw_only=True)
class PageCookie:
    """Where the next page of a query starts."""

    page: int
    """The page this cookie asks for (2 for the first ``@odata.nextLink``)."""
    last: str
    """The primary key of the last row of the previous page."""
    first: str
    """The primary key of the first row of the previous page."""

    def token(self, primary_key: str) -> str:
        """The ``$skiptoken`` value (before URL encoding)."""
        inner = (
            f'<cookie page="{self.page - 1}"><{primary_key} last="{{{self.last.upper()}}}" '
            f'first="{{{self.first.upper()}}}" /></cookie>'
        )
        return (
            f'<cookie pagenumber="{self.page}" pagingcookie="{quote(inner, safe="")}" '
            'istracking="False" />'
        )

    @classmethod
    def read(cls, token: str) -> PageCookie:
        """The cookie a ``$skiptoken`` value carries.

        Raises:
            DataverseError: 400 when the token is not one the sandbox issued.
        """
        outer = _OUTER.fullmatch(token.strip())
        inner = _INNER.fullmatch(unquote(outer.group(2))) if outer else None
        last = parse_guid(inner.group(2)) if inner else None
        first = parse_guid(inner.group(3)) if inner else None
        if outer is None or last is None or first is None or int(outer.group(1)) < _FIRST_NEXT:
            raise syntax_error("The $skiptoken query option value is not a valid paging cookie.")
        return cls(page=int(outer.group(1)), last=last, first=first)
