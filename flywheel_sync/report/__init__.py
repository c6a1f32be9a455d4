"""KPI summaries in each tool's format: Confluence pages, Teams cards, Jira comments, Markdown.

The push builds one `KPISummary` per service and per customer (and an `EngagementComment`
when an engagement enters a stage) and hands it to the renderer of each target. Renderers are
pure and deterministic: the same value renders byte-identical output (no timestamps, a fixed
order), so the push decides whether to write by comparing rendered content. Tool text is
cleaned and escaped for each format, so it always shows literally.
"""

from flywheel_sync.report.cards import DEFAULT_MAX_BYTES, render_cards
from flywheel_sync.report.confluence import page_title, render_page
from flywheel_sync.report.jira_comment import comment_has_marker, render_comment
from flywheel_sync.report.markdown import render_markdown
from flywheel_sync.report.summary import (
    EngagementComment,
    EngagementLine,
    KPILine,
    KPISummary,
    SymptomLine,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EngagementComment",
    "EngagementLine",
    "KPILine",
    "KPISummary",
    "SymptomLine",
    "comment_has_marker",
    "page_title",
    "render_cards",
    "render_comment",
    "render_markdown",
    "render_page",
]
