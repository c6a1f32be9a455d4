"""Run ``flywheel-sync serve`` as a child process, as production does, and watch it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ServeProcess", "serve_process", "use_jobs", "wait_until"]

_ENDPOINTS = re.compile(r"health (http://\S+)/healthz")


def use_jobs(config: Path, jobs: str) -> None:
    """Replace the starter's ``[[jobs]]`` with ``jobs`` (TOML text)."""
    text = config.read_text()
    kept = text[: text.index("[[jobs]]")] if "[[jobs]]" in text else text
    config.write_text(kept + jobs)


def wait_until(what: str, check: Callable[[], bool], *, timeout: float = 30.0) -> None:
    """Poll ``check`` until it is true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


class ServeProcess:
    """A running ``serve``: its JSON log lines, its endpoints, and how it ended."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self.base_url: str | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            found = _ENDPOINTS.search(line)
            if found and self.base_url is None:
                self.base_url = found.group(1)

    def records(self) -> list[dict[str, Any]]:
        """The log lines, parsed (every line must be JSON)."""
        return [json.loads(line) for line in list(self.lines)]

    def get(self, path: str) -> httpx.Response:
        """GET one of the service's endpoints."""
        assert self.base_url is not None, "the service has not logged its endpoints yet"
        return httpx.get(self.base_url + path, timeout=10)

    def health(self) -> dict[str, Any]:
        """The ``/healthz`` document (whatever its status code)."""
        document: dict[str, Any] = self.get("/healthz").json()
        return document

    def stop(self, signum: int = signal.SIGTERM, *, timeout: float = 60) -> int:
        """Send ``signum`` and wait for the exit code."""
        self.process.send_signal(signum)
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code


@contextmanager
def serve_process(
    config: Path, env: Mapping[str, str] | None = None, *, verbose: bool = False
) -> Iterator[ServeProcess]:
    """``flywheel-sync -c config --log-format json serve --port 0`` in a child process."""
    command = [
        sys.executable,
        "-m",
        "flywheel_sync.cli.main",
        "-c",
        str(config),
        "--log-format",
        "json",
        *(["-vv"] if verbose else []),
        "serve",
        "--port",
        "0",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    with process:
        serving = ServeProcess(process)
        try:
            wait_until("the service's endpoints", lambda: serving.base_url is not None)
            yield serving
        finally:
            if process.poll() is None:
                process.kill()
