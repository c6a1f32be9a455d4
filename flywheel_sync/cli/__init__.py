"""The ``flywheel-sync`` command line (Typer + Rich)."""
