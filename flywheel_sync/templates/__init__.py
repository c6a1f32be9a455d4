"""Starter configuration files written by ``flywheel-sync init`` (also ``config/*.example.*``)."""
