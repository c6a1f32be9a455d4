"""Wrong values at every key path of the starter files: types, extremes, odd text, paths.

The property changes one value of ``flywheel.toml`` or ``mapping.yaml`` at a time (replaced by
a hostile value, removed, or moved under an unknown key); the regression tests below pin the
crashes it found, and how the messages stay readable.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from flywheel_sync.settings import ConfigError
from flywheel_sync.settings.problems import MAX_LISTED
from tests.unit.settings.builders import MINIMAL_MAPPING, MINIMAL_TOML
from tests.unit.settings.hostile import (
    EVERY_RUN,
    TEMPLATE_MAPPING,
    TEMPLATE_TOML,
    THOROUGH,
    Change,
    Tree,
    budget,
    changes,
    hostile_values,
    key_paths,
    load_cleanly,
    toml_document,
    write_pair,
    yaml_document,
)

STARTER_TOML: Tree = tomllib.loads(TEMPLATE_TOML)
STARTER_MAPPING: Tree = yaml.safe_load(TEMPLATE_MAPPING)


def _self_containing() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


def _mapping_changes() -> st.SearchStrategy[Change]:
    # YAML can also hold a value that contains itself (an anchor used inside itself).
    loops = st.builds(
        Change,
        loc=st.sampled_from(list(key_paths(STARTER_MAPPING))),
        kind=st.just("replace"),
        value=st.builds(_self_containing),
    )
    return st.one_of(changes(STARTER_MAPPING), loops)


def _check_toml_change(folder: Path) -> Callable[[Change], None]:
    def check(change: Change) -> None:
        toml = toml_document(change.applied_to(STARTER_TOML))
        load_cleanly(*write_pair(folder, toml, MINIMAL_MAPPING))

    return check


def _check_mapping_change(folder: Path) -> Callable[[Change], None]:
    def check(change: Change) -> None:
        mapping = yaml_document(change.applied_to(STARTER_MAPPING))
        load_cleanly(*write_pair(folder, TEMPLATE_TOML, mapping))

    return check


@dataclass(frozen=True, kw_only=True)
class ChangedFile:
    """Changes to one starter file, how to check one, and the share of the budget it gets."""

    changes: st.SearchStrategy[Change]
    check: Callable[[Path], Callable[[Change], None]]
    share: float = 1.0


CHANGED_FILES = {
    "one value of flywheel.toml": ChangedFile(
        changes=changes(STARTER_TOML), check=_check_toml_change
    ),
    # The mapping template takes ~0.15 s to write, check and load: PyYAML is pure Python.
    "one value of mapping.yaml": ChangedFile(
        changes=_mapping_changes(), check=_check_mapping_change, share=0.6
    ),
}


@pytest.mark.parametrize("name", CHANGED_FILES)
def test_a_wrong_value_anywhere_is_a_located_problem(name: str, tmp_path: Path) -> None:
    changed = CHANGED_FILES[name]
    budget(EVERY_RUN, changed.share)(given(changed.changes)(changed.check(tmp_path)))()


@pytest.mark.slow
@pytest.mark.parametrize("name", CHANGED_FILES)
def test_a_wrong_value_anywhere_thoroughly(name: str, tmp_path: Path) -> None:
    changed = CHANGED_FILES[name]
    budget(THOROUGH, changed.share)(given(changed.changes)(changed.check(tmp_path)))()


def test_the_starter_files_survive_being_written_back() -> None:
    """The writers are faithful, so a problem found is the change's, not the writer's."""
    assert tomllib.loads(toml_document(STARTER_TOML)) == STARTER_TOML
    assert yaml.safe_load(yaml_document(STARTER_MAPPING)) == STARTER_MAPPING
    config, mapping = write_pair(Path("written"), toml_document(STARTER_TOML), MINIMAL_MAPPING)
    assert not isinstance(load_cleanly(config, mapping), ConfigError)
    config, mapping = write_pair(Path("written"), TEMPLATE_TOML, yaml_document(STARTER_MAPPING))
    assert not isinstance(load_cleanly(config, mapping), ConfigError)


@EVERY_RUN
@given(hostile_values())
def test_every_hostile_value_can_be_written_as_toml_and_yaml(value: Any) -> None:
    document = {"key": value}
    assert set(tomllib.loads(toml_document(document))) <= {"key"}
    assert set(yaml.safe_load(yaml_document(document))) == {"key"}


# ---------------------------------------------------------------- regressions


def problems_of(toml: str = MINIMAL_TOML, mapping: str = MINIMAL_MAPPING) -> list[str]:
    """The rendered problems of a pair that must not load (every check of the promise run)."""
    config, mapping_file = write_pair(Path("case"), toml, mapping)
    outcome = load_cleanly(config, mapping_file)
    assert isinstance(outcome, ConfigError)
    return [problem.render() for problem in outcome.problems]


LONG_NAME = "a" * 5000  # past the 255 bytes a file name may have


def with_jira(extra: str) -> str:
    """The minimal flywheel.toml with more keys in its ``[jira.pmo]`` table."""
    return MINIMAL_TOML + extra


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        pytest.param(
            f'mapping = "{LONG_NAME}"\n' + MINIMAL_TOML,
            "(file): File name too long\n"
            "    hint: set 'mapping' in flywheel.toml, or run 'flywheel-sync init'",
            id="mapping file name too long (was OSError)",
        ),
        pytest.param(
            with_jira(f'ca_bundle = "{LONG_NAME}"\n'),
            "jira.pmo.ca_bundle: cannot use the path 'aaaa",
            id="ca_bundle name too long (was OSError from pydantic's FilePath)",
        ),
        pytest.param(
            MINIMAL_TOML.replace('token = "jira-secret-value"', 'token_file = "~nobody-xyz/t"'),
            "jira.pmo: cannot read token_file '~nobody-xyz/t': Could not determine home directory.",
            id="token_file of an unknown user's home (was RuntimeError)",
        ),
        pytest.param(
            MINIMAL_TOML.replace('token = "jira-secret-value"', 'token_file = "/dev/zero"'),
            "jira.pmo: cannot read token_file '/dev/zero': larger than 64 KiB; it should hold "
            "only the secret",
            id="endless token_file (was read until memory ran out)",
        ),
        pytest.param(
            MINIMAL_TOML.replace('token = "jira-secret-value"', 'token_file = "a\\u0000b"'),
            "jira.pmo: cannot read token_file 'a\\x00b': embedded null byte",
            id="NUL in token_file",
        ),
        pytest.param(
            MINIMAL_TOML.replace('token = "jira-secret-value"', "token_file = [1, 2]"),
            "jira.pmo.token_file: expected a path, as text",
            id="token_file not text (was read as the file '[1, 2]')",
        ),
        pytest.param(
            "mapping = 1979-05-27T07:32:00Z\n" + MINIMAL_TOML,
            "mapping: expected a path, as text",
            id="date as a path (said <class 'pathlib.Path'>)",
        ),
    ],
)
def test_hostile_toml_values_are_problems(toml: str, expected: str) -> None:
    assert any(expected in problem for problem in problems_of(toml=toml)), problems_of(toml=toml)


def test_a_secret_file_that_is_not_text_is_a_problem() -> None:
    Path("token").write_bytes(b"\xff\xfe secret")
    toml = MINIMAL_TOML.replace('token = "jira-secret-value"', 'token_file = "token"')

    assert problems_of(toml=toml) == [
        "case/flywheel.toml:1: jira.pmo: cannot read token_file 'token': not UTF-8 text"
    ]


def rule_with_pattern(pattern: str) -> str:
    """The minimal mapping whose rule reads its customer through ``pattern``."""
    return MINIMAL_MAPPING.replace(
        "customer: {field: PMO Customer}",
        f"customer: {{field: PMO Customer, pattern: '{pattern}'}}",
    )


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        pytest.param(
            "(" * 2000 + "?P<value>x" + ")" * 2000,
            "groups nested too deeply",
            id="deeply nested groups (was RecursionError)",
        ),
        pytest.param(
            "(?P<value>x{4294967296})",
            "the repetition number is too large",
            id="huge repeat count (was OverflowError)",
        ),
    ],
)
def test_a_pattern_the_regex_compiler_cannot_take_is_a_problem(pattern: str, reason: str) -> None:
    [problem] = problems_of(mapping=rule_with_pattern(pattern))

    assert problem.startswith("case/mapping.yaml:8: rules[0].customer.pattern: '")
    assert problem.endswith(f"' is not a valid regular expression: {reason}")


def test_control_and_bidirectional_characters_are_shown_escaped() -> None:
    url = "\\u001b[2J\\u202eftp://x\\u0000"
    toml = MINIMAL_TOML.replace('"https://northwind.atlassian.net"', f'"{url}"')
    toml += '"\\u001b[31mred\\u202e" = 1\n'

    assert problems_of(toml=toml) == [
        "case/flywheel.toml:1: jira.pmo.\\x1b[31mred\\u202e: unknown key\n"
        "    hint: valid keys here: auth, ca_bundle, flavour, max_retries, timeout_seconds, "
        "token, token_file, url, user",
        "case/flywheel.toml:2: jira.pmo.url: '\\x1b[2J\\u202eftp://x\\x00' is not a valid URL: "
        "expected http:// or https:// and a host name, e.g. https://your-domain.atlassian.net",
    ]


def test_a_flood_of_problems_is_listed_up_to_a_limit_and_quickly() -> None:
    customers = "".join(f"  - {{id: c{n}, nme: x}}\n" for n in range(2_000))  # 3 problems each
    config, mapping = write_pair(Path("case"), MINIMAL_TOML, "customers:\n" + customers)

    started = time.monotonic()
    outcome = load_cleanly(config, mapping)
    elapsed = time.monotonic() - started

    assert isinstance(outcome, ConfigError)
    assert len(outcome.problems) == 6_000
    assert str(outcome).splitlines()[-1] == (
        f"... and {6_000 - MAX_LISTED} more; fix these first and validate again"
    )
    assert outcome.problems[-1].line == 2_001  # located although not listed
    assert elapsed < 10  # 500 customers took 95 s when each problem re-read the YAML
