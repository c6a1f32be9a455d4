"""Fields asked for by the names people use, resolved to the site's ids."""

from __future__ import annotations

import pytest

from connectors.jira.fields import FieldCatalog, UnknownFieldError

SITE = [
    {"id": "summary", "name": "Summary", "clauseNames": ["summary"]},
    {"id": "duedate", "name": "Due date", "clauseNames": ["due", "duedate"]},
    {"id": "customfield_10010", "name": "Flywheel Stage", "clauseNames": ["cf[10010]"]},
    {"id": "customfield_10012", "name": "Customer", "clauseNames": ["cf[10012]"]},
    {"id": "customfield_10013", "name": "Customer", "clauseNames": ["cf[10013]"]},
]


@pytest.mark.parametrize(
    ("name", "field_id"),
    [
        ("Flywheel Stage", "customfield_10010"),
        ("flywheel stage", "customfield_10010"),
        ("  Flywheel Stage ", "customfield_10010"),
        ("customfield_10010", "customfield_10010"),
        ("cf[10010]", "customfield_10010"),
        ("Due date", "duedate"),
        ("due", "duedate"),
        ("summary", "summary"),
        ("*navigable", "*navigable"),
        ("-description", "-description"),
    ],
)
def test_a_field_is_found_by_id_name_or_clause_name(name: str, field_id: str) -> None:
    assert FieldCatalog(SITE).resolve(name) == field_id


def test_a_name_two_custom_fields_share_is_ambiguous_and_lists_their_ids() -> None:
    with pytest.raises(UnknownFieldError, match="customfield_10012, customfield_10013"):
        FieldCatalog(SITE).resolve("Customer")


def test_an_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(UnknownFieldError, match="no field 'Flywheel Stag'; did you mean 'Flyw"):
        FieldCatalog(SITE).resolve("Flywheel Stag")


def test_every_bad_name_is_reported_at_once_and_good_ones_keep_their_order() -> None:
    catalog = FieldCatalog(SITE)

    assert catalog.resolve_all(["Summary", "due", "summary"]) == ("summary", "duedate")
    with pytest.raises(UnknownFieldError, match=r"'Nope'.*ambiguous"):
        catalog.resolve_all(["Nope", "Summary", "Customer"])
