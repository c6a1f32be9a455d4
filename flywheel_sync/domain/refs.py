"""Where a Value Ring entity lives in the tools: a tool plus that tool's own reference."""

from enum import Enum

from pydantic import Field

from flywheel_sync.domain.base import NonEmptyStr, ValueObject

__all__ = ["ExternalRef", "Tool"]


class Tool(Enum):
    """A tool flywheel-sync reads from or writes to."""

    JIRA = "jira"
    CONFLUENCE = "confluence"
    PLANNER = "planner"
    TEAMS = "teams"
    PROJECT = "project"


class ExternalRef(ValueObject):
    """A pointer from a domain entity to its counterpart in a tool (e.g. Jira epic PMO-12)."""

    tool: Tool
    ref: NonEmptyStr = Field(
        description=(
            "The tool's own reference: a Jira issue key, a Planner task id, a Confluence page id, "
            "a Teams channel id or a Project task GUID."
        )
    )
    url: str | None = Field(
        default=None, description="Link a person can open; informational only, never parsed."
    )
