"""``flywheel-sync pull``: stream every configured source's pages into the store."""

from flywheel_sync.pull.runner import PullListener, PullRunner, PullSummary, ScopeOutcome

__all__ = ["PullListener", "PullRunner", "PullSummary", "ScopeOutcome"]
