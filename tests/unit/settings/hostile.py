"""Hostile configuration files for property-based tests, and the promise they are held to.

The promise (issue 8): whatever bytes ``flywheel.toml`` and ``mapping.yaml`` hold, loading
either returns or raises ``ConfigError`` whose message locates every problem in plain words,
and ``flywheel-sync config validate`` exits 0 or 2, never with "unexpected error".

Documents come from the real starter files (``flywheel_sync/templates``), garbled as bytes,
or parsed and changed one value at a time, then written back with ``toml_document`` or
``yaml.safe_dump``. Budgets are hypothesis profiles: ``hostile-config`` (100 examples a
property) for every run, ``hostile-config-thorough`` behind the ``slow`` marker (150, or
``$HOSTILE_CONFIG_EXAMPLES``). Both are derandomized and keep no example database, so a CI
failure replays the same way on a laptop.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from flywheel_sync.cli.main import run
from flywheel_sync.settings import ConfigError, Configuration, load_configuration
from flywheel_sync.settings.problems import MAX_LISTED

TEMPLATES = Path(__file__).resolve().parents[3] / "flywheel_sync" / "templates"
TEMPLATE_TOML = (TEMPLATES / "flywheel.toml").read_text(encoding="utf-8")
TEMPLATE_MAPPING = (TEMPLATES / "mapping.yaml").read_text(encoding="utf-8")

settings.register_profile(
    "hostile-config",
    max_examples=100,
    deadline=None,  # the first example pays for imports; time is bounded by the test instead
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "hostile-config-thorough",
    parent=settings.get_profile("hostile-config"),
    # Small by default, because `make test` runs the slow tests too; CI raises it at night.
    max_examples=int(os.environ.get("HOSTILE_CONFIG_EXAMPLES", "150")),
)
EVERY_RUN = settings.get_profile("hostile-config")
THOROUGH = settings.get_profile("hostile-config-thorough")


def budget(profile: settings, share: float) -> settings:
    """``profile`` with a share of its examples, for properties whose examples cost more."""
    return settings(profile, max_examples=max(1, round(profile.max_examples * share)))


Loc = tuple[str | int, ...]
Tree = dict[str, Any]

# ---------------------------------------------------------------- the promise


_NOISE = (
    "Traceback",
    "<class",
    "object at 0x",
    "<unicode string>",
    "set_int_max_str_digits",
    "ValidationError",
    "pydantic",
    "datetime.",
)
_LONGEST_LINE = 1_500


def assert_readable(error: ConfigError, *files: Path) -> None:
    """``error`` lists located problems in plain, printable, bounded text."""
    text = str(error)
    count = len(error.problems)
    assert count > 0, "a ConfigError without problems tells the user nothing"
    assert text.startswith(f"{count} configuration problem"), text[:200]
    for noise in _NOISE:
        assert noise not in text, f"{noise!r} in:\n{text[:2000]}"
    lines = text.split("\n")
    assert len(lines) <= 2 * MAX_LISTED + 2
    for line in lines:
        assert line.isprintable(), f"unprintable character in {line[:300]!r}"
        assert len(line) <= _LONGEST_LINE, f"a line of {len(line)} characters"
    origins = {str(file) for file in files}
    for problem in error.problems:
        # A whole-file problem may name another file: the mapping flywheel.toml points at.
        assert (
            problem.origin in origins
            or problem.origin.startswith("environment variable")
            or problem.key_path == "(file)"
        ), problem.origin[:300]
        assert problem.key_path, problem
        assert problem.message.strip(), problem


def load_cleanly(config: Path, mapping: Path) -> Configuration | ConfigError:
    """Load, asserting the outcome keeps the promise; the error is returned, not raised."""
    try:
        return load_configuration(config)
    except ConfigError as error:
        assert_readable(error, config, mapping)
        return error


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """How the command line ended: its exit code and what it printed."""

    code: int
    out: str
    err: str


def validate_on_the_command_line(config: Path) -> Outcome:
    """``flywheel-sync -c CONFIG config validate``, in-process, output captured."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run(["-c", str(config), "config", "validate"])
        except SystemExit as done:
            code = done.code
    return Outcome(
        code=code if isinstance(code, int) else 0, out=out.getvalue(), err=err.getvalue()
    )


def assert_clean_exit(outcome: Outcome) -> None:
    """Exit 0 with a summary, or 2 with an ``error:`` or usage message; never a crash report."""
    printed = outcome.out + outcome.err
    assert "unexpected error" not in printed, printed[:2000]
    assert "Traceback" not in printed, printed[:2000]
    assert outcome.code in {0, 2}, (outcome.code, printed[:2000])
    if outcome.code == 0:
        assert "are valid" in outcome.out
    else:
        assert outcome.err.startswith(("error: ", "Usage: ")), outcome.err[:2000]


def write_pair(folder: Path, toml: str | bytes, mapping: str | bytes) -> tuple[Path, Path]:
    """Write ``flywheel.toml`` and ``mapping.yaml`` (text as UTF-8, bytes as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    config, mapping_file = folder / "flywheel.toml", folder / "mapping.yaml"
    for path, content in ((config, toml), (mapping_file, mapping)):
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return config, mapping_file


# ---------------------------------------------------------------- garbled bytes

_SYNTAX = "[]{}\"'=:,.#&*!|>-?%@`\\ \t\n\r\x00\ufeff\u2028\x85\x1b"
_JUNK = st.text(
    alphabet=st.one_of(st.sampled_from(_SYNTAX), st.characters(codec="utf-8")), max_size=12
).map(lambda text: text.encode("utf-8"))


@st.composite
def _truncated(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


@st.composite
def _spliced(draw: st.DrawFn, data: bytes) -> bytes:
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 40)))
    return data[:start] + draw(_JUNK) + data[end:]


@st.composite
def _byte_flipped(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]


@st.composite
def _line_repeated(draw: st.DrawFn, data: bytes) -> bytes:
    """A key or table header given twice: duplicate keys."""
    lines = data.split(b"\n")
    at = draw(st.integers(0, len(lines) - 1))
    return b"\n".join([*lines[: at + 1], *lines[at:]])


@st.composite
def _prefixed(draw: st.DrawFn, data: bytes) -> bytes:
    return draw(st.sampled_from([b"\xef\xbb\xbf", b"\x00", b"\t", b"\xff\xfe", b"["])) + data


@st.composite
def _reformatted(draw: st.DrawFn, data: bytes) -> bytes:
    """Lone-CR line ends, or tab indentation."""
    old, new = draw(st.sampled_from([(b"\n", b"\r"), (b"\n", b"\r\n"), (b"  ", b"\t")]))
    return data.replace(old, new)


_GARBLINGS: tuple[Callable[[bytes], st.SearchStrategy[bytes]], ...] = (
    _truncated,
    _spliced,
    _byte_flipped,
    _line_repeated,
    _prefixed,
    _reformatted,
)


@st.composite
def garbled(draw: st.DrawFn, base: str) -> bytes:
    """``base`` changed by one to three garblings, or noise that never was a file."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.binary(max_size=500), st.text(max_size=500).map(str.encode)))
    data = base.encode("utf-8")
    for garbling in draw(st.lists(st.sampled_from(_GARBLINGS), min_size=1, max_size=3)):
        data = draw(garbling(data))
    return data


# ---------------------------------------------------------------- wrong values at key paths

HUGE_INT = 10**4000  # near Python's 4,300-digit limit for int() from text
LONG_TEXT = "x" * 10_000
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "\u202eevil",  # right-to-left override
    "e\u0301\u0301\u0301",  # stacked combining accents
    "\u200b\ufeff",  # zero-width characters
    "😀👍🏽",
    "~nobody-here/secret",
    "../../../etc/passwd",
    "a" * 300,
    "http://[::1",
    "* * * * * *",
    "(?P<value>" * 50,
]
_SPECIAL_VALUES: list[Any] = [
    None,
    [],
    {},
    [None],
    {"": None},
    [[[]]],
    True,
    False,
    0,
    -1,
    HUGE_INT,
    -HUGE_INT,
    2**63,
    -(2**63) - 1,
    1e308,
    -1e308,
    5e-324,
    math.nan,
    math.inf,
    -math.inf,
    LONG_TEXT,
    dt.date(1, 1, 1),
    dt.datetime(9999, 12, 31, 23, 59, 59),  # noqa: DTZ001 - a naive date-time is a TOML value
    *ODD_TEXT,
]


def hostile_values() -> st.SearchStrategy[Any]:
    """Wrong types, extreme numbers and odd text, each alone or wrapped once in a container."""
    scalar = st.one_of(
        st.sampled_from(_SPECIAL_VALUES),
        st.integers(),
        st.floats(),
        st.text(max_size=30),
        st.booleans(),
    )
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=3),
        st.dictionaries(st.text(max_size=8), scalar, max_size=3),
    )


def hostile_keys() -> st.SearchStrategy[str]:
    """A key no model defines: near misses, odd characters, huge."""
    return st.one_of(st.sampled_from(["", " ", "Url", "url ", "tokn", "a" * 5000]), st.text())


def key_paths(tree: Any, prefix: Loc = ()) -> Iterator[Loc]:
    """Every key path in a parsed document, parents before children."""
    children: Any = (
        tree.items()
        if isinstance(tree, dict)
        else enumerate(tree)
        if isinstance(tree, list)
        else ()
    )
    for key, value in children:
        path = (*prefix, key)
        yield path
        yield from key_paths(value, path)


def _parent(tree: Any, loc: Loc) -> Any:
    for part in loc[:-1]:
        tree = tree[part]
    return tree


@dataclass(frozen=True, kw_only=True)
class Change:
    """One change to a parsed document: replace, remove or rename the value at ``loc``."""

    loc: Loc
    kind: str
    value: Any = None

    def applied_to(self, tree: Tree) -> Tree:
        """A changed deep copy of ``tree``."""
        changed = copy.deepcopy(tree)
        parent, last = _parent(changed, self.loc), self.loc[-1]
        if self.kind == "replace":
            parent[last] = self.value
        elif self.kind == "remove":
            del parent[last]
        elif isinstance(parent, dict):  # rename keeps the value under another key
            parent[self.value] = parent.pop(last)
        return changed


@st.composite
def changes(draw: st.DrawFn, tree: Tree) -> Change:
    """Replace one value with a hostile one, remove it, or move it under an unknown key."""
    loc = draw(st.sampled_from(list(key_paths(tree))))
    kinds = ["replace", "replace", "replace", "remove"]
    if isinstance(_parent(tree, loc), dict):
        kinds.append("rename")
    kind = draw(st.sampled_from(kinds))
    value = draw(hostile_keys() if kind == "rename" else hostile_values())
    return Change(loc=loc, kind=kind, value=value)


# ---------------------------------------------------------------- writing documents back

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_char(char: str) -> str:
    if char in '"\\' or ord(char) < 0x20 or char == "\x7f":
        return f"\\u{ord(char):04x}"
    return char


def _toml_string(text: str) -> str:
    return '"' + "".join(map(_toml_char, text)) + '"'


def _toml_key(key: object) -> str:
    text = str(key)
    return text if _BARE_KEY.match(text) else _toml_string(text)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value if item is not None) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(lines: list[str], path: tuple[str, ...], table: Tree) -> None:
    for key, value in table.items():
        if value is not None and not isinstance(value, dict) and not _is_table_array(value):
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        inner = (*path, _toml_key(key))
        if isinstance(value, dict):
            lines.append(f"[{'.'.join(inner)}]")
            _toml_table(lines, inner, value)
        elif _is_table_array(value):
            for item in value:
                lines.append(f"[[{'.'.join(inner)}]]")
                _toml_table(lines, inner, item)


def toml_document(tree: Tree) -> str:
    """``tree`` as TOML with table headers, as people write it (TOML has no null: dropped)."""
    lines: list[str] = []
    _toml_table(lines, (), tree)
    return "\n".join(lines) + "\n"


def yaml_document(tree: Tree) -> str:
    """``tree`` as block YAML; shared or self-containing values become anchors and aliases."""
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------- bombs and deep nesting


@st.composite
def laughs(draw: st.DrawFn) -> str:
    """A "billion laughs": each level repeats the previous one ``width`` times, by alias."""
    width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    flow = draw(st.booleans())
    lines = ['l0: &l0 ["lol"]']
    for level in range(1, depth + 1):
        refs = [f"*l{level - 1}"] * width
        if flow:
            lines.append(f"l{level}: &l{level} [{', '.join(refs)}]")
        else:
            keys = ", ".join(f"k{index}: {ref}" for index, ref in enumerate(refs))
            lines.append(f"l{level}: &l{level} {{{keys}}}")
    return "\n".join(lines) + "\n"


_BOMB_SITES = (
    "customers: {bomb}\n",
    "services:\n  - {{id: s, name: S, kpi_ids: {bomb}}}\n",
    "organization: {bomb}\n",
    "kpis:\n  - {{id: k, name: K, unit: u, direction: higher_is_better,\n"
    "     custom: {{aggregation: count, rules: [r], where: {bomb}}}}}\n",
    "rules:\n  - {{name: r, source: 'jira:pmo', produces: work_item, attributes: {bomb}}}\n",
    "flywheel: {{stall_after_days_by_stage: {bomb}}}\n",
    "diagnosis: {{missed_deadlines: {{threshold: 1, prescribes: {bomb}}}}}\n",
)


@st.composite
def laughing_mappings(draw: st.DrawFn) -> str:
    """A mapping whose bomb is defined up front and then used where the models look."""
    bomb = draw(laughs())
    top = bomb.count("\n") - 1
    site = draw(st.sampled_from(_BOMB_SITES))
    # The bomb's own keys are unknown top-level keys: errors too, each reported once.
    return bomb + site.format(bomb=f"*l{top}")


@st.composite
def deep_documents(draw: st.DrawFn, *, toml: bool) -> str:
    """Lists or tables nested 1 to 5,000 deep: past Python's recursion limit at the top."""
    depth = draw(st.one_of(st.integers(1, 60), st.integers(60, 5_000)))
    if toml:
        shape = draw(st.sampled_from(["array", "inline", "header", "dotted"]))
        nested = {
            "array": "x = " + "[" * depth + "]" * depth,
            "inline": "x = " + "{a = " * depth + "1" + "}" * depth,
            "header": "[" + ".".join(["jira"] * depth) + "]\nurl = 'x'",
            "dotted": ".".join(["store"] * depth) + " = 1",
        }[shape]
        return nested + "\n"
    shape = draw(st.sampled_from(["flow list", "flow map", "block map", "block list"]))
    site = draw(st.sampled_from(["x: ", "customers: ", "organization:\n  baseline: "]))
    depth = min(depth, 250) if shape.startswith("block") else depth  # size grows as depth²
    nested = {
        "flow list": "[" * depth + "]" * depth,
        "flow map": "{a: " * depth + "1" + "}" * depth,
        "block map": "\n" + "".join("  " * (level + 2) + "a:\n" for level in range(depth)),
        "block list": "\n" + "".join("  " * (level + 2) + "-\n" for level in range(depth)),
    }[shape]
    return site + nested + "\n"
