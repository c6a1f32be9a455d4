"""Starter configuration files written by ``flywheel-sync init`` (also ``config/*.example.*``)."""

from importlib import resources

__all__ = ["starter_text"]


def starter_text(name: str) -> str:
    """A starter file shipped in this package: ``flywheel.toml`` or ``mapping.yaml``."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
