"""Hostile records for property-based tests of the connectors' parsers, and their promise.

The promise (issue 8, "Hostile input"): whatever a tool sends for one item of a page (a
member missing or null, a value of the wrong type, a 1 MB string, odd unicode), reading the
page does not raise; every item becomes a record or a quarantined entry; and what is kept
of either is safe to store and print (`assert_storable`).

Items are valid ones with one to three members dropped or replaced by `hostile_values`, or
any JSON value at all in place of the item. JSON from the wire holds no lone surrogates
(a parser would refuse the body, not one item) and no NaN: neither is generated. Budgets are
hypothesis profiles: ``hostile-records`` for every run (a few seconds per property),
``hostile-records-thorough`` behind the ``slow`` marker (``$HOSTILE_RECORDS_EXAMPLES``,
default 100). Both are derandomized and keep no example database, so a CI failure replays
the same way on a laptop.
"""

from __future__ import annotations

import copy
import os
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from connectors.quarantine import MAX_EXCERPT, MAX_ID, MAX_REASON
from connectors.records import QuarantinedRecord, RecordPage, SourceRecord

__all__ = [
    "EVERY_RUN",
    "MEGABYTE",
    "THOROUGH",
    "assert_storable",
    "hostile_items",
    "hostile_values",
    "mutated",
    "odd_text",
]

settings.register_profile(
    "hostile-records",
    max_examples=40,
    deadline=None,  # the first example pays for imports and connections
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # fixtures are fakes each example resets
    ],
)
settings.register_profile(
    "hostile-records-thorough",
    parent=settings.get_profile("hostile-records"),
    max_examples=int(os.environ.get("HOSTILE_RECORDS_EXAMPLES", "100")),
)
EVERY_RUN = settings.get_profile("hostile-records")
THOROUGH = settings.get_profile("hostile-records-thorough")

MEGABYTE = "x" * 1_000_000
_ODD = (
    "",
    " ",
    "\u202eevil",  # right-to-left override
    "\u0301",  # a lone combining mark
    "a\x00b",  # NUL
    "🙂\u200d🙂",  # emoji joined by a zero-width joiner
    "\ufeffbom",
    "null",
    "<script>alert(1)</script>",
    "]]>",
    "2026-13-40T25:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-11-23T08:50:06.000+0000",
    "PMO-1",
    "10001",
    MEGABYTE,
    "\u202e" + MEGABYTE,
)

odd_text = st.one_of(
    st.sampled_from(_ODD),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),  # no lone surrogates
)
"""Strings a tool might send where any value belongs: empty, bidi, NUL, 1 MB, dates."""

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
)
hostile_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(odd_text, children, max_size=3)
    ),
    max_leaves=6,
)
"""Any JSON value a parser can return, leaning towards the awkward ones."""

_DROP = object()
Path = tuple[str | int, ...]


def _paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    if prefix:
        yield prefix
    if isinstance(value, Mapping):
        for name, member in value.items():
            yield from _paths(member, (*prefix, name))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield from _paths(item, (*prefix, index))


def _put(target: Any, path: Path, value: Any) -> None:
    """Set (or, for `_DROP`, remove) ``path`` in ``target``; a path gone already is skipped."""
    for step in path[:-1]:
        try:
            target = target[step]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    if isinstance(target, dict) and isinstance(last, str):
        if value is _DROP:
            target.pop(last, None)
        else:
            target[last] = value
    elif isinstance(target, list) and isinstance(last, int) and last < len(target):
        if value is _DROP:
            del target[last]
        else:
            target[last] = value


@st.composite
def mutated(draw: st.DrawFn, base: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with one to three members (at any depth) dropped or made hostile."""
    item = copy.deepcopy(dict(base))
    paths = list(_paths(item))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        _put(item, path, draw(st.one_of(st.just(_DROP), hostile_values)))
    return item


def hostile_items(base: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """An item of a list answer: ``base`` mutated, mostly, or any JSON value at all."""
    return st.one_of(mutated(base), mutated(base), hostile_values)


def _printable(text: str) -> bool:
    return all(unicodedata.category(char) not in {"Cc", "Cf", "Cs"} for char in text)


def _assert_record(record: SourceRecord) -> None:
    external_id = record.external_id
    assert 0 < len(external_id) <= MAX_ID, external_id[:80]
    assert external_id.isprintable(), repr(external_id[:80])
    if record.updated_at is not None:
        assert record.updated_at.utcoffset() is not None
        record.updated_at.astimezone(UTC)  # raises OverflowError at the edges of time
        assert datetime.min.replace(tzinfo=UTC) < record.updated_at


def _assert_quarantined(entry: QuarantinedRecord) -> None:
    assert len(entry.excerpt) <= MAX_EXCERPT
    assert 0 < len(entry.reason) <= MAX_REASON
    assert _printable(entry.excerpt), repr(entry.excerpt[:200])
    assert _printable(entry.reason), repr(entry.reason)
    if entry.external_id is not None:
        assert 0 < len(entry.external_id) <= MAX_ID
        assert entry.external_id.isprintable()


def assert_storable(pages: list[RecordPage]) -> None:
    """Every record and quarantined entry of ``pages`` is one the store can keep and show."""
    for page in pages:
        for record in page.records:
            _assert_record(record)
        for entry in page.quarantined:
            _assert_quarantined(entry)
