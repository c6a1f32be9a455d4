"""``flywheel-sync diagnose [--json] [--propose]``: symptoms in each customer's delivery work.

The symptom detectors (``mapping.yaml`` ``diagnosis``) run over the work items in the store:
each symptom is shown with its evidence (the metric, its value against the threshold, the
records behind it) and the services it prescribes. ``--propose`` adds one proposed need per
customer with symptoms, for the PMO to review. Exit 0 whether or not symptoms were found;
1 when the store holds nothing to diagnose; 2 for a usage or configuration problem.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flywheel_sync.cli.options import load_configuration_for

if TYPE_CHECKING:
    from flywheel_sync.domain import Evidence, Need, Symptom
    from flywheel_sync.engine import Portfolio

__all__ = ["diagnose", "evidence_line"]

stdout = Console(highlight=False, soft_wrap=True)

_SHOWN_REFS = 5


def _figure(metric: str, value: float) -> str:
    if metric.endswith("_ratio"):
        return f"{value:.0%}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def evidence_line(evidence: Evidence) -> str:
    """``overdue_ratio 42% > 20%; 157 records: REG-3, REG-8, REG-9, REG-11, REG-12, … (+152)``.

    Ratios are shown as percentages; at most five record refs are listed.
    """
    refs = evidence.record_refs
    shown = ", ".join(refs[:_SHOWN_REFS])
    more = f", … (+{len(refs) - _SHOWN_REFS})" if len(refs) > _SHOWN_REFS else ""
    value = _figure(evidence.metric, evidence.value)
    threshold = _figure(evidence.metric, evidence.threshold)
    return f"{evidence.metric} {value} > {threshold}; {len(refs)} records: {shown}{more}"


def _service_names(ids: tuple[str, ...], portfolio: Portfolio) -> str:
    return ", ".join(portfolio.services[i].name if i in portfolio.services else i for i in ids)


def _customer_name(customer_id: str | None, portfolio: Portfolio) -> str:
    customer = portfolio.customers.get(customer_id or "")
    return customer.name if customer else customer_id or "(no customer)"


def _symptoms_table(symptoms: tuple[Symptom, ...], portfolio: Portfolio) -> Table:
    table = Table(title="Symptoms", title_justify="left", show_lines=True)
    for column in ("customer", "symptom", "evidence", "prescribed"):
        table.add_column(column, overflow="fold")
    for symptom in symptoms:
        evidence = "\n".join(escape(evidence_line(e)) for e in symptom.evidence)
        table.add_row(
            escape(_customer_name(symptom.customer_id, portfolio)),
            f"{symptom.kind.value.replace('_', ' ')}\n{escape(symptom.summary)}",
            evidence,
            escape(_service_names(symptom.prescribed_service_ids, portfolio)),
        )
    return table


def _print_need(need: Need, portfolio: Portfolio) -> None:
    stdout.print(
        f"[bold]{escape(need.id)}[/] for {escape(_customer_name(need.customer_id, portfolio))}"
    )
    stdout.print(f"  {escape(need.statement)}")
    if need.source_refs:
        count = len(need.source_refs)
        said = ", ".join(need.source_refs[:_SHOWN_REFS]) + (", …" if count > _SHOWN_REFS else "")
        stdout.print(f"  the customer's own messages ({count}): {escape(said)}")


def _json(symptoms: tuple[Symptom, ...], needs: tuple[Need, ...] | None, now: datetime) -> str:
    document: dict[str, Any] = {
        "detected_at": now.isoformat(),
        "symptoms": [symptom.model_dump(mode="json") for symptom in symptoms],
    }
    if needs is not None:
        document["proposed_needs"] = [need.model_dump(mode="json") for need in needs]
    return json.dumps(document, indent=2, ensure_ascii=False)


def diagnose(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    propose: Annotated[
        bool, typer.Option("--propose", help="Also propose one need per customer with symptoms.")
    ] = False,
) -> None:
    """Detect symptoms in the customers' delivery work; optionally propose needs."""
    from flywheel_sync.cli.kpis_cmd import read_portfolio
    from flywheel_sync.engine import diagnose_portfolio
    from flywheel_sync.store import open_configured_store

    configuration = load_configuration_for(ctx)
    with open_configured_store(configuration.settings.store, base_dir=configuration.base_dir) as (
        store
    ):
        portfolio = read_portfolio(store)
    now = datetime.now(UTC)
    symptoms, needs = diagnose_portfolio(portfolio, configuration.mapping, now=now)
    if as_json:
        typer.echo(_json(symptoms, needs if propose else None, now))
        return
    if symptoms:
        stdout.print(_symptoms_table(symptoms, portfolio))
    else:
        stdout.print(
            f"No symptoms in the {len(portfolio.work_items):,} work items of "
            f"{len(portfolio.customers)} customers."
        )
    if propose:
        stdout.print("[bold]Proposed needs[/]" if needs else "No needs to propose.")
        for need in needs:
            _print_need(need, portfolio)
