"""The configuration reference: generated from the schemas, complete, and committed as is."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from flywheel_sync.cli.main import run
from flywheel_sync.settings import FlywheelSettings, MappingFile
from flywheel_sync.settings.reference import (
    REGENERATE,
    ConfigFile,
    Syntax,
    configuration_reference,
    render_reference,
)
from flywheel_sync.settings.reference_walk import SchemaWalk
from tests.conftest import REPO_ROOT

DOCS_REFERENCE = REPO_ROOT / "docs" / "configuration.md"

# -- reading the page back --------------------------------------------------------------


def tables(markdown: str) -> dict[str, dict[str, dict[str, str]]]:
    """Each ``###`` section's table: heading → key → column → cell."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for block in markdown.split("\n### ")[1:]:
        heading, _, body = block.partition("\n")
        lines = [line for line in body.splitlines() if line.startswith("| ")]
        rows: dict[str, dict[str, str]] = {}
        if lines:
            columns = _cells(lines[0])
            for line in lines[1:]:
                cells = dict(zip(columns, _cells(line), strict=True))
                rows[cells["Key"].strip("`")] = cells
        found[heading] = rows
    return found


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def headings(markdown: str) -> list[str]:
    return [line[4:] for line in markdown.splitlines() if line.startswith("### ")]


# -- small models standing for real settings ----------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Flavour(StrEnum):
    """Which deployment answers."""

    CLOUD = "cloud"
    DATACENTER = "datacenter"


class Site(Strict):
    """A site we talk to."""

    url: str = Field(description="Base URL, e.g. https://x.example.")
    flavour: Flavour = Flavour.CLOUD
    token: SecretStr | None = Field(default=None, description="Token for `<tool>:<name>`.")
    token_file: Path | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    retries: int = Field(default=5, ge=0, le=10)


class Store(Strict):
    """Where state is kept."""

    url: str | None = None
    token: SecretStr | None = None


class Value(Strict):
    """Where one value comes from.

    Exactly one of ``field`` or ``constant``.

    Examples::

        {field: status}
        {constant: "x|y"}
    """

    field: str | None = None
    constant: str | None = None


class Job(Strict):
    """One job."""

    name: str = Field(pattern=r"^[a-z]+$")
    cron: str = Field(description="Crontab, e.g. '*/15 * * * *'.")


class Pull(Strict):
    """Reads the tools."""

    kind: Literal["pull"] = "pull"
    full: bool = False


class Push(Strict):
    """Writes the tools."""

    kind: Literal["push"]
    targets: tuple[str, ...] = Field(min_length=1)


class Demo(Strict):
    """Everything in demo.toml."""

    version: int = Field(default=1, ge=1, le=1)
    level: str = Field(default="info", pattern=r"^(debug|info)$")
    store: Store | None = None
    sites: dict[Annotated[str, Field(pattern=r"^[a-z]+$")], Site] = Field(default_factory=dict)
    jobs: tuple[Job, ...] = ()
    step: Annotated[Pull | Push, Field(discriminator="kind")]
    title: Value | None = None
    owner: Value | None = None
    attributes: dict[str, Value] = Field(default_factory=dict)


def render(syntax: Syntax = Syntax.TOML, *, env_prefix: str | None = "DEMO_") -> str:
    schema = Demo.model_json_schema()
    return render_reference(
        [
            ConfigFile(
                name="demo.toml",
                schema=schema,
                syntax=syntax,
                intro="The demo.",
                env_prefix=env_prefix,
            )
        ]
    )


# -- the committed page ------------------------------------------------------------------


def test_the_committed_reference_is_what_the_models_generate() -> None:
    committed = DOCS_REFERENCE.read_text(encoding="utf-8") if DOCS_REFERENCE.exists() else ""

    assert committed == configuration_reference(), (
        f"docs/configuration.md is stale: run `{REGENERATE}` (or `make schema`)"
    )


def test_the_reference_is_deterministic() -> None:
    assert configuration_reference() == configuration_reference()
    assert render() == render()


# -- sections and key paths --------------------------------------------------------------


def test_sections_are_headed_by_key_paths_as_each_syntax_writes_them() -> None:
    toml = headings(render(Syntax.TOML))
    yaml = headings(render(Syntax.YAML))

    assert toml[:3] == ["demo.toml: top-level keys", "`[store]`", "`[sites.<name>]`"]
    assert "`[[jobs]]`" in toml
    assert "`jobs[]`" in yaml
    assert "`sites.<name>`" in yaml


def test_a_union_of_objects_gets_one_section_per_member_named_by_its_discriminator() -> None:
    page = tables(render())

    assert page['`[step]` (kind = "pull")']["full"]["Default"] == "`false`"
    assert page['`[step]` (kind = "push")']["kind"]["Type"] == '`"push"`; **required**'
    link = page["demo.toml: top-level keys"]["step"]["Type"]
    assert link.startswith('table, see [`[step]` (kind = "pull")](#step-kind--pull)')
    assert "(#step-kind--push)" in link


def test_a_definition_several_keys_share_is_described_once_and_linked() -> None:
    markdown = render(Syntax.YAML, env_prefix=None)
    page = tables(markdown)

    assert headings(markdown).count("Value") == 1
    assert "The value of `title`, `owner`, `attributes.<name>`." in markdown
    top = page["demo.toml: top-level keys"]
    assert top["owner"]["Type"] == "mapping, see [Value](#value)"
    assert top["attributes"]["Type"] == "mappings by name, see [Value](#value)"


def test_a_docstring_example_block_becomes_a_code_block() -> None:
    markdown = render(Syntax.YAML, env_prefix=None)

    assert 'Examples:\n\n```\n{field: status}\n{constant: "x|y"}\n```' in markdown


# -- the cells of a key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "column", "cell"),
    [
        ("`[sites.<name>]`", "url", "Type", "string; **required**"),
        ("`[sites.<name>]`", "url", "Default", "—"),
        ("`[sites.<name>]`", "flavour", "Type", '`"cloud"` or `"datacenter"`'),
        ("`[sites.<name>]`", "flavour", "Description", "Which deployment answers."),
        ("`[sites.<name>]`", "token", "Type", "string; **secret**"),
        ("`[sites.<name>]`", "token", "Default", "unset"),
        ("`[sites.<name>]`", "timeout_seconds", "Type", "number, > 0 and ≤ 600"),
        ("`[sites.<name>]`", "retries", "Type", "integer, 0 to 10"),
        ("`[sites.<name>]`", "retries", "Default", "`5`"),
        ("demo.toml: top-level keys", "version", "Type", "integer, exactly 1"),
        ("demo.toml: top-level keys", "level", "Type", r"string, matching `^(debug\|info)$`"),
        ("demo.toml: top-level keys", "sites", "Default", "empty"),
        ("demo.toml: top-level keys", "jobs", "Default", "`[]`"),
        (
            '`[step]` (kind = "push")',
            "targets",
            "Type",
            "array of strings, not empty; **required**",
        ),
    ],
)
def test_each_key_shows_its_type_range_flags_and_default(
    section: str, key: str, column: str, cell: str
) -> None:
    assert tables(render())[section][key][column] == cell


@pytest.mark.parametrize(
    ("section", "key", "variable"),
    [
        ("demo.toml: top-level keys", "level", "`DEMO_LEVEL`"),
        ("demo.toml: top-level keys", "store", "`DEMO_STORE__<KEY>`"),
        ("demo.toml: top-level keys", "sites", "`DEMO_SITES__<NAME>__<KEY>`"),
        ("demo.toml: top-level keys", "jobs", "`DEMO_JOBS` (the whole array, as JSON)"),
        ("`[store]`", "token", "`DEMO_STORE__TOKEN`"),
        ("`[sites.<name>]`", "token", "`DEMO_SITES__<NAME>__TOKEN`"),
        ("`[[jobs]]`", "name", "only within `DEMO_JOBS`"),
    ],
)
def test_each_key_names_the_environment_variable_that_overrides_it(
    section: str, key: str, variable: str
) -> None:
    assert tables(render())[section][key]["Environment variable"] == variable


def test_a_file_without_environment_overrides_has_no_such_column() -> None:
    markdown = render(Syntax.YAML, env_prefix=None)

    assert "Environment variable" not in markdown
    assert "DEMO_" not in markdown


def test_descriptions_render_as_written_in_markdown() -> None:
    page = tables(render())

    assert page["`[sites.<name>]`"]["token"]["Description"] == "Token for `<tool>:<name>`."
    assert page["`[[jobs]]`"]["cron"]["Description"] == r"Crontab, e.g. '\*/15 \* \* \* \*'."
    assert page["`[sites.<name>]`"]["token_file"]["Description"].startswith(
        "A file whose content is the secret `token`"
    )


def test_a_named_entry_says_what_names_are_allowed() -> None:
    assert "`<name>` is a name you choose, matching `^[a-z]+$`." in render()


def test_every_link_within_the_page_leads_to_a_heading() -> None:
    for markdown in (render(), render(Syntax.YAML), configuration_reference()):
        anchors = {_github_anchor(h) for h in re.findall(r"^#+ (.+)$", markdown, re.M)}
        links = set(re.findall(r"\]\(#([^)]+)\)", markdown))

        assert links, "expected links between sections"
        assert links <= anchors, f"dangling links: {sorted(links - anchors)}"


def _github_anchor(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


# -- the real files -----------------------------------------------------------------------


@pytest.mark.parametrize("model", [FlywheelSettings, MappingFile])
def test_every_key_of_both_files_has_a_row(model: type[BaseModel]) -> None:
    reference = tables(configuration_reference())
    rows = {key for section in reference.values() for key in section}
    walk = SchemaWalk(
        ConfigFile(name="x", schema=model.model_json_schema(), syntax=Syntax.YAML, intro="")
    )
    keys = {key for section in walk.sections for key in section.schema.get("properties", {})}

    assert keys
    assert keys <= rows


def test_the_real_reference_flags_secrets_and_their_variables() -> None:
    jira = tables(configuration_reference())["`[jira.<name>]`"]

    assert jira["token"]["Type"] == "string; **secret**"
    assert jira["token"]["Environment variable"] == "`FLYWHEEL_JIRA__<NAME>__TOKEN`"
    assert jira["url"]["Type"] == "string; **required**"


# -- the command --------------------------------------------------------------------------


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    code = done.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().out


def test_config_reference_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = invoke(capsys, "config", "reference")

    assert code == 0
    assert out == configuration_reference()


def test_config_reference_writes_the_file_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "docs" / "configuration.md"

    code, out = invoke(capsys, "config", "reference", "-o", str(target))

    assert code == 0
    assert target.read_text(encoding="utf-8") == configuration_reference()
    assert f"wrote {target}" in out
