"""The command line: exit codes, messages, and no tracebacks for user mistakes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from flywheel_sync import __version__
from flywheel_sync.cli.main import app, run
from tests.conftest import CONFIG_DIR
from tests.unit.settings.builders import MINIMAL_TOML, write_config


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process the way the console script does; return (exit code, out, err)."""
    with pytest.raises(SystemExit) as done:
        run(list(args))
    captured = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 0), captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(capsys, "--version") == (0, f"flywheel-sync {__version__}\n", "")


def _help_texts(command: Any, path: str = "flywheel-sync") -> Iterator[tuple[str, str]]:
    """Every help text of ``command`` and its subcommands (typer's own click: duck-typed)."""
    yield path, command.help or ""
    for param in command.params:
        yield f"{path} {param.name}", getattr(param, "help", None) or ""
    for name, sub in getattr(command, "commands", {}).items():
        yield from _help_texts(sub, f"{path} {name}")


def test_help_texts_escape_bracketed_names_that_rich_would_take_for_markup() -> None:
    # Help is rendered as rich markup: "[serve] host" would show as " host".
    unescaped = {
        where: found
        for where, text in _help_texts(typer.main.get_command(app))
        if (found := re.findall(r"(?<!\\)\[[a-z_]+\]", text))
    }

    assert unescaped == {}


def test_help_shows_a_bracketed_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys, "--help")

    assert code == 0
    assert "[logging]" in " ".join(out.replace("│", " ").split())


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke(capsys, "frobnicate")

    assert code == 2
    assert "No such command 'frobnicate'" in err


def test_validate_the_shipped_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(
        capsys, "-c", str(CONFIG_DIR / "flywheel.example.toml"), "config", "validate"
    )

    assert code == 0
    assert "are valid" in out
    assert "5 connection(s), 2 job(s); 6 customer(s), 8 service(s)" in out


def test_validate_lists_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path,
        toml=MINIMAL_TOML.replace("https://northwind.atlassian.net", "not a url")
        + "max_retrys = 3\n",
    )

    code, out, err = invoke(capsys, "-c", str(config), "config", "validate")

    assert code == 2
    assert out == ""
    assert err.startswith("error: 2 configuration problems:\n")
    assert "jira.pmo.url: 'not a url' is not a valid URL" in err
    assert "jira.pmo.max_retrys: unknown key" in err
    assert "hint: did you mean 'max_retries'?" in err
    assert "Traceback" not in err


def test_missing_config_exits_2_and_says_where_it_looked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = invoke(capsys, "config", "validate")

    assert code == 2
    assert "no flywheel.toml found; looked in: -c/--config (not given)" in err


def test_secrets_in_the_configuration_never_reach_the_error_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, toml=MINIMAL_TOML + "bogus = 1\n")

    _, out, err = invoke(capsys, "-c", str(config), "config", "validate")

    assert "jira-secret-value" not in out + err


def test_init_writes_files_that_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x"

    code, out, _ = invoke(capsys, "init", str(target))

    assert code == 0
    assert sorted(p.name for p in target.iterdir()) == [
        "flywheel.schema.json",
        "flywheel.toml",
        "mapping.schema.json",
        "mapping.yaml",
    ]
    assert f"flywheel-sync -c {target / 'flywheel.toml'} config validate" in out
    assert invoke(capsys, "-c", str(target / "flywheel.toml"), "config", "validate")[0] == 0


def test_init_never_overwrites_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flywheel.toml").write_text("# mine\n", encoding="utf-8")

    code, _, err = invoke(capsys, "init", str(tmp_path))

    assert code == 2
    assert "already has flywheel.toml" in err
    assert (tmp_path / "flywheel.toml").read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "mapping.yaml").exists()
    assert invoke(capsys, "init", str(tmp_path), "--force")[0] == 0
    assert (tmp_path / "flywheel.toml").read_text(encoding="utf-8") != "# mine\n"


def test_schema_prints_both_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys, "config", "schema")

    assert code == 0
    schemas = json.loads(out)
    assert sorted(schemas) == ["flywheel.schema.json", "mapping.schema.json"]
    assert schemas["mapping.schema.json"]["title"] == "mapping.yaml"


def test_schema_writes_files_with_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = invoke(capsys, "config", "schema", "-o", str(tmp_path / "schemas"))

    assert code == 0
    written = json.loads((tmp_path / "schemas" / "flywheel.schema.json").read_text())
    assert written["title"] == "flywheel.toml"


def test_status_on_an_empty_store_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)

    code, out, _ = invoke(capsys, "-c", str(config), "status")

    assert code == 0
    assert f"store: sqlite:///{tmp_path / '.flywheel' / 'state.db'}" in out
    assert "The store is empty: nothing has been pulled from the tools yet." in out
    assert (tmp_path / ".flywheel" / "state.db").is_file()


def test_status_with_an_unreachable_store_exits_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    config = write_config(
        tmp_path, toml=MINIMAL_TOML + f'[store]\nurl = "sqlite:///{blocker}/state.db"\n'
    )

    code, _, err = invoke(capsys, "-c", str(config), "status")

    assert code in {1, 2}
    assert err.startswith("error: ")
    assert "Traceback" not in err


def test_unexpected_errors_print_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("flywheel_sync.settings.configuration_schemas", explode)

    code, _, err = invoke(capsys, "config", "schema")

    assert code == 1
    assert err.splitlines() == [
        "unexpected error: RuntimeError: boom",
        "Run again with -v for the traceback, and report it if it persists.",
    ]


def test_status_shows_engagements_by_stage_in_flywheel_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from flywheel_sync.store import EntityRecord, RawRecord, open_store, resolve_store_url

    config = write_config(tmp_path)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with open_store(resolve_store_url(None, base_dir=tmp_path)) as store:
        store.records.upsert_page(
            "jira:pmo",
            "PMO",
            [
                RawRecord(record_type="issue", external_id=str(n), payload={"n": n})
                for n in range(3)
            ],
            watermark="2026-11-01T00:00:00Z",
        )
        store.entities.replace_all(
            [
                EntityRecord(
                    kind="engagement",
                    entity_id="PMO-1",
                    name="a",
                    payload={},
                    updated_at=now,
                    flywheel_stage="service_onboarding",
                ),
                EntityRecord(
                    kind="engagement",
                    entity_id="PMO-2",
                    name="b",
                    payload={},
                    updated_at=now,
                    flywheel_stage="service_onboarding",
                ),
                EntityRecord(
                    kind="customer",
                    entity_id="grid-ops",
                    name="Grid Operations",
                    payload={},
                    updated_at=now,
                    experience_stage="realization",
                ),
            ]
        )

    code, out, _ = invoke(capsys, "-c", str(config), "status")

    assert code == 0
    lines = [" ".join(line.replace("│", " ").split()) for line in out.splitlines()]
    assert "jira:pmo 3" in lines
    assert "engagement 2" in lines
    assert "customer 1" in lines
    stage_rows = [line for line in lines if re.match(r"^\d+\. ", line)]
    assert stage_rows[:10] == [
        "1. Awareness Building 0",
        "2. Needs Assessment 0",
        "3. Value Proposition 0",
        "4. Service Development 0",
        "5. Service Onboarding 2",
        "6. Service Operation 0",
        "7. Service Monitoring 0",
        "8. Service Improvement 0",
        "9. Value Delivery 0",
        "10. Value Recognition 0",
    ]
    assert "5. Realization 1" in lines
