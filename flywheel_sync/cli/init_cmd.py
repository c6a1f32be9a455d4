"""``flywheel-sync init [DIR]``: write starter configuration files that validate as they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flywheel_sync.cli.report import stderr
from flywheel_sync.templates import starter_text

__all__ = ["STARTER_FILES", "init"]

STARTER_FILES = ("flywheel.toml", "mapping.yaml")
stdout = Console(highlight=False, soft_wrap=True)


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write into (created if missing).", file_okay=False)
    ] = Path(),
    force: Annotated[
        bool, typer.Option("--force", metavar="", help="Overwrite files that already exist.")
    ] = False,
) -> None:
    """Write flywheel.toml, mapping.yaml and their JSON Schemas into DIR.

    The starter files point at the local sandbox, so they validate and run as written; the
    comments in them show how to connect real Jira, Confluence and Microsoft 365 instead.
    """
    from flywheel_sync.settings import configuration_schemas

    files = {name: starter_text(name) for name in STARTER_FILES}
    files.update(
        {name: json.dumps(doc, indent=2) + "\n" for name, doc in configuration_schemas().items()}
    )
    existing = [name for name in files if (directory / name).exists()]
    if existing and not force:
        stderr.print(
            f"[red]error:[/] {directory} already has {', '.join(existing)}; "
            "nothing was written. Use --force to overwrite."
        )
        raise typer.Exit(2)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
        stdout.print(f"wrote {directory / name}")
    config = directory / "flywheel.toml"
    stdout.print(f"\nNext: [bold]flywheel-sync -c {config} config validate[/]")
