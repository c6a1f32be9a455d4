"""Configuration problems, located and explained, and the error that carries them.

Error tree::

    ConfigError                 exit 2: the user fixes a file or the environment
    ├── ConfigNotFoundError     no flywheel.toml where we looked (lists every place)
    └── (problems)              one ConfigProblem per mistake, all reported at once
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConfigError", "ConfigNotFoundError", "ConfigProblem", "format_key_path"]


def format_key_path(loc: tuple[str | int, ...]) -> str:
    """``("jobs", 0, "cron")`` → ``jobs[0].cron``: how a user finds the key in the file."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(top level)"


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
        where = self.origin if self.line is None else f"{self.origin}:{self.line}"
        text = f"{where}: {self.key_path}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class ConfigError(Exception):
    """The configuration cannot be used; every problem found is listed."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        count = len(problems)
        heading = f"{count} configuration problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([heading, *(p.render() for p in problems)]))


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
