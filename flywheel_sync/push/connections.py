"""The writers a push uses, built from ``flywheel.toml`` on first use and closed with the run.

One writer per configured connection: a `JiraWriter` per Jira site, a `PlannerWriter` per
Graph tenant, a `ConfluenceSite` per Confluence site, a `WorkflowsWebhook` per Teams webhook,
a `ScheduleWriter` per Dataverse environment (Microsoft Project).
Each carries the connection's retry policy; Graph sessions and webhooks are closed when the
``ExitStack`` given closes.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime

from connectors.confluence import ConfluenceSite
from connectors.errors import ConnectorConfigError, RetryableError
from connectors.graph import GraphSession
from connectors.graph.planner_writer import PlannerWriter
from connectors.jira import BasicAuth, BearerAuth, JiraFlavour
from connectors.jira.site import JiraSite
from connectors.jira.writer import JiraWriter
from connectors.project import dataverse_token_provider
from connectors.project.odata import ODataClient
from connectors.project.schedule_writer import ScheduleWriter
from connectors.retry import RetryPolicy
from connectors.teams import WorkflowsWebhook
from flywheel_sync.push.apply import Executor
from flywheel_sync.push.executors.confluence import ConfluenceExecutor
from flywheel_sync.push.executors.jira import JiraExecutor
from flywheel_sync.push.executors.planner import PlannerExecutor
from flywheel_sync.push.executors.project import ProjectExecutor
from flywheel_sync.push.executors.teams import TeamsExecutor
from flywheel_sync.settings.connections import AtlassianAuth, AzureAuth
from flywheel_sync.settings.loading import Configuration

__all__ = ["Connections", "webhook_connection"]

RetryListener = Callable[[str, RetryableError, float], None]


def webhook_connection(name: str) -> str:
    """How a Teams webhook is named among connections (``workflows:pmo``)."""
    return f"workflows:{name}"


def _atlassian_auth(settings: object) -> BasicAuth | BearerAuth:
    token_secret = getattr(settings, "token", None)
    token = token_secret.get_secret_value() if token_secret else ""
    if getattr(settings, "auth", None) is AtlassianAuth.BEARER:
        return BearerAuth(token=token)
    return BasicAuth(user=str(getattr(settings, "user", "") or ""), token=token)


@dataclass
class Connections:
    """Builds and caches the writers of one run."""

    configuration: Configuration
    stack: ExitStack
    on_retry: RetryListener | None = None
    _jira: dict[str, JiraWriter] = field(default_factory=dict)
    _planner: dict[str, PlannerWriter] = field(default_factory=dict)
    _confluence: dict[str, ConfluenceSite] = field(default_factory=dict)
    _webhooks: dict[str, WorkflowsWebhook] = field(default_factory=dict)
    _project: dict[str, ScheduleWriter] = field(default_factory=dict)

    def _policy(self, name: str, max_retries: int) -> RetryPolicy:
        listener = self.on_retry

        def heard(error: RetryableError, wait: float) -> None:
            if listener is not None:
                listener(name, error, wait)

        return RetryPolicy(max_attempts=max_retries + 1, on_retry=heard)

    @staticmethod
    def _connection(name: str) -> str:
        return name.split(":", 1)[1]

    def jira(self, name: str) -> JiraWriter:
        """The writer of ``jira:<connection>``."""
        if name not in self._jira:
            settings = self.configuration.settings.jira.get(self._connection(name))
            if settings is None:
                raise ConnectorConfigError("no such Jira connection in flywheel.toml", source=name)
            site = JiraSite(
                source=name,
                url=settings.url,
                auth=_atlassian_auth(settings),
                flavour=JiraFlavour(settings.flavour.value),
                policy=self._policy(name, settings.max_retries),
                timeout=settings.timeout_seconds,
                ca_bundle=settings.ca_bundle,
            )
            self._jira[name] = JiraWriter(site)
        return self._jira[name]

    def jira_is_cloud(self, name: str) -> bool:
        """Whether ``jira:<connection>`` is configured as Cloud (comments are ADF there)."""
        settings = self.configuration.settings.jira.get(self._connection(name))
        return settings is None or settings.flavour.value == JiraFlavour.CLOUD.value

    def planner(self, name: str) -> PlannerWriter:
        """The writer of ``planner:<connection>``."""
        if name not in self._planner:
            settings = self.configuration.settings.graph.get(self._connection(name))
            if settings is None:
                raise ConnectorConfigError("no such Graph connection in flywheel.toml", source=name)
            if settings.auth is AzureAuth.STATIC_TOKEN:
                token = settings.token.get_secret_value() if settings.token else ""
                session = GraphSession(
                    base_url=settings.base_url,
                    token=token,
                    timeout=settings.timeout_seconds,
                    name=name,
                )
            else:
                from flywheel_sync.pull.sources import azure_credential

                session = GraphSession(
                    base_url=settings.base_url,
                    credential=azure_credential(settings),
                    timeout=settings.timeout_seconds,
                    name=name,
                )
            self.stack.enter_context(session)
            self._planner[name] = PlannerWriter(
                session=session, source=name, policy=self._policy(name, settings.max_retries)
            )
        return self._planner[name]

    def confluence(self, name: str) -> ConfluenceSite:
        """The site of ``confluence:<connection>``."""
        if name not in self._confluence:
            settings = self.configuration.settings.confluence.get(self._connection(name))
            if settings is None:
                raise ConnectorConfigError(
                    "no such Confluence connection in flywheel.toml", source=name
                )
            site = ConfluenceSite(
                source=name,
                url=settings.url,
                auth=_atlassian_auth(settings),
                flavour=settings.flavour.value,
                policy=self._policy(name, settings.max_retries),
                timeout=settings.timeout_seconds,
                ca_bundle=settings.ca_bundle,
            )
            self.stack.enter_context(site)
            self._confluence[name] = site
        return self._confluence[name]

    def project(self, name: str) -> ScheduleWriter:
        """The Schedule API writer of ``project:<connection>`` (a delegated, licensed user)."""
        if name not in self._project:
            settings = self.configuration.settings.dataverse.get(self._connection(name))
            if settings is None:
                raise ConnectorConfigError(
                    "no such Dataverse connection in flywheel.toml", source=name
                )
            token: str | Callable[[], str]
            if settings.auth is AzureAuth.STATIC_TOKEN:
                token = settings.token.get_secret_value() if settings.token else ""
            else:
                from flywheel_sync.pull.sources import azure_credential

                token = dataverse_token_provider(
                    azure_credential(settings), settings.url, source=name
                )
            client = ODataClient(
                source=name,
                environment_url=settings.url,
                token=token,
                api_path=settings.api_path,
                timeout=settings.timeout_seconds,
                retry=self._policy(name, settings.max_retries),
            )
            self.stack.callback(client.close)
            self._project[name] = ScheduleWriter(client, source=name)
        return self._project[name]

    def webhook(self, name: str) -> WorkflowsWebhook:
        """The webhook of ``workflows:<name>``."""
        if name not in self._webhooks:
            settings = self.configuration.settings.teams_webhooks.get(self._connection(name))
            if settings is None or settings.url is None:
                raise ConnectorConfigError(
                    "no such Teams webhook (with a url) in flywheel.toml", source=name
                )
            webhook = WorkflowsWebhook(
                source=name, url=settings.url.get_secret_value(), policy=self._policy(name, 5)
            )
            self.stack.enter_context(webhook)
            self._webhooks[name] = webhook
        return self._webhooks[name]

    def executors(self, *, clock: Callable[[], datetime], run_id: str) -> dict[str, Executor]:
        """One executor per tool, each asking this object for its writers."""
        return {
            "jira": JiraExecutor(writer_for=self.jira, clock=clock, run_id=run_id),
            "planner": PlannerExecutor(writer_for=self.planner, clock=clock, run_id=run_id),
            "confluence": ConfluenceExecutor(site_for=self.confluence, clock=clock, run_id=run_id),
            "teams": TeamsExecutor(webhook_for=self.webhook, clock=clock, run_id=run_id),
            "project": ProjectExecutor(writer_for=self.project, clock=clock, run_id=run_id),
        }
