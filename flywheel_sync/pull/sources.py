"""Builds the configured sources: connections from flywheel.toml, scopes from the mapping.

A connection says how to reach a tool; which plans, channels and projects to read is the
mapping's business: the union of the ``select`` of every rule naming that source. A source no
rule selects anything from is reported as a configuration problem instead of reading nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import Any

from connectors.errors import ConnectorConfigError, RetryableError
from connectors.graph import ChannelRef, GraphSession, PlannerSource, TeamsSource
from connectors.jira import BasicAuth, BearerAuth, JiraAuth, JiraFlavour, JiraSource
from connectors.project import DataverseSource, MspdiFileSource, dataverse_token_provider
from connectors.records import RecordSource
from connectors.retry import RetryPolicy
from flywheel_sync.mapping.reading import JIRA_FIELD_HOLDING
from flywheel_sync.settings.connections import (
    AtlassianAuth,
    AzureAuth,
    DataverseConnection,
    GraphConnection,
)
from flywheel_sync.settings.loading import Configuration
from flywheel_sync.settings.rules import MappingRule, RecordSelection, ValueSource
from flywheel_sync.settings.targets import JiraChecklistMode

__all__ = ["SourceFactory", "azure_credential"]

RetryListener = Callable[[str, RetryableError, float], None]


@dataclass(frozen=True, kw_only=True)
class SourceFactory:
    """Turns source names (``planner:northwind``) into ready `RecordSource` objects."""

    configuration: Configuration
    on_retry: RetryListener | None = None

    def names(self) -> list[str]:
        """Every readable source the configuration names, in flywheel.toml order."""
        names = self.configuration.settings.source_names()
        return [name for name in names if name.split(":", 1)[0] in _BUILDERS]

    def build(self, names: Sequence[str], stack: ExitStack) -> list[RecordSource]:
        """The sources called ``names``; each is closed when ``stack`` closes.

        Raises:
            ConnectorConfigError: A name is unknown, or no rule selects anything from it.
        """
        known = self.names()
        built: list[RecordSource] = []
        for name in names:
            if name not in known:
                listed = ", ".join(known) or "none"
                raise ConnectorConfigError(f"no such source (configured: {listed})", source=name)
            tool, connection = name.split(":", 1)
            source = _BUILDERS[tool](self, name, connection)
            if isinstance(source, AbstractContextManager):
                stack.enter_context(source)
            built.append(source)
        return built

    def policy(self, name: str, max_retries: int) -> RetryPolicy:
        """The one retry policy, telling the listener of every retry of ``name``."""
        listener = self.on_retry

        def heard(error: RetryableError, wait: float) -> None:
            if listener is not None:
                listener(name, error, wait)

        return RetryPolicy(max_attempts=max_retries + 1, on_retry=heard)

    def selections(self, name: str) -> list[RecordSelection]:
        """The ``select`` of every mapping rule reading ``name``."""
        return [rule.select for rule in self.configuration.mapping.rules if rule.source == name]


def _required(name: str, values: Sequence[Any], what: str, key: str) -> list[Any]:
    unique = list(dict.fromkeys(values))
    if not unique:
        raise ConnectorConfigError(
            f"no mapping rule selects any {what} to read: add 'select: {{{key}: [...]}}' "
            "to a rule with this source",
            source=name,
        )
    return unique


def _graph_session(connection: GraphConnection, name: str) -> GraphSession:
    if connection.auth is AzureAuth.STATIC_TOKEN:
        token = connection.token.get_secret_value() if connection.token else ""
        return GraphSession(
            base_url=connection.base_url, token=token, timeout=connection.timeout_seconds, name=name
        )
    return GraphSession(
        base_url=connection.base_url,
        credential=azure_credential(connection),
        timeout=connection.timeout_seconds,
        name=name,
    )


def azure_credential(connection: GraphConnection | DataverseConnection) -> Any:
    """An azure-identity credential for the configured sign-in (imported only when used)."""
    from azure.identity import (
        CertificateCredential,
        ClientSecretCredential,
        DeviceCodeCredential,
    )

    tenant, client = connection.tenant_id or "", connection.client_id or ""
    if connection.auth is AzureAuth.CLIENT_SECRET:
        secret = connection.client_secret.get_secret_value() if connection.client_secret else ""
        return ClientSecretCredential(tenant, client, secret)
    if connection.auth is AzureAuth.CERTIFICATE:
        return CertificateCredential(
            tenant, client, certificate_path=str(connection.certificate_path)
        )
    return DeviceCodeCredential(client_id=client, tenant_id=tenant)


def _field_names(rule: MappingRule) -> list[str]:
    """The tool fields a rule reads its values from."""
    values = [getattr(rule, name) for name in type(rule).model_fields]
    values += list(rule.attributes.values())
    return [v.field for v in values if isinstance(v, ValueSource) and v.field]


_JIRA_BASE_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "project",
    "labels",
    "parent",
    "created",
    "updated",
)
"""Read for every issue: what the mapping needs to select, name and date any record."""
_JIRA_ISSUE_KEYS = frozenset({"key", "id", "self"})
"""Members of every issue itself, not fields: never asked for as fields."""


def _pushed_fields(factory: SourceFactory, name: str) -> list[str]:
    """Fields push targets compare with what they write: the stage fields, the description.

    A rule need not read them (the stage may come from the workflow status), but a push
    that does not find its own write in the next pull takes it for a person's edit.
    """
    push = factory.configuration.mapping.push
    fields: list[str] = []
    stage = push.flywheel_stage.jira
    if stage is not None and stage.enabled and stage.source == name:
        fields += [stage.field, *([stage.experience_field] if stage.experience_field else [])]
    checklist = push.onboarding_checklists.jira
    if (
        checklist is not None
        and checklist.enabled
        and checklist.source == name
        and checklist.mode is JiraChecklistMode.DESCRIPTION
    ):
        fields.append("description")
    return fields


def _jira(factory: SourceFactory, name: str, connection: str) -> RecordSource:
    settings = factory.configuration.settings.jira[connection]
    rules = [r for r in factory.configuration.mapping.rules if r.source == name]
    scopes = _required(
        name, [jql for rule in rules if (jql := rule.select.jira_query())], "issues", "jql"
    )
    token = settings.token.get_secret_value() if settings.token else ""
    auth: JiraAuth = (
        BearerAuth(token=token)
        if settings.auth is AtlassianAuth.BEARER
        else BasicAuth(user=settings.user or "", token=token)
    )
    named = (
        JIRA_FIELD_HOLDING.get(f.casefold(), f)
        for rule in rules
        for f in _field_names(rule)
        if f not in _JIRA_ISSUE_KEYS
    )
    fields = dict.fromkeys([*_JIRA_BASE_FIELDS, *named, *_pushed_fields(factory, name)])
    return JiraSource(
        name=name,
        url=settings.url,
        auth=auth,
        scopes=scopes,
        fields=list(fields),
        flavour=JiraFlavour(settings.flavour.value),
        policy=factory.policy(name, settings.max_retries),
        timeout=settings.timeout_seconds,
        ca_bundle=settings.ca_bundle,
    )


def _planner(factory: SourceFactory, name: str, connection: str) -> RecordSource:
    settings = factory.configuration.settings.graph[connection]
    groups = _required(
        name, [g for s in factory.selections(name) for g in s.groups], "group", "groups"
    )
    return PlannerSource(
        name=name,
        session=_graph_session(settings, name),
        group_ids=groups,
        policy=factory.policy(name, settings.max_retries),
    )


def _teams(factory: SourceFactory, name: str, connection: str) -> RecordSource:
    settings = factory.configuration.settings.graph[connection]
    channels = _required(
        name,
        [(c.team_id, c.channel_id) for s in factory.selections(name) for c in s.channels],
        "channel",
        "channels",
    )
    return TeamsSource(
        name=name,
        session=_graph_session(settings, name),
        channels=[ChannelRef(team_id=team, channel_id=channel) for team, channel in channels],
        policy=factory.policy(name, settings.max_retries),
    )


def _project(factory: SourceFactory, name: str, connection: str) -> RecordSource:
    settings = factory.configuration.settings.dataverse[connection]
    projects = _required(
        name, [p for s in factory.selections(name) for p in s.projects], "project", "projects"
    )
    token: str | Callable[[], str]
    if settings.auth is AzureAuth.STATIC_TOKEN:
        token = settings.token.get_secret_value() if settings.token else ""
    else:
        token = dataverse_token_provider(azure_credential(settings), settings.url, source=name)
    return DataverseSource(
        name=name,
        environment_url=settings.url,
        api_path=settings.api_path,
        token=token,
        projects=projects,
        retry=factory.policy(name, settings.max_retries),
        timeout=settings.timeout_seconds,
    )


def _mspdi(factory: SourceFactory, name: str, connection: str) -> RecordSource:
    settings = factory.configuration.settings.mspdi[connection]
    path = (
        settings.path
        if settings.path.is_absolute()
        else factory.configuration.base_dir / settings.path
    )
    return MspdiFileSource(name=name, paths=[path])


_BUILDERS: dict[str, Callable[[SourceFactory, str, str], RecordSource]] = {
    "jira": _jira,
    "planner": _planner,
    "teams": _teams,
    "project": _project,
    "mspdi": _mspdi,
}
