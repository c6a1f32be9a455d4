"""Key paths are found on the right line of TOML and YAML files."""

from __future__ import annotations

import pytest

from flywheel_sync.settings.locations import toml_line, yaml_line

TOML = """\
mapping = "m.yaml"

[jira.pmo]
url = "x"
"user" = "u"

[[jobs]]
name = "a"

[[jobs]]
name = "b"
cron = "* * * * *"
"""

YAML = """\
rules:
  - name: a
    source: jira:pmo
  - name: b
    flywheel_stage:
      field: Stage
"""


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("mapping",), 1),
        (("jira", "pmo"), 3),
        (("jira", "pmo", "url"), 4),
        (("jira", "pmo", "user"), 5),
        (("jira", "pmo", "missing"), 3),
        (("jobs", 0, "name"), 8),
        (("jobs", 1), 10),
        (("jobs", 1, "cron"), 12),
        (("nowhere", "at_all"), None),
    ],
)
def test_toml_line(loc: tuple[str | int, ...], line: int | None) -> None:
    assert toml_line(TOML, loc) == line


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("rules",), 1),
        (("rules", 0), 2),
        (("rules", 0, "source"), 3),
        (("rules", 1, "flywheel_stage", "field"), 6),
        (("rules", 1, "missing"), 4),
        (("rules", 7), 1),
    ],
)
def test_yaml_line(loc: tuple[str | int, ...], line: int | None) -> None:
    assert yaml_line(YAML, loc) == line


def test_yaml_line_of_unparsable_text_is_unknown() -> None:
    assert yaml_line("a: [", ("a",)) is None
