"""Teams writes: Adaptive Card messages posted through a Workflows (Power Automate) webhook.

Reading Teams (channel messages, their authors) is Graph's and lives in `connectors.graph`;
posting is not: Graph lets an application post to a channel only while importing
(graph-wire.md §3), so a push posts to the channel's "When a Teams webhook request is
received" flow instead, whose URL carries its own secret signature (`WorkflowsWebhook`).
"""

from connectors.teams.workflows import MAX_MESSAGE_BYTES, WorkflowsWebhook, redacted_url

__all__ = ["MAX_MESSAGE_BYTES", "WorkflowsWebhook", "redacted_url"]
