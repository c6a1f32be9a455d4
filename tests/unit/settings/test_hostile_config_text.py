"""Hostile bytes in the configuration files: garbled, bombed, nested past reason, huge.

Each property is checked on every run with a modest budget and, behind ``slow``, with a
thorough one. The regression tests below them pin every crash the properties found.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flywheel_sync.settings import ConfigError
from flywheel_sync.settings.syntax import LARGEST_FILE
from tests.unit.settings.builders import MINIMAL_MAPPING, MINIMAL_TOML
from tests.unit.settings.hostile import (
    EVERY_RUN,
    TEMPLATE_MAPPING,
    TEMPLATE_TOML,
    THOROUGH,
    budget,
    deep_documents,
    garbled,
    laughing_mappings,
    load_cleanly,
    write_pair,
)

_SLOWEST_LOAD_SECONDS = 5.0


@dataclass(frozen=True)
class Pair:
    """A ``flywheel.toml`` and a ``mapping.yaml``, as text or raw bytes."""

    toml: str | bytes
    mapping: str | bytes


def _toml_side(toml: st.SearchStrategy[str | bytes]) -> st.SearchStrategy[Pair]:
    return toml.map(lambda text: Pair(text, MINIMAL_MAPPING))


def _mapping_side(mapping: st.SearchStrategy[str | bytes]) -> st.SearchStrategy[Pair]:
    return mapping.map(lambda text: Pair(TEMPLATE_TOML, text))


@dataclass(frozen=True)
class HostileFiles:
    """A kind of hostile pair, and the share of the budget its (costlier) examples get."""

    pairs: st.SearchStrategy[Pair]
    share: float = 1.0


HOSTILE_FILES = {
    "garbled flywheel.toml": HostileFiles(_toml_side(garbled(TEMPLATE_TOML))),
    "garbled mapping.yaml": HostileFiles(
        _mapping_side(st.one_of(garbled(MINIMAL_MAPPING), garbled(TEMPLATE_MAPPING)))
    ),
    "billion laughs in mapping.yaml": HostileFiles(_mapping_side(laughing_mappings()), 0.5),
    "deep flywheel.toml": HostileFiles(_toml_side(deep_documents(toml=True))),
    # Deep block YAML is large (indentation grows with depth) and PyYAML is pure Python.
    "deep mapping.yaml": HostileFiles(_mapping_side(deep_documents(toml=False)), 0.5),
}


def _holds_the_promise(folder: Path) -> Callable[[Pair], None]:
    def check(pair: Pair) -> None:
        config, mapping = write_pair(folder, pair.toml, pair.mapping)
        started = time.monotonic()
        load_cleanly(config, mapping)
        assert time.monotonic() - started < _SLOWEST_LOAD_SECONDS

    return check


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_hostile_files_load_or_fail_with_located_problems(name: str, tmp_path: Path) -> None:
    hostile = HOSTILE_FILES[name]
    budget(EVERY_RUN, hostile.share)(given(hostile.pairs)(_holds_the_promise(tmp_path)))()


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_hostile_files_thoroughly(name: str, tmp_path: Path) -> None:
    hostile = HOSTILE_FILES[name]
    budget(THOROUGH, hostile.share)(given(hostile.pairs)(_holds_the_promise(tmp_path)))()


def test_the_unchanged_starter_files_load() -> None:
    """The base documents are valid, so a problem found in a variant is the variant's."""
    folder = Path("starter")
    config, mapping = write_pair(folder, TEMPLATE_TOML, TEMPLATE_MAPPING)
    assert not isinstance(load_cleanly(config, mapping), ConfigError)
    config, mapping = write_pair(folder, TEMPLATE_TOML, MINIMAL_MAPPING)
    assert not isinstance(load_cleanly(config, mapping), ConfigError)


# ---------------------------------------------------------------- regressions


def problems_of(toml: str | bytes = MINIMAL_TOML, mapping: str | bytes = MINIMAL_MAPPING) -> str:
    """The rendered problems of a pair that must not load (every check of the promise run)."""
    config, mapping_file = write_pair(Path("case"), toml, mapping)
    outcome = load_cleanly(config, mapping_file)
    assert isinstance(outcome, ConfigError)
    return "\n".join(problem.render() for problem in outcome.problems)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        pytest.param(
            MINIMAL_TOML + "timeout_seconds = " + "9" * 5000 + "\n",
            "flywheel.toml:5: (file): a number has more than 4300 digits",
            id="5000-digit integer (was ValueError)",
        ),
        pytest.param(
            "x = " + "[" * 2000 + "]" * 2000 + "\n",
            "flywheel.toml: (file): lists or tables are nested too deeply to read",
            id="deep array (was RecursionError)",
        ),
        pytest.param(
            "x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
            "flywheel.toml: (file): lists or tables are nested too deeply to read",
            id="deep inline table (was RecursionError)",
        ),
        pytest.param(
            MINIMAL_TOML + "[" + ".".join(["jira"] * 20_000) + "]\n",
            "flywheel.toml:5: (file): a dotted key or table name has more than 64 parts",
            id="40 kB table name (took 7 s: tomllib is quadratic in key length)",
        ),
        pytest.param(
            ".".join(["'store'"] * 65) + " = 1\n",
            "flywheel.toml:1: (file): a dotted key or table name has more than 64 parts",
            id="dotted key of quoted parts",
        ),
        pytest.param(
            MINIMAL_TOML.replace("\n", "\r").encode(),
            "flywheel.toml:1: (file): Expected newline or end of document after a statement\n"
            "    hint: the file has carriage returns without line feeds, which TOML refuses: "
            "save it with LF or CRLF line endings",
            id="lone carriage returns (was TOMLDecodeError)",
        ),
        pytest.param(
            b'[store]\nurl = "a\rb"\n',
            "flywheel.toml:2: (file): Illegal character '\\r'\n"
            "    hint: the file has carriage returns without line feeds, which TOML refuses: "
            "save it with LF or CRLF line endings",
            id="carriage return in a string (was TOMLDecodeError)",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + MINIMAL_TOML.encode(),
            "flywheel.toml:1: (file): Invalid statement\n"
            "    hint: the file starts with a byte order mark, which TOML refuses: save it without",
            id="byte order mark",
        ),
        pytest.param(
            MINIMAL_TOML.encode() + b"user = '\xff'\n",
            "flywheel.toml:5: (file): not UTF-8 text: byte 0xff cannot be decoded\n"
            "    hint: save the file as UTF-8",
            id="invalid UTF-8",
        ),
    ],
)
def test_unreadable_toml_is_one_located_problem(toml: str | bytes, expected: str) -> None:
    assert problems_of(toml=toml).endswith(expected)


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        pytest.param(
            "version: " + "9" * 5000 + "\n",
            "mapping.yaml:1: (file): '9999",
            id="5000-digit integer (was ValueError)",
        ),
        pytest.param(
            "organization: {name: x, founded: 2020-13-45}\n",
            "mapping.yaml:1: (file): '2020-13-45' looks like a date or time but is not a valid "
            "date or time\n    hint: put the value in quotes to keep it as text",
            id="impossible date (was ValueError)",
        ),
        pytest.param(
            "push:\n  at: 2001-12-14 21:59:43.10 +99:00\n",
            "mapping.yaml:2: (file): '2001-12-14 21:59:43.10 +99:00' looks like a date or time",
            id="impossible time zone offset (was ValueError with a timedelta repr)",
        ),
        pytest.param(
            "version: 0x_\n",
            "mapping.yaml:1: (file): '0x_' looks like a whole number but is not a valid whole "
            "number",
            id="empty hexadecimal number (was ValueError)",
        ),
        pytest.param(
            "x: " + "[" * 2000 + "]" * 2000 + "\n",
            "mapping.yaml: (file): [ ] and { } are nested more than 32 deep",
            id="deep flow list (was RecursionError)",
        ),
        pytest.param(
            "x: [" + ",".join(["[" * 400 + "]" * 400] * 25) + "]\n",
            "mapping.yaml: (file): [ ] and { } are nested more than 32 deep",
            id="20 kB nested 400 deep (took 4 s: PyYAML is quadratic in flow depth)",
        ),
        pytest.param(
            "x:\n" + "".join("  " * (level + 1) + "a:\n" for level in range(600)),
            "mapping.yaml: (file): lists or tables are nested too deeply to read",
            id="deep block mapping (was RecursionError)",
        ),
        pytest.param(
            "1: a\n~: b\n2024-01-01: c\nyes: d\n",
            "mapping.yaml:1: 1: unknown key\n    hint: valid keys here: customers,",
            id="keys that are not names (was AttributeError in pydantic-settings)",
        ),
        pytest.param(
            "version: 1\x00\n",
            "mapping.yaml:1: (file): character U+0000 is not allowed in YAML (special characters "
            "are not allowed)",
            id="NUL byte",
        ),
        pytest.param(
            "organization:\n\tname: x\n",
            "mapping.yaml:2: (file): while scanning for the next token found character '\\t' "
            "that cannot start any token\n    hint: YAML indents with spaces, never tabs",
            id="tab indentation",
        ),
    ],
)
def test_unreadable_yaml_is_located(mapping: str, expected: str) -> None:
    assert expected in problems_of(mapping=mapping)


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting() -> None:
    deep = "[" * 40
    mapping = f"organization: {{name: '{deep}', pmo_name: \"{deep}\"}}  # {deep}\n"
    config, mapping_file = write_pair(Path("case"), MINIMAL_TOML, mapping)

    assert not isinstance(load_cleanly(config, mapping_file), ConfigError)


def test_every_key_that_is_not_a_name_is_reported_where_it_is_written() -> None:
    rendered = problems_of(mapping="version: 1\n1: a\n~: b\n2024-01-01: c\n")

    assert [line.split(": ", 2)[:2] for line in rendered.splitlines()[::2]] == [
        ["case/mapping.yaml:2", "1"],
        ["case/mapping.yaml:3", "~"],
        ["case/mapping.yaml:4", "2024-01-01"],
    ]


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    config, mapping = write_pair(tmp_path, MINIMAL_TOML, MINIMAL_MAPPING)
    with mapping.open("r+b") as sparse:
        sparse.truncate(LARGEST_FILE + 1)  # a hole: no disk, no time

    outcome = load_cleanly(config, mapping)

    assert isinstance(outcome, ConfigError)
    assert [p.render() for p in outcome.problems] == [
        f"{mapping}: (file): the file is {LARGEST_FILE + 1:,} bytes, too large for a "
        f"configuration file (at most {LARGEST_FILE:,})"
    ]


def test_a_billion_laughs_costs_neither_time_nor_memory() -> None:
    levels = ['l0: &l0 ["lol"]'] + [
        f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 10)
    ]
    bomb = "\n".join(levels) + "\ncustomers: [*l9, *l9]\nrules: *l9\n"  # 10^10 nominal "lol"s

    tracemalloc.start()
    started = time.monotonic()
    try:
        rendered = problems_of(mapping=bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert time.monotonic() - started < _SLOWEST_LOAD_SECONDS
    assert peak < 50 * 1024 * 1024
    assert "customers[0]: Input should be a valid dictionary" in rendered


def test_a_megabyte_value_is_shown_shortened_with_its_explanation() -> None:
    rendered = problems_of(toml=MINIMAL_TOML.replace("https://northwind", "ftp://" + "x" * 10**6))

    assert "characters left out" in rendered
    assert rendered.endswith(
        "' is not a valid URL: expected http:// or https:// and a host name, "
        "e.g. https://your-domain.atlassian.net"
    )
    assert len(rendered) < 1_000
