"""Registered secrets never reach a log line, in text or JSON."""

from __future__ import annotations

import json
import logging

import pytest

from flywheel_sync.logs import configure_logging, register_secret, scrubbed


def test_scrubbed_replaces_every_registered_secret() -> None:
    register_secret("canary-1234")

    assert scrubbed("token canary-1234 and canary-1234") == "token *** and ***"


def test_short_values_are_not_treated_as_secrets() -> None:
    register_secret("ab")

    assert scrubbed("ab cd") == "ab cd"


@pytest.mark.parametrize("json_format", [False, True])
def test_log_lines_are_scrubbed(json_format: bool, capsys: pytest.CaptureFixture[str]) -> None:
    register_secret("canary-5678")
    configure_logging(json_format=json_format, verbosity=1)

    logging.getLogger("flywheel_sync.test").info("calling with %s", "canary-5678")
    try:
        raise ValueError("bad canary-5678")  # noqa: TRY301
    except ValueError:
        logging.getLogger("flywheel_sync.test").exception("failed")

    err = capsys.readouterr().err
    assert "canary-5678" not in err
    assert "calling with ***" in err
    if json_format:
        first = json.loads(err.splitlines()[0])
        assert first["message"] == "calling with ***"
        assert first["level"] == "info"
