"""Performance harness: run as scripts, never part of the test gate (only smoke runs are)."""
