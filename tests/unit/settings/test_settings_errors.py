"""Configuration errors: every problem listed, located, and explained (golden messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flywheel_sync.settings import ConfigError, ConfigNotFoundError, load_configuration
from tests.unit.settings.builders import MINIMAL_MAPPING, MINIMAL_TOML, write_config


def problems_of(config: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_configuration(config)
    return [problem.render() for problem in caught.value.problems]


def test_misspelt_nested_key_and_bad_url_are_both_reported(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        toml=MINIMAL_TOML.replace("https://northwind.atlassian.net", "htp://jira")
        + "timeout_secnds = 10\n",
    )

    assert problems_of(config) == [
        f"{config}:2: jira.pmo.url: 'htp://jira' is not a valid URL: expected http:// or "
        "https:// and a host name, e.g. https://your-domain.atlassian.net",
        f"{config}:5: jira.pmo.timeout_secnds: unknown key\n"
        "    hint: did you mean 'timeout_seconds'?",
    ]


def test_missing_secret_names_the_environment_variable_that_would_supply_it(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, toml=MINIMAL_TOML.replace('token = "jira-secret-value"\n', ""))

    assert problems_of(config) == [
        f"{config}:1: jira.pmo.token: secret 'token' is missing\n"
        "    hint: set FLYWHEEL_JIRA__PMO__TOKEN, or point jira.pmo.token_file at a file holding it"
    ]


def test_secret_from_the_environment_satisfies_the_requirement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, toml=MINIMAL_TOML.replace('token = "jira-secret-value"\n', ""))
    monkeypatch.setenv("FLYWHEEL_JIRA__PMO__TOKEN", "from-env")

    token = load_configuration(config).settings.jira["pmo"].token

    assert token is not None
    assert token.get_secret_value() == "from-env"


def test_secret_from_a_file_loses_its_trailing_newline(tmp_path: Path) -> None:
    secret = tmp_path / "jira_token"
    secret.write_text("file-secret\n", encoding="utf-8")
    config = write_config(
        tmp_path,
        toml=MINIMAL_TOML.replace('token = "jira-secret-value"', f'token_file = "{secret}"'),
    )

    token = load_configuration(config).settings.jira["pmo"].token

    assert token is not None
    assert token.get_secret_value() == "file-secret"


def test_unreadable_secret_file_is_reported(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        toml=MINIMAL_TOML.replace('token = "jira-secret-value"', 'token_file = "/nonexistent/t"'),
    )

    assert problems_of(config) == [
        f"{config}:1: jira.pmo: cannot read token_file '/nonexistent/t': No such file or directory"
    ]


def test_environment_overrides_the_file_and_its_errors_name_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path)
    monkeypatch.setenv("FLYWHEEL_JIRA__PMO__MAX_RETRIES", "99")

    assert problems_of(config) == [
        "environment variable FLYWHEEL_JIRA__PMO__MAX_RETRIES: jira.pmo.max_retries: "
        "Input should be less than or equal to 10"
    ]


def test_environment_value_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLYWHEEL_JIRA__PMO__URL", "https://other.atlassian.net/")

    settings = load_configuration(write_config(tmp_path)).settings

    assert settings.jira["pmo"].url == "https://other.atlassian.net"


@pytest.mark.parametrize(
    ("toml_addition", "expected"),
    [
        (
            '[jira.Bad-Name]\nurl = "https://x.atlassian.net"\nauth = "bearer"\ntoken = "t"\n',
            "jira.Bad-Name: 'Bad-Name' is not a valid name\n"
            "    hint: names are lower-case letters, digits and '_', starting with a letter",
        ),
        (
            '[confluence.wiki]\nurl = "http://wiki.northwind.example"\nuser = "u"\ntoken = "t"\n',
            "confluence.wiki.url: 'http://wiki.northwind.example' uses plain http: credentials "
            "would travel unencrypted; use https:// (plain http is accepted only for 127.0.0.1 "
            "and localhost, where the sandbox runs)",
        ),
        (
            '[graph.m365]\nauth = "device_code"\n',
            "graph.m365: auth = \"device_code\" needs 'tenant_id' and 'client_id'",
        ),
        (
            '[store]\nurl = "postgresql://flywheel:hunter2@db/flywheel"\n',
            "store.url: the store URL contains a password: move it to store.password, "
            "FLYWHEEL_STORE__PASSWORD or store.password_file so it is never displayed",
        ),
        (
            '[store]\nurl = "mysql://db/flywheel"\n',
            "store.url: 'mysql' databases are not supported: use sqlite:///path/to/state.db or "
            "postgresql://user@host:5432/dbname",
        ),
        (
            '[[jobs]]\nname = "sync"\npipeline = "sync"\n',
            "jobs[0]: a job needs exactly one of 'cron' or 'interval_seconds'",
        ),
        (
            '[[jobs]]\nname = "sync"\npipeline = "sync"\ncron = "* * *"\n',
            "jobs[0].cron: '* * *' is not a crontab expression: expected 5 fields "
            "(minute hour day month weekday), e.g. '*/15 * * * *'",
        ),
        (
            '[[jobs]]\nname = "sync"\npipeline = "pul"\ninterval_seconds = 60\n',
            "jobs[0].pipeline: Input should be 'pull', 'sync', 'kpi-summary' or 'diagnose'",
        ),
        (
            '[[jobs]]\nname = "sync"\npipeline = "pull"\ninterval_seconds = 60\n'
            'timezone = "Mars/Olympus"\n',
            "jobs[0].timezone: 'Mars/Olympus' is not an IANA time zone, e.g. 'UTC' or "
            "'Europe/London'",
        ),
    ],
)
def test_flywheel_toml_problem_messages(tmp_path: Path, toml_addition: str, expected: str) -> None:
    config = write_config(tmp_path, toml=MINIMAL_TOML + toml_addition)

    rendered = problems_of(config)

    assert len(rendered) == 1
    assert rendered[0].split(": ", 1)[1] == expected


def test_webhook_url_error_never_shows_the_signature(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        toml=MINIMAL_TOML + '[teams_webhooks.pmo]\nurl = "ftp://hooks.example/run?sig=TOPSECRET"\n',
    )

    rendered = "\n".join(problems_of(config))

    assert "TOPSECRET" not in rendered
    assert "teams_webhooks.pmo.url: 'ftp://hooks.example/run' is not a valid https webhook URL" in (
        rendered
    )


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (
            MINIMAL_MAPPING.replace("source: jira:pmo", "source: jira:pm"),
            "rules[0].source: unknown source 'jira:pm'\n    hint: did you mean 'jira:pmo'?",
        ),
        (
            MINIMAL_MAPPING.replace("produces: engagement", "produces: engagment"),
            "rules[0].produces: Input should be 'customer', 'service', 'need', 'symptom', "
            "'value_proposition', 'engagement', 'checklist_item' or 'work_item'",
        ),
        (
            MINIMAL_MAPPING.replace("    service: {field: PMO Service}\n", ""),
            "rules[0]: a rule producing engagement entities needs 'service'",
        ),
        (
            MINIMAL_MAPPING.replace("produces: engagement", "produces: checklist_item"),
            "rules[0]: a rule producing checklist_item entities needs 'engagement'",
        ),
        (
            MINIMAL_MAPPING.replace(
                "produces: engagement", "produces: engagement\n    checklist: true"
            ),
            "rules[0]: 'checklist: true' reads the checklists of Planner or Project engagement "
            "records; this rule produces engagement entities from jira",
        ),
        (
            MINIMAL_MAPPING.replace("{field: Flywheel Stage}", "{field: Stage, bucket: true}"),
            "rules[0].flywheel_stage: give exactly one of 'field', 'bucket', 'label_prefix' or "
            "'constant' (got field, bucket)",
        ),
        (
            MINIMAL_MAPPING.replace("{field: Flywheel Stage}", "{field: title, pattern: '(x'}"),
            "rules[0].flywheel_stage.pattern: '(x' is not a valid regular expression: missing ), "
            "unterminated subpattern at position 0",
        ),
        (
            MINIMAL_MAPPING.replace('{jql: "project = PMO AND issuetype = Epic"}', "{plans: [p1]}"),
            "rules[0]: select.plans does not apply to jira records",
        ),
        (
            MINIMAL_MAPPING
            + "diagnosis:\n  blocked_work: {threshold: 0.1, prescribes: [health]}\n",
            "diagnosis.blocked_work.prescribes[0]: unknown service 'health'\n"
            "    hint: did you mean 'health-checks'?",
        ),
        (
            MINIMAL_MAPPING
            + "  - name: engagements\n    source: jira:pmo\n    produces: service\n",
            "rules[1].name: 'engagements' is defined twice",
        ),
        (
            MINIMAL_MAPPING + "flywheel:\n  stall_after_days_by_stage: {onbording: 3}\n",
            "flywheel.stall_after_days_by_stage.onbording: 'onbording' is not a flywheel stage; "
            "did you mean 'Service Onboarding'? Expected a stage name (e.g. 'Service Onboarding') "
            "or its number 1-10.",
        ),
    ],
)
def test_mapping_problem_messages(tmp_path: Path, mapping: str, expected: str) -> None:
    config = write_config(tmp_path, mapping=mapping)

    rendered = problems_of(config)

    assert len(rendered) == 1
    assert rendered[0].split(": ", 1)[1] == expected


def test_every_problem_in_both_files_is_listed_at_once(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        toml=MINIMAL_TOML + "[logging]\nformatt = 'json'\n",
        mapping=MINIMAL_MAPPING + "experiance: derived\n",
    )

    rendered = problems_of(config)

    assert [line.split("\n")[0] for line in rendered] == [
        f"{config}:6: logging.formatt: unknown key",
        f"{tmp_path / 'mapping.yaml'}:11: experiance: unknown key",
    ]


@pytest.mark.parametrize(
    ("toml", "mapping", "expected_tail"),
    [
        (
            "[jira.pmo\nurl = 1\n",
            MINIMAL_MAPPING,
            "flywheel.toml:1: (file): Expected ']' at the end of a table declaration",
        ),
        (
            MINIMAL_TOML,
            "rules: [\n  - x\n",
            "mapping.yaml:2: (file): while parsing a flow node expected the node content, "
            "but found '-'",
        ),
        (
            MINIMAL_TOML,
            "- just\n- a list\n",
            "mapping.yaml: (file): expected a mapping of keys at the top level",
        ),
    ],
)
def test_syntax_errors_are_located(
    tmp_path: Path, toml: str, mapping: str, expected_tail: str
) -> None:
    config = write_config(tmp_path, toml=toml, mapping=mapping)

    rendered = problems_of(config)

    assert len(rendered) == 1
    assert rendered[0].endswith(expected_tail)


def test_missing_mapping_file_is_reported(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    (tmp_path / "mapping.yaml").unlink()

    assert problems_of(config) == [
        f"{tmp_path / 'mapping.yaml'}: (file): mapping file not found\n"
        "    hint: set 'mapping' in flywheel.toml, or run 'flywheel-sync init'"
    ]


def test_config_not_found_lists_every_place_looked(tmp_path: Path) -> None:
    with pytest.raises(ConfigNotFoundError) as caught:
        load_configuration(None)

    assert caught.value.problems[0].message == (
        "no flywheel.toml found; looked in: -c/--config (not given); $FLYWHEEL_CONFIG (not set); "
        f"{tmp_path / 'flywheel.toml'} (no such file)"
    )


def test_flywheel_config_variable_is_the_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "elsewhere")
    monkeypatch.setenv("FLYWHEEL_CONFIG", str(config))

    assert load_configuration(None).config_path == config
