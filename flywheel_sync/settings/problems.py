"""Configuration problems, located and explained, and the error that carries them.

Error tree::

    ConfigError                 exit 2: the user fixes a file or the environment
    ├── ConfigNotFoundError     no flywheel.toml where we looked (lists every place)
    └── (problems)              one ConfigProblem per mistake, all reported at once

Problems quote what the user wrote, and a file may hold anything: a megabyte on one line,
control characters, terminal escape sequences. What is printed is kept readable and safe for
a terminal: invisible characters are shown as escapes, overlong text is cut in the middle
(the explanation at the end survives), and a flood of problems is summarised after the first
``MAX_LISTED`` (``ConfigError.problems`` keeps them all).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_LISTED", "ConfigError", "ConfigNotFoundError", "ConfigProblem", "format_key_path"]

MAX_LISTED = 100
"""Problems listed in a ``ConfigError``'s message; the rest are counted."""

_LONGEST_PART = 400
"""Characters of a location, message or hint shown before the middle is left out."""

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def format_key_path(loc: tuple[str | int, ...]) -> str:
    """``("jobs", 0, "cron")`` → ``jobs[0].cron``: how a user finds the key in the file."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(top level)"


def _visible(char: str) -> str:
    # Not printable: control and format characters (escape sequences, bidirectional
    # overrides, zero-width), separators other than the space, unassigned code points. They
    # would recolour the terminal, hide text or break the one-problem-per-line layout.
    if char.isprintable():
        return char
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _printable(text: str, *, limit: int = _LONGEST_PART) -> str:
    """``text`` safe to print on one terminal line: escaped, and at most about ``limit`` long.

    Overlong text keeps its beginning and its end, where messages put the explanation.
    """
    half = limit // 2
    if len(text) > limit:
        # Escape only what is kept, so that a megabyte value costs no more than a short one.
        head = "".join(map(_visible, text[:half]))[:half]
        tail = "".join(map(_visible, text[-half:]))[-half:]
        return f"{head} … ({len(text) - 2 * half:,} characters left out) … {tail}"
    escaped = "".join(map(_visible, text))
    return escaped if len(escaped) <= limit else f"{escaped[:half]} … {escaped[-half:]}"


@dataclass(frozen=True, kw_only=True)
class ConfigProblem:
    """One mistake in a configuration file or environment variable."""

    origin: str
    """The file path, or ``environment variable NAME`` when the value came from there."""
    key_path: str
    message: str
    hint: str | None = None
    line: int | None = None

    def render(self) -> str:
        """``file:line: key.path: message`` plus an indented hint, as compilers print."""
        origin = _printable(self.origin)
        where = origin if self.line is None else f"{origin}:{self.line}"
        text = f"{where}: {_printable(self.key_path)}: {_printable(self.message)}"
        if self.hint:
            text += f"\n    hint: {_printable(self.hint)}"
        return text


class ConfigError(Exception):
    """The configuration cannot be used; every problem found is in ``problems``."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        count = len(problems)
        heading = f"{count} configuration problem{'s' if count != 1 else ''}:"
        lines = [heading, *(p.render() for p in problems[:MAX_LISTED])]
        if count > MAX_LISTED:
            lines.append(f"... and {count - MAX_LISTED} more; fix these first and validate again")
        super().__init__("\n".join(lines))


class ConfigNotFoundError(ConfigError):
    """No configuration file was found in any of the places flywheel-sync looks."""

    def __init__(self, looked_in: list[str]) -> None:
        problem = ConfigProblem(
            origin="flywheel-sync",
            key_path="config",
            message="no flywheel.toml found; looked in: " + "; ".join(looked_in),
            hint="create one with 'flywheel-sync init', or pass -c/--config PATH",
        )
        super().__init__([problem])
