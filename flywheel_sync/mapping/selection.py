"""Whether a rule selects a record, decided from the record itself.

The pull reads each distinct selection as one scope, but a record's stored scope is only the
last one that read it: two rules' queries may overlap ("every PMO issue" and "PMO epics"), and
an issue whose type changed has left a query the pull will not ask again. So each rule's
selection is evaluated on the record: Jira JQL through `flywheel_sync.mapping.jql` (the usual
subset: =, !=, in, not in, is EMPTY, AND/OR/NOT), projects and issue types, Planner groups and
plans, Teams channels, Project projects. JQL outside that subset (``~``, dates, functions) is
Jira's to evaluate: such a rule selects the records its own scope read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flywheel_sync.mapping.context import PRIMARY_TYPES
from flywheel_sync.mapping.jql import JqlError, JqlMatcher
from flywheel_sync.mapping.reading import RecordReader
from flywheel_sync.settings.rules import MappingRule

__all__ = ["RuleSelector"]

_FOLDED_KEYS = ("projects", "issue_types", "groups", "plans")


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.strip().casefold() for value in values)


@dataclass(frozen=True, kw_only=True)
class RuleSelector:
    """A rule's selection, compiled once, tested on many records."""

    rule: MappingRule
    matcher: JqlMatcher | None
    scope: str | None
    """The pull's scope for the rule's JQL when it is evaluated by Jira, not here."""
    note: str | None = None

    @classmethod
    def of(cls, rule: MappingRule) -> RuleSelector:
        """Compile ``rule``'s selection (JQL outside the subset falls back to its scope)."""
        jql = rule.select.jql if rule.tool == "jira" else None
        if not jql:
            return cls(rule=rule, matcher=None, scope=None)
        try:
            return cls(rule=rule, matcher=JqlMatcher.compile(jql), scope=None)
        except JqlError as problem:
            return cls(
                rule=rule,
                matcher=None,
                scope=rule.select.jira_query(),
                note=f"selected by Jira (the query is evaluated there: {problem})",
            )

    def selects(self, reader: RecordReader) -> bool:
        """Whether the rule reads this record."""
        record = reader.record
        if record.source != self.rule.source:
            return False
        if record.record_type not in PRIMARY_TYPES[self.rule.tool]:
            return False
        if self.scope is not None and record.scope != self.scope:
            return False
        if self.matcher is not None and not self.matcher.matches(reader.values):
            return False
        return all(self._key_matches(key, reader) for key in self.rule.select.keys_given())

    def _key_matches(self, key: str, reader: RecordReader) -> bool:
        if key == "jql":
            return True
        if key == "channels":
            channels = {f"{c.team_id}/{c.channel_id}" for c in self.rule.select.channels}
            return bool(channels & set(reader.selection_values(key)))
        if key in _FOLDED_KEYS:
            wanted = _folded(getattr(self.rule.select, key))
            return bool(wanted & _folded(reader.selection_values(key)))
        return False
