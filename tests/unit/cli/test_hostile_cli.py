"""``flywheel-sync config validate`` on hostile files and arguments: exit 0 or 2, never a crash.

The settings tests hold the loader to its promise; these hold the command line to its own:
what reaches the user is a summary (exit 0) or ``error: ...`` (exit 2), never "unexpected
error" and never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.settings.builders import MINIMAL_MAPPING, MINIMAL_TOML
from tests.unit.settings.hostile import (
    EVERY_RUN,
    TEMPLATE_TOML,
    THOROUGH,
    assert_clean_exit,
    budget,
    garbled,
    validate_on_the_command_line,
    write_pair,
)

# Each example runs the whole command (~0.1 s): half the budget of a loader property.
_SHARE = 0.5

_FILES = st.one_of(
    st.tuples(garbled(TEMPLATE_TOML), st.just(MINIMAL_MAPPING.encode())),
    st.tuples(st.just(MINIMAL_TOML.encode()), garbled(MINIMAL_MAPPING)),
)


def _validates_cleanly(folder: Path) -> Callable[[tuple[bytes, bytes]], None]:
    def check(files: tuple[bytes, bytes]) -> None:
        config, _ = write_pair(folder, *files)
        assert_clean_exit(validate_on_the_command_line(config))

    return check


def test_hostile_files_exit_0_or_2(tmp_path: Path) -> None:
    budget(EVERY_RUN, _SHARE)(given(_FILES)(_validates_cleanly(tmp_path)))()


@pytest.mark.slow
def test_hostile_files_exit_0_or_2_thoroughly(tmp_path: Path) -> None:
    budget(THOROUGH, _SHARE)(given(_FILES)(_validates_cleanly(tmp_path)))()


_PATHS = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300),
    st.sampled_from(["", ".", "/", "/dev/null", "/dev/zero", "/proc/self/mem", "a" * 5000]),
)


@budget(EVERY_RUN, _SHARE)
@given(_PATHS)
def test_any_config_path_is_found_or_reported(path: str) -> None:
    outcome = validate_on_the_command_line(Path(path))

    assert_clean_exit(outcome)
    assert outcome.code == 2


# ---------------------------------------------------------------- regressions


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        pytest.param("a" * 5000, "File name too long", id="name too long (was OSError)"),
        pytest.param("\udcff", "no such file", id="undecodable byte from argv"),
    ],
)
def test_a_config_path_the_system_refuses_is_a_usage_error(path: str, reason: str) -> None:
    outcome = validate_on_the_command_line(Path(path))

    assert_clean_exit(outcome)
    assert outcome.code == 2
    assert f"(from -c/--config): {reason}" in outcome.err


def test_a_config_path_with_a_nul_byte_is_refused_by_the_option_parser() -> None:
    outcome = validate_on_the_command_line(Path("a\0b"))

    assert_clean_exit(outcome)
    assert outcome.code == 2
    assert "Invalid value for '-c' / '--config'" in outcome.err


def test_a_config_variable_the_system_refuses_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLYWHEEL_CONFIG", "b" * 5000)
    from flywheel_sync.settings import ConfigNotFoundError, find_config

    with pytest.raises(ConfigNotFoundError) as raised:
        find_config(None)

    assert "(from $FLYWHEEL_CONFIG): File name too long" in str(raised.value)


def test_a_mapping_name_the_system_refuses_exits_2(tmp_path: Path) -> None:
    config, _ = write_pair(tmp_path, f'mapping = "{"m" * 5000}"\n' + MINIMAL_TOML, MINIMAL_MAPPING)

    outcome = validate_on_the_command_line(config)

    assert_clean_exit(outcome)
    assert outcome.code == 2
    assert "(file): File name too long" in outcome.err
