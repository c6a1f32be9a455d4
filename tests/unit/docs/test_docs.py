"""The guides in docs/ stay true: their links lead somewhere, their commands exist.

Two checks over every ``docs/*.md``:

- every relative link (``[text](path)``, ``[text](path#anchor)``, ``[text](#anchor)``) points
  at a file of the repository, and an anchor at a heading of that file;
- every ``flywheel-sync …`` written in code (inline code or a code block) names a command of
  the Typer application, and every option after it is an option of that command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from flywheel_sync.cli.main import app
from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))

UPCOMING_COMMANDS: frozenset[str] = frozenset()
"""Commands the guides may name before they are registered in the application.

While a command is being built, list its name here so the guides can describe it; remove it
as soon as the command is registered (a test below fails until you do), so the guides' uses of
it are checked like any other command's. ``serve``, ``runs``, ``report`` and ``demo`` were
listed while issue 7 built them, and are registered now.
"""

_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_INVOCATION = re.compile(
    # At the start of a line or code span (after an optional "$ " prompt), after a path's "/"
    # (.venv/bin/flywheel-sync), or after "&& " or "| "; never in the middle of a sentence
    # (an error message quoting "… newer than this flywheel-sync knows").
    r"(?:^[ \t]*(?:\$[ \t]+)?|(?<=/)|(?<=&& )|(?<=\| ))"
    r"flywheel-sync(?=[ \t]|$)(?P<rest>[^\n`]*)",
    re.MULTILINE,
)
_SHELL_STOP = frozenset({"|", "||", "&&", ";", ">", ">>", "2>&1", "&", "#", "\\"})
_EXTERNAL = ("http://", "https://", "mailto:")


# -- reading the pages ---------------------------------------------------------------------


def prose(markdown: str) -> str:
    """The text outside code blocks and inline code: where links are links."""
    return _INLINE_CODE.sub("", _FENCE.sub("", markdown))


def code(markdown: str) -> Iterator[str]:
    """Every code block's content and every inline code span."""
    for block in _FENCE.finditer(markdown):
        yield block.group(0)
    for span in _INLINE_CODE.finditer(_FENCE.sub("", markdown)):
        yield span.group(2)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of a page's headings, numbered as GitHub numbers repeats."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(_FENCE.sub("", markdown)):
        base = github_anchor(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


@dataclass(frozen=True)
class Invocation:
    """``flywheel-sync`` and the words after it, as a page wrote them."""

    page: str
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: flywheel-sync {' '.join(self.words)}".rstrip()


def invocations(page: Path) -> Iterator[Invocation]:
    for snippet in code(page.read_text(encoding="utf-8")):
        for found in _INVOCATION.finditer(snippet):
            words: list[str] = []
            for word in found.group("rest").split():
                if word in _SHELL_STOP or word.startswith("#"):
                    break
                words.append(word)
            yield Invocation(page=page.name, words=tuple(words))


# -- checking a command line ------------------------------------------------------------
#
# Typer vendors its own copy of click (``typer._click``), so commands are read by the
# attributes every click command has (``name``, ``params``, a group's ``commands``), never by
# class.

Command = Any
_HELP = frozenset({"-h", "--help"})


def _options(command: Command) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for parameter in command.params:
        for name in (*parameter.opts, *parameter.secondary_opts):
            if name.startswith("-"):
                names[name] = parameter
    return names


def _takes_value(parameter: Any) -> bool:
    is_option = getattr(parameter, "param_type_name", "") == "option"
    return is_option and not (parameter.is_flag or parameter.count)


def _option_name(word: str) -> str:
    name = word.split("=", 1)[0]
    if re.fullmatch(r"-([a-zA-Z])\1+", name):  # -vv is -v twice
        return name[:2]
    return name


def problems_with(invocation: Invocation, root: Command) -> list[str]:
    """What is wrong with one command line, if anything."""
    words = list(invocation.words)
    command, options = root, _options(root)
    position = 0
    while position < len(words):
        word = words[position]
        if word.startswith("-") and len(word) > 1:
            name = _option_name(word)
            if name in _HELP:
                return []
            parameter = options.get(name)
            if parameter is None:
                return [f"{invocation}: {command.name} has no option {word!r}"]
            position += 2 if _takes_value(parameter) and "=" not in word else 1
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            position += 1  # an argument (a path, a ref, a placeholder)
            continue
        if word.startswith("<"):
            return []  # a placeholder for any command
        if command is root and word in UPCOMING_COMMANDS:
            return []
        if word not in subcommands:
            return [f"{invocation}: no command {word!r} in {command.name}"]
        command = subcommands[word]
        options = _options(command)
        position += 1
    return []


@pytest.fixture(scope="module")
def root() -> Command:
    command = typer.main.get_command(app)
    assert getattr(command, "commands", None), "the application has no commands"
    return command


# -- the pages ------------------------------------------------------------------------------


def test_there_are_guides_to_check() -> None:
    names = {page.name for page in PAGES}

    assert {
        "README.md",
        "concepts.md",
        "configuration.md",
        "connecting.md",
        "production.md",
        "troubleshooting.md",
    } <= names


def broken_links(page: Path) -> list[str]:
    """The relative links of ``page`` that lead to no file, or to no heading of it."""
    broken: list[str] = []
    for target in _LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if target.startswith(_EXTERNAL):
            continue
        path_text, _, anchor = target.partition("#")
        path = (page.parent / path_text).resolve() if path_text else page
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif (
            anchor
            and path.suffix == ".md"
            and anchor not in anchors(path.read_text(encoding="utf-8"))
        ):
            broken.append(f"{target}: no heading with anchor #{anchor} in {path.name}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_leads_to_a_file_and_heading(page: Path) -> None:
    broken = broken_links(page)

    assert not broken, f"{page.name}: " + "; ".join(broken)


def test_the_index_lists_every_guide() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for target in _LINK.findall(prose(index))}

    assert {page.name for page in PAGES} - {"README.md"} <= linked


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_command_a_guide_names_exists(page: Path, root: Command) -> None:
    problems = [p for found in invocations(page) for p in problems_with(found, root)]

    assert not problems, "\n".join(problems)


def test_upcoming_commands_are_not_registered_yet(root: Command) -> None:
    registered = UPCOMING_COMMANDS & set(root.commands)

    assert not registered, (
        f"{sorted(registered)} are registered now: remove them from UPCOMING_COMMANDS in "
        "tests/unit/docs/test_docs.py, so the guides' uses of them are checked"
    )


# -- the checks themselves ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("flywheel-sync pull --source jira:pmo --full", None),
        ("flywheel-sync -c my/flywheel.toml --log-format json sync", None),
        ("flywheel-sync -vv config validate", None),
        ("flywheel-sync config reference -o docs/configuration.md", None),
        ("flywheel-sync explain PMO-10 | less", None),
        ("flywheel-sync frobnicate", "no command 'frobnicate'"),
        ("flywheel-sync config frobnicate", "no command 'frobnicate' in config"),
        ("flywheel-sync pull --sources jira:pmo", "pull has no option '--sources'"),
        ("flywheel-sync --colour sync", "flywheel-sync has no option '--colour'"),
    ],
)
def test_a_command_line_is_checked_against_the_application(
    line: str, expected: str | None, root: Command, tmp_path: Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"Run `{line}` to see.\n", encoding="utf-8")

    problems = [p for found in invocations(page) for p in problems_with(found, root)]

    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert expected in problems[0]


def test_commands_are_found_in_code_blocks_but_not_in_prose(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "flywheel-sync reads the tools.\n\n"
        "```bash\n$ flywheel-sync status\nExecStart=/opt/fs/bin/flywheel-sync serve\n"
        "cat /etc/flywheel-sync/flywheel.toml\n```\n"
        "`error: newer than this flywheel-sync knows`\n",
        encoding="utf-8",
    )

    assert [found.words for found in invocations(page)] == [("status",), ("serve",)]


def test_a_link_to_a_missing_file_or_heading_is_broken(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n## A section\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n[ok](other.md#a-section) [ok](#page) [ok](https://example.com/x.md)\n"
        "[gone](missing.md) [no heading](other.md#nothing) [no anchor](#nowhere)\n",
        encoding="utf-8",
    )

    assert broken_links(page) == [
        "missing.md: no such file",
        "other.md#nothing: no heading with anchor #nothing in other.md",
        "#nowhere: no heading with anchor #nowhere in page.md",
    ]


def test_links_inside_code_are_not_links() -> None:
    markdown = "See [the guide](missing.md).\n\n```\n[not a link](nowhere.md)\n```\n`[x](y.md)`"

    assert _LINK.findall(prose(markdown)) == ["missing.md"]


def test_anchors_follow_github() -> None:
    markdown = "# Top\n## `[jira.<name>]`\n## Jira refused the write (HTTP 403)\n## Top\n"

    assert anchors(markdown) == {"top", "jiraname", "jira-refused-the-write-http-403", "top-1"}
