"""The values a query names, so the emulator can refuse the ones that do not exist.

Jira refuses ``project = NOPE`` with 400 "The value 'NOPE' does not exist for the field
'project'." and ``key = PMO-99`` with "An issue with key 'PMO-99' does not exist for field
'key'." Existence is the emulator's knowledge, not the engine's: `CompiledQuery.references`
lists every literal compared with a named-value or issue-key field (labels included: the
emulator picks the fields it validates; Jira does not validate labels), and
`missing_message` words the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from flywheel_sync.sandbox.jira.jql.fields import FieldRef

__all__ = ["ValueReference"]

_ISSUE_FIELDS = frozenset({"issuekey", "parent"})


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueReference:
    """A literal compared with a field: ``project = PMO`` gives (project, "project", "PMO").

    Attributes:
        field: The field compared with.
        written_as: The field's name as the query wrote it (Jira's messages repeat it).
        value: The literal, unquoted and unescaped.
    """

    field: FieldRef
    written_as: str
    value: str

    @property
    def names_an_issue(self) -> bool:
        """The value is an issue key or id (``key``, ``issuekey``, ``id``, ``parent``)."""
        return self.field.id in _ISSUE_FIELDS

    def missing_message(self) -> str:
        """Jira's refusal when nothing exists under ``value``."""
        if self.names_an_issue:
            return f"An issue with key '{self.value}' does not exist for field '{self.written_as}'."
        return f"The value '{self.value}' does not exist for the field '{self.written_as}'."
