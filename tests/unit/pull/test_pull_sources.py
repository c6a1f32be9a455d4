"""Which Jira fields a pull asks for: the rules' fields, and the fields the push writes."""

from __future__ import annotations

from pathlib import Path

from flywheel_sync.pull.sources import SourceFactory, _pushed_fields
from flywheel_sync.sandbox.description import write_sandbox_config
from flywheel_sync.sandbox.server import SandboxOptions
from flywheel_sync.settings import load_configuration


def _factory(folder: Path, *, drop_stage_target: bool = False) -> SourceFactory:
    write_sandbox_config(folder, "http://127.0.0.1:9", SandboxOptions())
    if drop_stage_target:
        mapping = folder / "mapping.yaml"
        text = mapping.read_text(encoding="utf-8")
        line = next(
            x
            for x in text.splitlines()
            if x.strip().startswith("jira: {source: jira:pmo, field: Flywheel")
        )
        mapping.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    return SourceFactory(configuration=load_configuration(folder / "flywheel.toml"))


def test_the_stage_fields_the_push_writes_are_pulled_back(tmp_path: Path) -> None:
    # Without them a push whose stage rule reads the workflow status would find none of its
    # own writes in the next pull, and take each for a person clearing the field.
    fields = _pushed_fields(_factory(tmp_path), "jira:pmo")

    assert fields == ["Flywheel Stage", "Customer Experience Stage"]


def test_no_stage_target_no_extra_fields(tmp_path: Path) -> None:
    assert _pushed_fields(_factory(tmp_path, drop_stage_target=True), "jira:pmo") == []
    assert _pushed_fields(_factory(tmp_path / "other"), "jira:elsewhere") == []
