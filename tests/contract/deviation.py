"""One documented departure of the sandbox from a spec subset, and what it excuses.

Split from `tests.contract.deviations` so that each emulator's table of deviations can live
in its own module (``deviations_<area>.py``) and still be gathered into one ``DEVIATIONS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.contract.violations import Phase, Violation

__all__ = ["Deviation"]

_SEGMENT = re.compile(r"\{[^}/]+\}")


def _matches_template(template: str, path: str) -> bool:
    pattern = "".join(
        "[^/]+" if _SEGMENT.fullmatch(part) else re.escape(part)
        for part in re.split(r"(\{[^}/]+\})", template)
    )
    return re.fullmatch(pattern, path) is not None


def _matches_where(pattern: str, where: str) -> bool:
    wanted, got = pattern.split("/"), where.split("/")
    return len(wanted) == len(got) and all(w in ("*", g) for w, g in zip(wanted, got, strict=True))


@dataclass(frozen=True, kw_only=True)
class Deviation:
    """One documented departure: the violations it excuses, and nothing more.

    ``operations`` are ``"METHOD /template"`` as the spec's ``paths`` write them (``"*"``: every
    operation of the spec); ``where`` patterns use ``*`` for one path segment (``None``: the
    kind has no location); ``message`` must match the violation's message in full.
    ``each_item`` says the body is a JSON array of what the spec declares: the harness then
    validates every element against the declared schema as well.
    """

    ref: str
    specs: tuple[str, ...]
    operations: tuple[str, ...]
    kind: str
    phases: tuple[Phase, ...] = ("response",)
    statuses: tuple[int, ...] = ()
    keyword: str = ""
    where: tuple[str, ...] | None = None
    message: str = ""
    each_item: bool = False

    def covers(self, spec: str, method: str, path: str, status: int) -> bool:
        """Whether this deviation applies to an exchange at all."""
        return (
            spec in self.specs
            and (not self.statuses or status in self.statuses)
            and any(
                operation == "*"
                or (
                    operation.split(" ", 1)[0] == method.upper()
                    and _matches_template(operation.split(" ", 1)[1], path)
                )
                for operation in self.operations
            )
        )

    def excuses(self, violation: Violation) -> bool:
        """Whether ``violation`` is exactly what this deviation describes."""
        return (
            violation.phase in self.phases
            and violation.kind == self.kind
            and (not self.keyword or violation.keyword == self.keyword)
            and (self.where is None or any(_matches_where(w, violation.where) for w in self.where))
            and (not self.message or re.fullmatch(self.message, violation.message) is not None)
        )
