"""flywheel-sync: the PMO Value Ring flywheel, run on the data in the tools PMOs already use."""

__version__ = "0.1.0"

__all__ = ["__version__"]
