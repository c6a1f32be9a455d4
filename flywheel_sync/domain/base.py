"""The base every Value Ring model derives from, and the field types they share.

Domain models are values: frozen, keyword-only (pydantic's ``__init__`` takes keywords only),
strict about unknown fields, and built from tuples so nothing inside them can change either.
"""

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Annotated, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

__all__ = ["AwareDatetime", "EntityId", "NonEmptyStr", "ValueObject", "duplicates"]

_Key = TypeVar("_Key", bound=Hashable)

EntityId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^\S(?:.*\S)?$"),
]
"""A stable identifier: 1-200 characters, no surrounding whitespace, no line breaks.

Inside a `ValueObject` surrounding whitespace is stripped before the check (the model config
strips every string), so ``" PMO-12 "`` becomes ``"PMO-12"``; on its own the type rejects it.
"""

NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]
"""Human text that must say something (titles, names); whitespace-only text is rejected."""


class ValueObject(BaseModel):
    """Base of every domain model: immutable, rejects unknown fields, strips string whitespace.

    Build variants with ``model_copy(update=...)`` or the models' own transition methods,
    never by mutation: assignment raises ``ValidationError``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def duplicates(values: Iterable[_Key]) -> tuple[_Key, ...]:
    """Return the values that occur more than once, each once, in first-seen order.

    Models use it to name the offending keys when a collection must be unique.
    """
    counts = Counter(values)
    return tuple(value for value, count in counts.items() if count > 1)
