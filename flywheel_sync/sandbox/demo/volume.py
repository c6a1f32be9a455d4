"""Extra volume for benchmarks: Planner action tasks and channel chatter beyond the story.

Issue 8 measures the pull at up to 100,000 Jira issues, 5,000 Planner tasks with details and
5,000 Teams messages. The story has 16 Planner tasks whatever the scale (one per engagement)
and 40 PMO Requests messages per unit of scale, so scale alone never gets there. A
`DemoVolume` adds more of both, per unit of scale; the default adds nothing, and the
organisation is then the same, byte for byte, as without it (hundreds of tests rely on the
seeded data).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DemoVolume"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoVolume:
    """Volume added on top of the story, each figure per unit of scale.

    Attributes:
        planner_tasks: Action tasks, each with its details (description, checklist), in one
            "<customer> actions" plan per customer in the Enterprise PMO's group.
        channel_messages: Extra chatter root posts in PMO Requests (the channel the starter
            mapping reads), drawn from its own random stream after the usual chatter.
    """

    planner_tasks: int = 0
    channel_messages: int = 0

    def __post_init__(self) -> None:
        if self.planner_tasks < 0 or self.channel_messages < 0:
            raise ValueError("volume figures must not be negative")

    @classmethod
    def benchmark(cls) -> DemoVolume:
        """Issue 8's top level at scale 30: about 5,000 Planner tasks and 5,000 messages read.

        At scale 30 the story's 16 tasks plus 30 * 167 action tasks make 5,026 Planner tasks,
        and the PMO Requests channel holds its 16 story messages plus 30 * (40 + 127) chatter
        posts: 5,026 messages.
        """
        return cls(planner_tasks=167, channel_messages=127)

    @property
    def is_empty(self) -> bool:
        """Whether nothing is added (the organisation is the story's alone)."""
        return self.planner_tasks == 0 and self.channel_messages == 0
