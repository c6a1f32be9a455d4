"""Identifiers in the shapes each tool issues, derived from names so they never change per run.

Jira account ids are 24 hex digits, Microsoft Entra and Dataverse ids are GUIDs, Planner ids are
28-character URL-safe strings, Teams channel ids are ``19:…@thread.tacv2``. Each is a hash of a
stable path ("planner/task/PMO-12"), so the same story always gets the same ids.
"""

import base64
import hashlib
import uuid

__all__ = ["account_id", "channel_id", "guid", "planner_id"]

_NAMESPACE = uuid.UUID("6f1c4a52-93b3-4c57-9a57-6e6f72746877")


def _digest(path: str) -> bytes:
    return hashlib.sha256(f"northwind/{path}".encode()).digest()


def guid(path: str) -> str:
    """A GUID (Entra object id, Dataverse row id, checklist item id) for a stable path."""
    return str(uuid.uuid5(_NAMESPACE, path))


def account_id(path: str) -> str:
    """A Jira Cloud account id (24 lowercase hex digits) for a stable path."""
    return _digest(f"account/{path}").hex()[:24]


def planner_id(path: str) -> str:
    """A Planner id: 28 case-sensitive URL-safe characters (``01gzSlKkIUSUl6DF_EilrmQAKDhh``)."""
    return base64.urlsafe_b64encode(_digest(f"planner/{path}")).decode("ascii")[:28]


def channel_id(path: str) -> str:
    """A Teams channel id, ``19:<32 hex>@thread.tacv2``."""
    return f"19:{_digest(f'channel/{path}').hex()[:32]}@thread.tacv2"
