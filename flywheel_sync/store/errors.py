"""The state store's errors, grouped by what the caller should do.

```
StoreError                   anything the state store could not do
├── StoreConfigError         the store URL or location is wrong: fix the configuration
│                            (also a ValueError); e.g. an unknown scheme, a SQLite file
│                            whose folder cannot be created or opened
├── StoreUnavailableError    the database cannot be reached or is locked: retry later
└── StoreStateError          the change contradicts what is stored (an unknown run or plan,
                             an outbox transition its status forbids, a violated constraint):
                             a bug or a concurrent writer; stop and investigate
```

Messages name the store by its redacted URL (the password shown as ``***``) and never carry
a raw driver traceback; the driver's exception stays reachable as ``__cause__``.
"""

from __future__ import annotations

__all__ = ["StoreConfigError", "StoreError", "StoreStateError", "StoreUnavailableError"]


class StoreError(Exception):
    """Base of every error the state store raises."""


class StoreConfigError(StoreError, ValueError):
    """The store URL or location is unusable: the configuration must change."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached, or stayed locked too long: retrying may succeed."""


class StoreStateError(StoreError):
    """The requested change contradicts the stored state: a caller bug or a concurrent writer."""
