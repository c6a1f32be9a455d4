"""A Confluence site behind a private certificate authority verifies against its bundle."""

from __future__ import annotations

from pathlib import Path

from connectors.confluence import ConfluenceSite
from connectors.jira import BasicAuth
from connectors.retry import RetryPolicy


def _site(ca_bundle: Path | None) -> ConfluenceSite:
    return ConfluenceSite(
        source="confluence:pmo",
        url="https://confluence.northwind.example",
        auth=BasicAuth(user="bot", token="token-value"),
        flavour="datacenter",
        policy=RetryPolicy(max_attempts=1),
        ca_bundle=ca_bundle,
    )


def test_the_bundle_is_what_requests_verifies_against(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")

    with _site(bundle) as site:
        assert site._library()._session.verify == str(bundle)


def test_without_a_bundle_the_system_store_is_used() -> None:
    with _site(None) as site:
        assert site._library()._session.verify is True
