"""Reads a configuration file exactly as pydantic-settings will, before any key is looked at.

Whatever bytes a file holds, this ends in parsed data or a located `ConfigProblem`: invalid
UTF-8, a lone carriage return in TOML, a 5,000-digit number, an impossible date, nesting past
Python's recursion limit, keys that are not names, or a file of gigabytes become a message with
a line, never a traceback. Some limits are checked before parsing because the parsers slow
with the square of what they guard (dotted TOML keys, YAML flow nesting).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from flywheel_sync.settings.explain import valid_keys_at
from flywheel_sync.settings.locations import read_text
from flywheel_sync.settings.mapping import MappingFile
from flywheel_sync.settings.problems import ConfigProblem

__all__ = [
    "DEEPEST_FLOW",
    "DEEPEST_KEY",
    "LARGEST_FILE",
    "UNREADABLE",
    "check_toml",
    "check_yaml",
    "syntax_problem",
]

LARGEST_FILE = 1024 * 1024
"""Bytes a configuration file may hold. Real ones are a few kilobytes; PyYAML reads a
megabyte in 5 to 20 seconds, and a mistaken path (a log file) must not be read whole."""

DEEPEST_FLOW = 32
"""How deep ``[ ]`` and ``{ }`` may nest in ``mapping.yaml``; real files need three levels."""

DEEPEST_KEY = 64
"""Parts a dotted key or table name in ``flywheel.toml`` may have; real ones have three."""

# Possessive parts and a start only at a word's beginning keep the search linear.
_LONG_DOTTED_KEY = re.compile(
    rf"""(?<![\w."'-])(?:(?:[\w-]++|"[^"\n]*+"|'[^'\n]*+')[ \t]*+\.[ \t]*+){{{DEEPEST_KEY}}}"""
)
_FLOW_BRACKET = re.compile(r"[\[\]{}]")
_QUOTED_OR_COMMENT = re.compile(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|(?:^|(?<=\s))#[^\n]*""", re.M)
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)$")
_DIGIT_LIMIT = "integer string conversion"
"""In the ValueError Python raises for a number past ``sys.get_int_max_str_digits()``."""

UNREADABLE = (
    OSError,
    UnicodeDecodeError,
    tomllib.TOMLDecodeError,
    yaml.YAMLError,
    RecursionError,
    ValueError,
)
"""What reading and parsing a configuration file may raise (ValueError: too many digits)."""


class _UnreadableValue(yaml.constructor.ConstructorError):
    """A scalar YAML resolved to a number or date, but that is no valid number or date."""


class _LocatingLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (what pydantic-settings reads with) that locates bad scalars.

    ``2020-13-45`` resolves to a date and ``0x_`` to an integer; constructing them raises a
    bare ValueError with no position. This loader accepts exactly the same documents, and
    turns that ValueError into a marked, explained error.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as error:
            kind = node.tag.rsplit(":", 1)[-1]
            looks_like = {"timestamp": "a date or time", "int": "a whole number"}.get(
                kind, f"a {kind}"
            )
            reason = (
                f"more than {sys.get_int_max_str_digits()} digits"
                if _DIGIT_LIMIT in str(error)
                else f"not a valid {looks_like.removeprefix('a ')}"
            )
            raise _UnreadableValue(
                None,
                None,
                f"'{node.value}' looks like {looks_like} but is {reason}",
                node.start_mark,
            ) from None


def _toml_message(error: tomllib.TOMLDecodeError, path: Path) -> tuple[str, int | None, str | None]:
    # Python 3.11's tomllib puts the position only in the text: "... (at line 3, column 5)".
    message, line = str(error), None
    position = _TOML_POSITION.search(message)
    if position:
        line = int(position.group(1))
        message = message[: position.start()].rstrip()
    try:
        raw = path.read_bytes()
    except OSError:
        raw = b""
    hint = None
    if raw.startswith(b"\xef\xbb\xbf"):
        hint = "the file starts with a byte order mark, which TOML refuses: save it without"
    elif re.search(rb"\r(?!\n)", raw):
        hint = (
            "the file has carriage returns without line feeds, which TOML refuses: "
            "save it with LF or CRLF line endings"
        )
    return message, line, hint


def _yaml_message(error: yaml.YAMLError, text: str) -> tuple[str, int | None, str | None]:
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        return (
            f"character U+{error.character:04X} is not allowed in YAML ({error.reason})",
            text.count("\n", 0, error.position) + 1,
            None,
        )
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(filter(None, [error.context, error.problem]))
        hint = None
        if isinstance(error, _UnreadableValue):
            hint = "put the value in quotes to keep it as text"
        elif "'\\t'" in message:
            hint = "YAML indents with spaces, never tabs"
        return message, line, hint
    return str(error), None, None


def _number_line(text: str) -> int | None:
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"[0-9_]{{{limit + 1},}}", text) if limit else None
    return text.count("\n", 0, found.start()) + 1 if found else None


def syntax_problem(path: Path, error: Exception) -> ConfigProblem:
    """The file cannot be read or parsed: say why, and where when the parser knows."""
    text = read_text(path)
    line: int | None = None
    hint: str | None = None
    if isinstance(error, tomllib.TOMLDecodeError):
        message, line, hint = _toml_message(error, path)
    elif isinstance(error, yaml.YAMLError):
        message, line, hint = _yaml_message(error, text)
    elif isinstance(error, OSError):
        message = f"cannot read the file: {error.strerror or error}"
    elif isinstance(error, UnicodeDecodeError):
        message = f"not UTF-8 text: byte {error.object[error.start]:#04x} cannot be decoded"
        line = error.object.count(b"\n", 0, error.start) + 1
        hint = "save the file as UTF-8"
    elif isinstance(error, RecursionError):
        message = "lists or tables are nested too deeply to read"
    elif _DIGIT_LIMIT in str(error):
        message = f"a number has more than {sys.get_int_max_str_digits()} digits"
        line = _number_line(text)
    else:
        message = f"cannot read the file: {error}"
    return ConfigProblem(origin=str(path), key_path="(file)", message=message, hint=hint, line=line)


def _size_problem(path: Path) -> ConfigProblem | None:
    size = path.stat().st_size
    if size <= LARGEST_FILE:
        return None
    return ConfigProblem(
        origin=str(path),
        key_path="(file)",
        message=f"the file is {size:,} bytes, too large for a configuration file "
        f"(at most {LARGEST_FILE:,})",
    )


def check_toml(path: Path) -> ConfigProblem | None:
    """A problem if ``flywheel.toml`` cannot be read or parsed, before any key is looked at."""
    try:
        too_large = _size_problem(path)
        if too_large:
            return too_large
        # As tomllib.load decodes, without newline translation: a lone CR is an error.
        text = path.read_bytes().decode("utf-8")
        # tomllib slows with the square of a dotted key's length: 40 kB of 'a.a.a' takes 7 s.
        dotted = _LONG_DOTTED_KEY.search(text)
        if dotted:
            return ConfigProblem(
                origin=str(path),
                key_path="(file)",
                message=f"a dotted key or table name has more than {DEEPEST_KEY} parts",
                line=text.count("\n", 0, dotted.start()) + 1,
            )
        tomllib.loads(text)
    except UNREADABLE as error:
        return syntax_problem(path, error)
    return None


def _flow_too_deep(path: Path, text: str) -> ConfigProblem | None:
    """A problem if ``[ ]``/``{ }`` nest deeper than ``DEEPEST_FLOW`` outside quotes and comments.

    PyYAML's scanner slows with the square of the flow depth: 20 kB nested 400 deep takes
    two seconds, a megabyte minutes. Counting first keeps such a file from hanging the load.
    """
    depth = 0
    for bracket in _FLOW_BRACKET.finditer(_QUOTED_OR_COMMENT.sub("", text)):
        depth = depth + 1 if bracket.group() in "[{" else max(depth - 1, 0)
        if depth > DEEPEST_FLOW:
            return ConfigProblem(
                origin=str(path),
                key_path="(file)",
                message=f"[ ] and {{ }} are nested more than {DEEPEST_FLOW} deep",
            )
    return None


def check_yaml(path: Path) -> list[ConfigProblem]:
    """Problems if ``mapping.yaml`` cannot be read or parsed, or is not a mapping of names."""
    try:
        too_large = _size_problem(path)
        if too_large:
            return [too_large]
        # As pydantic-settings reads it: UTF-8 text, universal newlines.
        with path.open(encoding="utf-8") as stream:
            text = stream.read()
        too_deep = _flow_too_deep(path, text)
        if too_deep:
            return [too_deep]
        data = yaml.load(text, Loader=_LocatingLoader)  # noqa: S506 - a SafeLoader
    except UNREADABLE as error:
        return [syntax_problem(path, error)]
    if data is not None and not isinstance(data, dict):
        return [
            ConfigProblem(
                origin=str(path),
                key_path="(file)",
                message="expected a mapping of keys at the top level",
            )
        ]
    unnamed = [key for key in data or {} if not isinstance(key, str)]
    return _unnamed_key_problems(path, unnamed) if unnamed else []


def _unnamed_key_problems(path: Path, unnamed: list[object]) -> list[ConfigProblem]:
    """Top-level keys that are not names (``1:``, ``~:``, ``2024-01-01:``), as written.

    pydantic-settings expects names there, and fails on anything else.
    """
    root = yaml.compose(read_text(path), Loader=yaml.SafeLoader)
    written: list[tuple[str, int | None]] = [
        (str(key.value), key.start_mark.line + 1)
        for key, _ in (root.value if isinstance(root, yaml.MappingNode) else [])
        if key.tag not in {"tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"}
    ]
    # A key merged in with '<<' has no node of its own at the top level.
    located = written or [(str(key), None) for key in unnamed]
    valid = ", ".join(valid_keys_at(MappingFile, ()))
    return [
        ConfigProblem(
            origin=str(path),
            key_path=key,
            message="unknown key",
            hint=f"valid keys here: {valid}",
            line=line,
        )
        for key, line in located
    ]
