"""Store URLs: what the configuration says, resolved; passwords never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from flywheel_sync.settings.flywheel import StoreSettings
from flywheel_sync.store import (
    StoreConfigError,
    configured_store_url,
    redact_url,
    resolve_store_url,
)


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        (None, "sqlite:///{base}/.flywheel/state.db"),
        ("sqlite:///state.db", "sqlite:///{base}/state.db"),
        ("sqlite:///data/flywheel.db", "sqlite:///{base}/data/flywheel.db"),
        ("sqlite:///{elsewhere}/abs.db", "sqlite:///{elsewhere}/abs.db"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///:memory:", "sqlite://"),
        (
            "postgresql://flywheel@db:5432/flywheel",
            "postgresql+psycopg://flywheel@db:5432/flywheel",
        ),
        ("postgres://flywheel@db/flywheel", "postgresql+psycopg://flywheel@db/flywheel"),
        ("postgresql+psycopg://flywheel@db/flywheel", "postgresql+psycopg://flywheel@db/flywheel"),
    ],
)
def test_resolve_store_url(tmp_path: Path, configured: str | None, expected: str) -> None:
    base, elsewhere = tmp_path / "config", tmp_path / "elsewhere"
    if configured is not None:
        configured = configured.format(elsewhere=elsewhere)

    resolved = resolve_store_url(configured, base_dir=base)

    assert resolved == expected.format(base=base, elsewhere=elsewhere)


@pytest.mark.parametrize(
    ("configured", "created"),
    [(None, "config/.flywheel"), ("sqlite:///data/deep/x.db", "config/data/deep")],
)
def test_resolve_creates_the_sqlite_folder(
    tmp_path: Path, configured: str | None, created: str
) -> None:
    resolve_store_url(configured, base_dir=tmp_path / "config")

    assert (tmp_path / created).is_dir()


@pytest.mark.parametrize(
    "configured",
    ["mysql://root@db/flywheel", "postgresql+psycopg2://u@db/x", "oracle://u:secret@db/x"],
)
def test_other_databases_are_refused_naming_the_accepted_forms(configured: str) -> None:
    with pytest.raises(StoreConfigError) as raised:
        resolve_store_url(configured, base_dir=Path.cwd())

    message = str(raised.value)
    assert message.startswith("unsupported store URL scheme")
    assert "sqlite:///relative/path.db" in message
    assert "postgresql://user:password@host:5432/database" in message
    assert "secret" not in message


def test_an_unparsable_url_is_a_config_error() -> None:
    with pytest.raises(StoreConfigError, match=r"^cannot parse the store URL 'not a url'"):
        resolve_store_url("not a url", base_dir=Path.cwd())


def test_a_sqlite_folder_under_a_file_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")

    with pytest.raises(StoreConfigError) as raised:
        resolve_store_url(f"sqlite:///{blocker}/state.db", base_dir=tmp_path)

    assert str(raised.value).startswith(
        f"cannot create the folder '{blocker}' for the SQLite store"
    )


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        (
            "postgresql+psycopg://flywheel:hunter2@db/flywheel",
            "postgresql+psycopg://flywheel:***@db/flywheel",
        ),
        ("postgresql://flywheel@db/flywheel", "postgresql://flywheel@db/flywheel"),
        ("sqlite:////srv/flywheel/state.db", "sqlite:////srv/flywheel/state.db"),
        ("not a url //user:hunter2@host", "not a url //user:***@host"),
    ],
)
def test_redact_url_hides_the_password(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


@pytest.mark.parametrize(
    ("url", "password", "expected"),
    [
        (
            "postgresql://flywheel@db/flywheel",
            "hunter2",
            "postgresql+psycopg://flywheel:hunter2@db/flywheel",
        ),
        ("postgresql://flywheel@db/flywheel", None, "postgresql+psycopg://flywheel@db/flywheel"),
        ("sqlite://", "hunter2", "sqlite://"),
    ],
)
def test_configured_store_url_adds_the_separate_password(
    url: str, password: str | None, expected: str
) -> None:
    settings = StoreSettings(url=url, password=None if password is None else SecretStr(password))

    assert configured_store_url(settings, base_dir=Path.cwd()) == expected
