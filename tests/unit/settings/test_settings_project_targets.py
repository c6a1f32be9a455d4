"""Project push targets need a delegated identity: the Schedule API refuses application users."""

from __future__ import annotations

from pathlib import Path

import pytest

from flywheel_sync.settings import ConfigError, load_configuration
from tests.unit.settings.builders import MINIMAL_MAPPING, MINIMAL_TOML, write_config

PROJECT_PUSH = """
push:
  flywheel_stage:
    project: {source: project:northwind, set_label: true}
  onboarding_checklists:
    project: {source: project:northwind%s}
  kpi_summaries:
    project: {source: project:northwind}
"""


def _toml(auth: str) -> str:
    secret = {
        "client_secret": 'client_secret = "app-secret-value"',
        "certificate": 'certificate_path = "cert.pem"',
        "device_code": "",
        "static_token": 'token = "a-user-token"',
    }[auth]
    return (
        MINIMAL_TOML
        + f"""
[dataverse.northwind]
url = "https://northwind.crm.dynamics.com"
auth = "{auth}"
tenant_id = "00000000-0000-0000-0000-000000000001"
client_id = "00000000-0000-0000-0000-000000000002"
{secret}
"""
    )


@pytest.mark.parametrize("auth", ["client_secret", "certificate"])
def test_an_application_identity_is_refused_for_every_project_target(
    tmp_path: Path, auth: str
) -> None:
    config = write_config(tmp_path, _toml(auth), MINIMAL_MAPPING + PROJECT_PUSH % "")
    (tmp_path / "cert.pem").write_text("not read: the identity is refused first")

    with pytest.raises(ConfigError) as raised:
        load_configuration(config)

    text = str(raised.value)
    for key in ("flywheel_stage", "onboarding_checklists", "kpi_summaries"):
        assert f"push.{key}.project.source" in text
    assert "refuses application users" in text
    assert 'set auth = "device_code" in [dataverse.northwind]' in text


@pytest.mark.parametrize("auth", ["device_code", "static_token"])
def test_a_user_identity_may_write_to_project(tmp_path: Path, auth: str) -> None:
    config = write_config(tmp_path, _toml(auth), MINIMAL_MAPPING + PROJECT_PUSH % "")

    push = load_configuration(config).mapping.push
    assert push.flywheel_stage.project is not None
    assert push.flywheel_stage.project.set_label


def test_a_disabled_target_needs_no_user(tmp_path: Path) -> None:
    mapping = MINIMAL_MAPPING + PROJECT_PUSH % ", enabled: false"
    config = write_config(tmp_path, _toml("client_secret"), mapping)

    with pytest.raises(ConfigError) as raised:
        load_configuration(config)

    assert "onboarding_checklists" not in str(raised.value)
    assert "push.flywheel_stage.project.source" in str(raised.value)
