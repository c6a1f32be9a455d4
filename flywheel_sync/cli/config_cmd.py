"""``flywheel-sync config validate``, ``config schema`` and ``config reference``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flywheel_sync.cli.options import load_configuration_for

__all__ = ["app"]

app = typer.Typer(
    help="Check the configuration files; print their JSON Schemas and reference.",
    no_args_is_help=True,
)
stdout = Console(highlight=False, soft_wrap=True)


@app.command("validate")
def validate(ctx: typer.Context) -> None:
    """Check flywheel.toml and mapping.yaml; list every problem with file, line and key."""
    configuration = load_configuration_for(ctx)
    settings, mapping = configuration.settings, configuration.mapping
    connections = sum(
        len(section)
        for section in (
            settings.jira,
            settings.confluence,
            settings.graph,
            settings.dataverse,
            settings.teams_webhooks,
            settings.mspdi,
        )
    )
    stdout.print(
        f"[green]✓[/] {configuration.config_path} and {configuration.mapping_path} are valid"
    )
    stdout.print(
        f"  {connections} connection(s), {len(settings.jobs)} job(s); "
        f"{len(mapping.customers)} customer(s), {len(mapping.services)} service(s), "
        f"{len(mapping.kpis)} KPI(s), {len(mapping.rules)} mapping rule(s)"
    )


@app.command("schema")
def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the schema files into this folder.", file_okay=False
        ),
    ] = None,
) -> None:
    """Print the JSON Schemas of both files (or write them with -o) for editor completion."""
    from flywheel_sync.settings import configuration_schemas

    schemas = configuration_schemas()
    if output is None:
        typer.echo(json.dumps(schemas, indent=2, sort_keys=False))
        return
    output.mkdir(parents=True, exist_ok=True)
    for file_name, document in schemas.items():
        path = output / file_name
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        stdout.print(f"wrote {path}")


@app.command("reference")
def reference(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the Markdown into this file.", dir_okay=False),
    ] = None,
) -> None:
    """Print every key of both files as a Markdown reference (docs/configuration.md)."""
    from flywheel_sync.settings.reference import configuration_reference

    text = configuration_reference()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    stdout.print(f"wrote {output}")
