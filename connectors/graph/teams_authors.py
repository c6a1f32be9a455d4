"""The authors of channel messages as ``directory_user`` records: which customer wrote what.

A message names its author only by id and display name (``from.user``). Which customer the
author belongs to is their Entra ``department``, and Graph returns a user's ``department``
only when ``$select`` names it (graph-wire.md §5). `MessageAuthors` remembers which authors a
source has already asked for during its lifetime (one run) and reads the new ones of each
page with one `GraphReader.batch_get` (``GET /users/{id}?$select=…``, 20 to a ``$batch``):

- a page whose authors were all asked for already sends no request, so an incremental read
  with nothing changed still costs one delta request per channel;
- only the tenant's own directory users are looked up: messages from applications and bots
  (``from.user`` null) and from guests of other kinds (anonymous, federated, consumer
  accounts) have no author record;
- a user Graph answers 404 for (a deleted account) yields no record, fails nothing, and is
  not asked for again in the run;
- a refusal (403: the application lacks ``User.Read.All``) leaves the page without author
  records, logs one warning, and stops the lookups for the rest of the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from connectors.errors import AuthenticationError
from connectors.graph.reader import GraphReader
from connectors.graph.session import JsonObject
from connectors.records import SourceRecord

__all__ = [
    "DIRECTORY_USER",
    "READ_USERS_PERMISSION",
    "USER_PROPERTIES",
    "MessageAuthors",
    "author_id",
]

logger = logging.getLogger(__name__)

DIRECTORY_USER = "directory_user"
USER_PROPERTIES = ("id", "displayName", "mail", "userPrincipalName", "department", "jobTitle")
"""What a ``directory_user`` payload holds; ``department`` is not in Graph's default set."""
READ_USERS_PERMISSION = "User.Read.All"
"""The application permission that lets an app-only token read a user's ``department``."""
_DIRECTORY_IDENTITIES = frozenset({"aadUser", "onPremiseAadUser"})
"""``userIdentityType`` values of users with an object in the tenant's own directory."""


def author_id(message: Mapping[str, Any]) -> str | None:
    """The directory id of the user who wrote ``message``; None when no user of ours did.

    None for applications and bots (``from.user`` null), system events (``from`` null) and
    identities outside the tenant's directory (anonymous guests, federated or consumer
    accounts), which ``GET /users/{id}`` cannot read.
    """
    sender = message.get("from")
    user = sender.get("user") if isinstance(sender, Mapping) else None
    if not isinstance(user, Mapping):
        return None
    kind = user.get("userIdentityType")
    if kind is not None and kind not in _DIRECTORY_IDENTITIES:
        return None
    found = user.get("id")
    return found if isinstance(found, str) and found else None


def _user_path(user_id: str) -> str:
    return f"/users/{quote(user_id, safe='')}?$select={','.join(USER_PROPERTIES)}"


def _directory_user(user_id: str, user: JsonObject) -> SourceRecord:
    return SourceRecord(record_type=DIRECTORY_USER, external_id=user_id, payload=user)


class MessageAuthors:
    """The directory records of message authors, each read at most once per run.

    Args:
        source: The source name the warning names, e.g. ``teams:northwind``.
    """

    def __init__(self, *, source: str) -> None:
        self.source = source
        self._asked: set[str] = set()
        self._refused = False

    def records(
        self, reader: GraphReader, messages: Iterable[Mapping[str, Any]]
    ) -> list[SourceRecord]:
        """The records of the authors of ``messages`` not asked for before, in message order.

        Sends one `GraphReader.batch_get` when there is an author to read, none otherwise;
        the reader counts its requests into the page's.

        Raises:
            RetryableError: Throttling or failures outlasted the retry policy.
            ConnectorError: Graph refused the lookups for another reason than a permission.
        """
        if self._refused:
            return []
        authors = (author_id(message) for message in messages)
        new = list(dict.fromkeys(a for a in authors if a is not None and a not in self._asked))
        if not new:
            return []
        paths = {_user_path(user_id): user_id for user_id in new}
        try:
            found = reader.batch_get(list(paths))
        except AuthenticationError as refusal:
            self._refused = True
            logger.warning(
                "%s: Graph refused to read the authors of channel messages (%s), so which "
                "customer wrote each message stays unknown. Grant the application permission "
                "%s (with admin consent), then run `flywheel-sync pull --source %s --full` to "
                "read the authors of messages already stored.",
                self.source,
                refusal.detail,
                READ_USERS_PERMISSION,
                self.source,
            )
            return []
        self._asked.update(new)
        return [
            _directory_user(user_id, user)
            for path, user_id in paths.items()
            if (user := found.get(path)) is not None
        ]
