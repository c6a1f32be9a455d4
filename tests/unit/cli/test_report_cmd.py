"""``flywheel-sync report``: where it writes, in which format, and its exit codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flywheel_sync.domain import PMOCustomer, PMOService
from flywheel_sync.store import EntityRecord, open_store, resolve_store_url
from tests.unit.cli.test_cli import invoke
from tests.unit.engine.builders import engagement
from tests.unit.settings.builders import MINIMAL_MAPPING, write_config

NOW = datetime(2026, 11, 1, tzinfo=UTC)
HOSTILE_SERVICE = "<script>alert('service')</script>"


def entity(kind: str, entity_id: str, name: str, payload: dict[str, object]) -> EntityRecord:
    return EntityRecord(kind=kind, entity_id=entity_id, name=name, payload=payload, updated_at=NOW)


def stored_portfolio(folder: Path) -> Path:
    """A configuration whose store holds a customer, a service and one engagement."""
    config = write_config(
        folder,
        mapping="organization: {name: Northwind Utilities}\n" + MINIMAL_MAPPING,
    )
    customer = PMOCustomer.model_validate(
        {"id": "grid-ops", "name": "Grid Operations", "kind": "business_unit"}
    )
    service = PMOService(id="health-checks", name=HOSTILE_SERVICE)
    epic = engagement("PMO-1", (5, 1, datetime(2026, 10, 1, tzinfo=UTC)), service="health-checks")
    with open_store(resolve_store_url(None, base_dir=folder)) as store:
        store.entities.replace_all(
            [
                entity("customer", customer.id, customer.name, customer.model_dump(mode="json")),
                entity("service", service.id, service.name, service.model_dump(mode="json")),
                entity("engagement", epic.id, "Health checks", epic.model_dump(mode="json")),
            ]
        )
    return config


def test_writes_the_html_report_in_the_working_folder_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stored_portfolio(tmp_path / "config")

    code, out, err = invoke(capsys, "-c", str(config), "report")

    written = tmp_path / "flywheel-report.html"  # the tests run in tmp_path
    assert (code, err) == (0, "")
    assert out.strip() == f"Wrote the html report: {written}"
    page = written.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Northwind Utilities" in page
    assert "5. Service Onboarding" in page
    assert HOSTILE_SERVICE not in page
    assert "&lt;script&gt;alert(&#39;service&#39;)&lt;/script&gt;" in page


def test_markdown_has_the_portfolio_and_every_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stored_portfolio(tmp_path)
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()

    code, _, _ = invoke(
        capsys, "-c", str(config), "report", "--format", "markdown", "-o", str(target)
    )

    assert code == 0
    text = target.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[:3] == [
        "# Value Ring report — Northwind Utilities",
        "## Flywheel distribution",
        "## Portfolio KPIs",
    ]
    assert "## Value summary — Grid Operations (customer)" in headings
    assert "| 5. Service Onboarding | 1 |" in text
    assert "<script>" not in text


def test_an_empty_store_says_to_pull_first_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)

    code, out, err = invoke(capsys, "-c", str(config), "report")

    assert code == 1
    assert "run 'flywheel-sync pull' first" in err
    assert out == ""
    assert not (tmp_path / "flywheel-report.html").exists()


def test_a_missing_configuration_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = invoke(capsys, "-c", str(tmp_path / "nowhere.toml"), "report")

    assert code == 2
    assert "nowhere.toml" in err


def test_a_missing_output_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stored_portfolio(tmp_path)

    code, _, err = invoke(
        capsys, "-c", str(config), "report", "-o", str(tmp_path / "no" / "r.html")
    )

    assert code == 2
    assert "no such folder" in err
    assert "Traceback" not in err


def test_an_unknown_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stored_portfolio(tmp_path)

    code, _, _ = invoke(capsys, "-c", str(config), "report", "--format", "pdf")

    assert code == 2
