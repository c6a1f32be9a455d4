"""Building blocks shared by both configuration files: strict models, names, URLs and secrets.

Every model here forbids unknown keys, because a typo in a nested section must be an error
rather than a silently ignored setting (pydantic applies ``extra="forbid"`` per model, so each
nested model has to ask for it).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path, PurePath
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    FilePath,
    SecretStr,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "BaseUrl",
    "ConfigModel",
    "ConnectionName",
    "ExistingFile",
    "SecretBearing",
    "check_url",
]

_LOOPBACK_NAMES = frozenset({"localhost"})
_LARGEST_SECRET_FILE = 64 * 1024
"""Bytes read from a secret file: a token, password or webhook URL is far smaller, and a
mistaken path (a log, ``/dev/zero``) must not be read into memory whole."""


class ConfigModel(BaseModel):
    """A section of a configuration file: immutable, and strict about its keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


ConnectionName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
]
"""A connection's name: lower-case letters, digits and ``_``, so that it can appear in an
environment variable name such as ``FLYWHEEL_JIRA__PMO__TOKEN``."""


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(value: str, *, allow_query: bool) -> str:
    """Validate an http(s) URL; plain http only for loopback hosts, where the sandbox runs.

    Returns:
        The URL, without a trailing slash when it is a base URL.

    Raises:
        PydanticCustomError: the URL is malformed, insecure, or has a query where none belongs.
    """
    parts = urlsplit(value)
    example = "e.g. https://your-domain.atlassian.net"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise PydanticCustomError(
            "url",
            "'{value}' is not a valid URL: expected http:// or https:// and a host name, {example}",
            {"value": value, "example": example},
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise PydanticCustomError(
            "url_insecure",
            "'{value}' uses plain http: credentials would travel unencrypted; use https:// "
            "(plain http is accepted only for 127.0.0.1 and localhost, where the sandbox runs)",
            {"value": value},
        )
    if not allow_query and (parts.query or parts.fragment):
        raise PydanticCustomError(
            "url_base",
            "'{value}' should be a base URL without '?' query or '#' fragment",
            {"value": value},
        )
    return value.rstrip("/") if not allow_query else value


def _base_url(value: str) -> str:
    return check_url(value, allow_query=False)


BaseUrl = Annotated[str, AfterValidator(_base_url)]
"""An http(s) base URL, kept as text without a trailing slash (``HttpUrl`` would append one)."""


def _checked_file(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except OSError as error:
        # pydantic's FilePath lets the operating system's refusal escape (a name too long).
        raise PydanticCustomError(
            "path_unusable",
            "cannot use the path '{path}': {reason}",
            {"path": str(value), "reason": error.strerror or str(error)},
        ) from None


ExistingFile = Annotated[FilePath, WrapValidator(_checked_file)]
"""A path to a file that exists; a path the system refuses to look at is a problem, not a crash."""


def _read_secret_file(file_key: str, named: str | PurePath) -> str:
    """The secret in the file ``named``, without its trailing newline.

    Raises:
        PydanticCustomError: the file cannot be read, is not UTF-8 text, or is too large.
    """
    shown = str(named)

    def refusal(reason: str) -> PydanticCustomError:
        return PydanticCustomError(
            "secret_file",
            "cannot read {key} '{path}': {reason}",
            {"key": file_key, "path": shown, "reason": reason},
        )

    try:
        path = Path(named).expanduser()
        shown = str(path)
        with path.open("rb") as secret_file:
            content = secret_file.read(_LARGEST_SECRET_FILE + 1)
    except OSError as error:
        raise refusal(error.strerror or str(error)) from error
    except (RuntimeError, ValueError) as error:
        # RuntimeError: '~user' whose home is unknown; ValueError: a NUL byte in the path.
        raise refusal(str(error) or "not a usable path") from error
    if len(content) > _LARGEST_SECRET_FILE:
        raise refusal(
            f"larger than {_LARGEST_SECRET_FILE // 1024} KiB; it should hold only the secret"
        )
    try:
        return content.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise refusal("not UTF-8 text") from None


class SecretBearing(ConfigModel):
    """A section holding secrets that may come inline, from the environment, or from a file.

    Subclasses list their secret fields in ``secret_fields``; each secret ``x`` may instead be
    given as ``x_file``, a path whose content (without the trailing newline) is the secret, which
    is how container platforms mount them. ``required_secrets`` says which must be present for
    the section's settings; a missing one is reported with the environment variable that would
    supply it.
    """

    secret_fields: ClassVar[tuple[str, ...]] = ()

    def required_secrets(self) -> tuple[str, ...]:
        """Names of the secrets these settings cannot work without."""
        return self.secret_fields

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        resolved = dict(data)
        for name in cls.secret_fields:
            file_key = f"{name}_file"
            named = resolved.get(file_key)
            if not isinstance(named, str | PurePath):
                continue  # absent, or not a path: the field's own validation says so
            secret = _read_secret_file(file_key, named)
            if resolved.get(name) is None:
                resolved[name] = secret
        return resolved

    @model_validator(mode="after")
    def _require_secrets(self) -> SecretBearing:
        for name in self.required_secrets():
            value = getattr(self, name)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise PydanticCustomError(
                    "missing_secret",
                    "secret '{field}' is missing",
                    {"field": name},
                )
        return self
