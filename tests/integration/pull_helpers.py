"""Drive ``flywheel-sync pull`` against a sandbox and read back what it did.

Three observers, each the most direct one for its question:

- the pull's JSON log (``--log-format json -v``): one ``pulled <source> <scope>: ...`` line
  per scope, the only per-scope account of records yielded and new-or-changed;
- ``/_sandbox/stats``: which HTTP requests the real client libraries made;
- the store: what landed, keyed by ``(source, record type, external id)``; the starter's
  SQLite file, or the PostgreSQL database `use_store` wrote into the configuration.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from flywheel_sync.cli.main import run
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxServer
from flywheel_sync.store import StoredRecord, open_store, resolve_store_url

__all__ = [
    "PullRun",
    "RecordKey",
    "ScopeReport",
    "configure",
    "pull",
    "requests_between",
    "sandbox_stats",
    "store_url",
    "stored_records",
    "stored_watermarks",
    "use_store",
]

RecordKey = tuple[str, str, str]
"""``(source, record_type, external_id)``: how the store identifies a record."""

_SCOPE_LINE = re.compile(
    r"^pulled (?P<source>\S+) (?P<scope>.+): (?P<records>\d+) records "
    r"\((?P<changed>\d+) new or changed\) in (?P<pages>\d+) pages, (?P<requests>\d+) requests"
)


@dataclass(frozen=True, kw_only=True)
class ScopeReport:
    """One scope's line of the pull's log."""

    source: str
    scope: str
    records: int
    changed: int
    pages: int
    requests: int


@dataclass(frozen=True, kw_only=True)
class PullRun:
    """How one ``flywheel-sync pull`` ended and what it reported per scope."""

    exit_code: int
    stdout: str
    stderr: str
    scopes: tuple[ScopeReport, ...]

    def of(self, source: str) -> dict[str, ScopeReport]:
        """The reports of ``source``'s scopes, by scope."""
        return {report.scope: report for report in self.scopes if report.source == source}


def configure(folder: Path, sandbox: SandboxServer) -> Path:
    """Write the starter flywheel.toml + mapping.yaml for ``sandbox``; returns flywheel.toml."""
    write_sandbox_config(folder, sandbox.url, sandbox.options)
    return folder / "flywheel.toml"


def _scope_reports(stderr: str) -> tuple[ScopeReport, ...]:
    reports = []
    for line in stderr.splitlines():
        if not line.startswith("{"):
            continue  # the sandbox's own (uvicorn) lines share stderr
        match = _SCOPE_LINE.match(json.loads(line).get("message", ""))
        if match:
            numbers = {k: int(match[k]) for k in ("records", "changed", "pages", "requests")}
            reports.append(ScopeReport(source=match["source"], scope=match["scope"], **numbers))
    return tuple(reports)


def pull(config: Path, *args: str) -> PullRun:
    """Run ``flywheel-sync pull`` as a job would (JSON log at info level), capturing its output.

    Captured here rather than with ``capsys`` so module-scoped fixtures can pull too.
    """
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            run(["-c", str(config), "--log-format", "json", "-v", "pull", *args])
        except SystemExit as ended:
            code = int(ended.code or 0)
        else:  # pragma: no cover - run() always ends with SystemExit
            raise AssertionError("flywheel-sync pull returned without an exit code")
    return PullRun(
        exit_code=code,
        stdout=out.getvalue(),
        stderr=err.getvalue(),
        scopes=_scope_reports(err.getvalue()),
    )


def sandbox_stats(sandbox: SandboxServer) -> dict[str, Any]:
    """``/_sandbox/stats``: totals, throttled, faults and requests per route."""
    answer: dict[str, Any] = httpx.get(f"{sandbox.url}/_sandbox/stats").json()
    return answer


def requests_between(before: dict[str, Any], after: dict[str, Any]) -> Counter[str]:
    """Requests per route made between two `sandbox_stats` snapshots."""
    made = Counter(after["requests"])
    made.subtract(before["requests"])
    return +made


_STARTER_STORE_LINE = 'url = "sqlite:///.flywheel/state.db"'


def use_store(config: Path, url: str | None) -> None:
    """Point ``config``'s ``[store]`` at ``url`` (``None`` keeps the starter's SQLite file).

    Written into the file rather than set as ``FLYWHEEL_STORE__URL``: every test clears the
    FLYWHEEL_* variables, and module fixtures outlive a test.
    """
    if url is None:
        return
    text = config.read_text(encoding="utf-8")
    assert _STARTER_STORE_LINE in text, f"no starter [store] url in {config}"
    config.write_text(text.replace(_STARTER_STORE_LINE, f'url = "{url}"'), encoding="utf-8")


def store_url(config: Path) -> str:
    """The resolved URL of the store ``config`` names (SQLite next to it, or PostgreSQL)."""
    settings = tomllib.loads(config.read_text(encoding="utf-8")).get("store", {})
    return resolve_store_url(settings.get("url"), base_dir=config.parent)


def stored_records(config: Path) -> dict[RecordKey, StoredRecord]:
    """Every record in the store ``config`` names."""
    with open_store(store_url(config)) as store:
        return {
            (record.source, record.record_type, record.external_id): record
            for record in store.records.iter_records()
        }


def stored_watermarks(config: Path, source: str, scopes: Iterable[str]) -> dict[str, str | None]:
    """The watermark stored for each of ``source``'s ``scopes``."""
    with open_store(store_url(config)) as store:
        return {scope: store.records.watermark(source, scope) for scope in scopes}
