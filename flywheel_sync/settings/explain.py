"""Turns pydantic validation errors into problems a person can act on.

Each error gets its key path, the file line or environment variable it came from, a plain
message and, where one helps, a hint: the nearest valid key for a typo, the environment
variable that would supply a missing secret, the accepted form of a connection name.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from flywheel_sync.settings.problems import ConfigProblem, format_key_path

__all__ = ["problems_from_validation", "valid_keys_at"]

Loc = tuple[str | int, ...]

_PLAIN_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    # pydantic's own says "for <class 'pathlib.Path'>".
    "path_type": "expected a path, as text",
}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class an annotation holds, looking through Optional, dict and tuple."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        models = [m for m in map(_model_in, typing.get_args(annotation)) if m is not None]
        return models[0] if models else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _child(annotation: Any) -> Any:
    """What one level of a dict or tuple annotation contains."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return _child(arg)
    args = typing.get_args(annotation)
    if origin is dict:
        return args[1]
    if origin in (tuple, list):
        return args[0]
    return annotation


def valid_keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a model accepts at the mapping located by ``loc`` (empty if not a model)."""
    annotation: Any = model
    for part in loc:
        current = _model_in(annotation)
        if current is not None and isinstance(part, str) and part in current.model_fields:
            annotation = current.model_fields[part].annotation
        else:
            annotation = _child(annotation)
    target = _model_in(annotation)
    return sorted(target.model_fields) if target else []


def _env_var(prefix: str, delimiter: str, loc: Loc) -> str:
    return prefix + delimiter.join(str(part).upper() for part in loc)


def _contains(tree: Any, loc: Loc) -> bool:
    for part in loc:
        if isinstance(tree, Mapping) and part in tree:
            tree = tree[part]
        else:
            return False
    return True


class _Explainer:
    def __init__(
        self,
        *,
        model: type[BaseModel],
        file: Path,
        line_of: Callable[[Loc], int | None],
        env_values: Mapping[str, Any],
        env_prefix: str | None,
        env_delimiter: str,
    ) -> None:
        self.model = model
        self.file = file
        self.line_of = line_of
        self.env_values = env_values
        self.env_prefix = env_prefix
        self.env_delimiter = env_delimiter

    def problem(self, error: ErrorDetails) -> ConfigProblem:
        loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
        message = _PLAIN_MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
        hint: str | None = None
        kind = error["type"]
        if kind == "extra_forbidden":
            hint = self._nearest_key(loc)
        elif kind == "missing_secret":
            field = str((error.get("ctx") or {}).get("field", ""))
            loc = (*loc, field)
            hint = self._secret_hint(loc)
        elif "[key]" in error["loc"] and kind == "string_pattern_mismatch":
            message = f"'{loc[-1]}' is not a valid name"
            hint = "names are lower-case letters, digits and '_', starting with a letter"
        elif kind == "missing" and self.env_prefix:
            hint = f"set it in the file or as {self._env(loc)}"
        return ConfigProblem(
            origin=self._origin(loc),
            key_path=format_key_path(loc),
            message=message,
            hint=hint,
            line=None if self._from_env(loc) else self.line_of(loc),
        )

    def _env(self, loc: Loc) -> str:
        return _env_var(self.env_prefix or "", self.env_delimiter, loc)

    def _from_env(self, loc: Loc) -> bool:
        return bool(self.env_prefix) and _contains(self.env_values, loc)

    def _origin(self, loc: Loc) -> str:
        if self._from_env(loc):
            return f"environment variable {self._env(loc)}"
        return str(self.file)

    def _nearest_key(self, loc: Loc) -> str:
        valid = valid_keys_at(self.model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6)
        if close:
            return f"did you mean '{close[0]}'?"
        return "valid keys here: " + ", ".join(valid) if valid else "remove it"

    def _secret_hint(self, loc: Loc) -> str:
        file_key = format_key_path((*loc[:-1], f"{loc[-1]}_file"))
        if not self.env_prefix:
            return f"add '{loc[-1]}' or '{file_key}'"
        return f"set {self._env(loc)}, or point {file_key} at a file holding it"


def problems_from_validation(
    error: ValidationError,
    *,
    model: type[BaseModel],
    file: Path,
    line_of: Callable[[Loc], int | None],
    env_values: Mapping[str, Any] | None = None,
    env_prefix: str | None = None,
    env_delimiter: str = "__",
) -> list[ConfigProblem]:
    """One located, explained problem per pydantic error, in file order."""
    explainer = _Explainer(
        model=model,
        file=file,
        line_of=line_of,
        env_values=env_values or {},
        env_prefix=env_prefix,
        env_delimiter=env_delimiter,
    )
    problems = [explainer.problem(detail) for detail in error.errors()]
    return sorted(problems, key=lambda p: (p.origin, p.line or 0))
