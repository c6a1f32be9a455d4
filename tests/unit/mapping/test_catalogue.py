"""The catalogue finds customers and services by any name, and never guesses."""

from __future__ import annotations

import pytest

from flywheel_sync.mapping.catalogue import Catalogue, Resolution
from tests.unit.mapping.records import mapping

CATALOGUE = Catalogue(mapping())


@pytest.mark.parametrize(
    "values",
    [["grid-ops"], ["Grid Operations"], ["GRID"], ["  grid operations "], ["grid"]],
    ids=["id", "name", "alias", "spaces-and-case", "alias-any-case"],
)
def test_customer_by_id_name_or_alias(values: list[str]) -> None:
    assert CATALOGUE.customer(values) == Resolution(entity_id="grid-ops")


def test_first_known_value_wins() -> None:
    assert CATALOGUE.customer(["Unknown", "FIN", "GRID"]) == Resolution(entity_id="finance")


def test_service_by_name() -> None:
    assert CATALOGUE.service(["project health checks"]) == Resolution(entity_id="health-checks")


def test_no_value_is_its_own_problem() -> None:
    assert CATALOGUE.customer([]) == Resolution(entity_id=None, problem="no customer value")
    assert CATALOGUE.service([]) == Resolution(entity_id=None, problem="no service value")


def test_unknown_customer_names_the_values_and_suggests_the_closest() -> None:
    found = CATALOGUE.customer(["Grid Operation", "Ops"])

    assert found == Resolution(
        entity_id=None,
        problem="'Grid Operation', 'Ops' is no customer of the catalogue (did you mean "
        "'grid-ops'?): add it to 'customers' in mapping.yaml or as an alias",
    )


def test_unknown_service_without_anything_close_has_no_hint() -> None:
    found = CATALOGUE.service(["Catering"])

    assert found.problem == (
        "'Catering' is no service of the catalogue: add it to 'services' in mapping.yaml "
        "or as an alias"
    )
