"""``$filter``: which of the three builder tasks each expression selects, and the refusals."""

from __future__ import annotations

import pytest

from flywheel_sync.sandbox.dataverse.odata.filtering import compile_filter
from flywheel_sync.sandbox.dataverse.tables import PROJECT_TASK
from flywheel_sync.sandbox.dataverse.wire import DataverseError
from tests.unit.sandbox_dataverse.builders import CHILD, GRID, LEAF, ROOT, tables

TASKS = list(tables()["msdyn_projecttask"].values())
NAMES = {ROOT: "Design", CHILD: "Install meters", LEAF: "Test SCADA"}


def selected(text: str) -> list[str]:
    test = compile_filter(text, PROJECT_TASK)
    return [NAMES[row["msdyn_projecttaskid"]] for row in TASKS if test(row)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # lookups and keys: bare or quoted GUIDs, any case
        (f"_msdyn_project_value eq {GRID}", ["Design", "Install meters", "Test SCADA"]),
        (f"_msdyn_project_value eq '{GRID}'", ["Design", "Install meters", "Test SCADA"]),
        (f"_msdyn_parenttask_value eq {ROOT.upper()}", ["Install meters"]),
        (f"msdyn_projecttaskid ne {ROOT}", ["Install meters", "Test SCADA"]),
        # null tests
        ("_msdyn_parenttask_value eq null", ["Design", "Test SCADA"]),
        ("_msdyn_parenttask_value ne null", ["Install meters"]),
        ("null eq msdyn_description", ["Design", "Install meters"]),
        # strings are compared without case
        ("msdyn_subject eq 'design'", ["Design"]),
        ("msdyn_subject gt 'install'", ["Install meters", "Test SCADA"]),
        # numbers, booleans, datetimes, dates
        ("msdyn_progress ge 0.5", ["Design", "Install meters"]),
        ("msdyn_progress lt 1", ["Design", "Test SCADA"]),
        ("msdyn_outlinelevel eq 2", ["Install meters"]),
        ("msdyn_ismilestone eq false", ["Test SCADA"]),
        ("msdyn_ismilestone", []),
        ("msdyn_finish gt 2026-04-05T00:00:00Z", ["Design", "Test SCADA"]),
        ("msdyn_finish le 2026-04-03T09:00:00+01:00", ["Install meters"]),
        ("msdyn_start ge 2026-05-01", ["Test SCADA"]),
        # column against column
        ("msdyn_finish gt msdyn_start", ["Design", "Install meters", "Test SCADA"]),
        # and / or / not / parentheses; and binds tighter than or
        (
            "msdyn_progress eq 1 or msdyn_progress eq 0 and msdyn_outlinelevel eq 2",
            ["Install meters"],
        ),
        (
            "(msdyn_progress eq 1 or msdyn_progress eq 0) and msdyn_outlinelevel eq 1",
            ["Test SCADA"],
        ),
        ("not msdyn_progress eq 1", ["Design", "Test SCADA"]),
        ("not (msdyn_subject eq 'Design' or msdyn_subject eq 'Test SCADA')", ["Install meters"]),
        # string functions with LIKE wildcards
        ("contains(msdyn_subject,'ALL')", ["Install meters"]),
        ("startswith(msdyn_subject,'t')", ["Test SCADA"]),
        ("endswith(msdyn_subject,'ers')", ["Install meters"]),
        ("contains(msdyn_subject,'st%me')", ["Install meters"]),
        ("startswith(msdyn_subject,'[dt]e')", ["Design", "Test SCADA"]),
        ("contains(msdyn_subject,'O''Brian')", []),
    ],
)
def test_filter_selects(text: str, names: list[str]) -> None:
    assert selected(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "msdyn_description eq 'late'",
        "msdyn_description ne 'early'",
        "not (msdyn_description eq 'early')",
        "contains(msdyn_description,'a')",
    ],
)
def test_a_null_column_compared_with_a_value_is_unknown_so_never_selected(text: str) -> None:
    assert selected(text) == ["Test SCADA"]


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            "msdyn_name eq 'x'",
            "0x0",
            "Could not find a property named 'msdyn_name' on type "
            "'Microsoft.Dynamics.CRM.msdyn_projecttask'.",
        ),
        (
            "msdyn_Subject eq 'x'",
            "0x0",
            "Could not find a property named 'msdyn_Subject' on type "
            "'Microsoft.Dynamics.CRM.msdyn_projecttask'.",
        ),
        (
            "msdyn_subject eq 1",
            "0x0",
            "A binary operator with incompatible types was detected. Found operand types "
            "'Edm.String' and 'Edm.Int32' for operator kind 'Equal'.",
        ),
        (
            "msdyn_start lt 'soon'",
            "0x0",
            "A binary operator with incompatible types was detected. Found operand types "
            "'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'LessThan'.",
        ),
        ("msdyn_subject", "0x0", "The $filter expression must evaluate to a single boolean value."),
        (
            "tolower(msdyn_subject) eq 'x'",
            "0x80060888",
            "Syntax error at position 23 in 'tolower(msdyn_subject) eq 'x''.",
        ),
        (
            "substringof('x',msdyn_subject)",
            "0x0",
            "An unknown function with name 'substringof' was found. This may also be a function "
            "import or a key lookup on a navigation property, which is not allowed.",
        ),
        (
            "contains(msdyn_progress,'1')",
            "0x0",
            "No function signature for the function with name 'contains' matches the specified "
            "arguments. The function signatures considered are: contains(Edm.String "
            "Nullable=true, Edm.String Nullable=true).",
        ),
        (
            "Microsoft.Dynamics.CRM.Today(PropertyName='msdyn_start')",
            "0x80060888",
            "Syntax error: character '=' is not valid at position 41 in "
            "'Microsoft.Dynamics.CRM.Today(PropertyName='msdyn_start')'.",
        ),
        (
            "Microsoft.Dynamics.CRM.Today(msdyn_start)",
            "0x0",
            "The sandbox does not emulate the query function 'Microsoft.Dynamics.CRM.Today'.",
        ),
        (
            "lastname eq 'O'Bryan'",
            "0x80060888",
            "There is an unterminated literal at position 21 in 'lastname eq 'O'Bryan''.",
        ),
        (
            "msdyn_subject eq",
            "0x80060888",
            "Expression expected at position 16 in 'msdyn_subject eq'.",
        ),
        (
            "(msdyn_progress eq 1",
            "0x80060888",
            "')' or operator expected at position 20 in '(msdyn_progress eq 1'.",
        ),
        (
            "msdyn_progress EQ 1",
            "0x80060888",
            "Syntax error at position 15 in 'msdyn_progress EQ 1'.",
        ),
        (
            "msdyn_progress # 1",
            "0x80060888",
            "Syntax error: character '#' is not valid at position 15 in 'msdyn_progress # 1'.",
        ),
    ],
)
def test_filter_refusals_carry_odata_messages(text: str, code: str, message: str) -> None:
    with pytest.raises(DataverseError) as raised:
        compile_filter(text, PROJECT_TASK)

    assert (raised.value.status, raised.value.code, raised.value.message) == (400, code, message)
