"""Query options, ordering, paging cookies, ``Prefer`` and how rows are rendered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from flywheel_sync.sandbox.dataverse.odata.options import read_collection_query, read_entity_select
from flywheel_sync.sandbox.dataverse.odata.ordering import read_orderby, sort_rows
from flywheel_sync.sandbox.dataverse.odata.paging import PageCookie
from flywheel_sync.sandbox.dataverse.odata.preferences import Preferences
from flywheel_sync.sandbox.dataverse.representation import RowView, context_url
from flywheel_sync.sandbox.dataverse.tables import PROJECT, PROJECT_TASK
from flywheel_sync.sandbox.dataverse.wire import DataverseError
from tests.unit.sandbox_dataverse.builders import BUCKET, CHILD, LEAF, ROOT, tables

TASKS = list(tables()["msdyn_projecttask"].values())
NAMES = {ROOT: "Design", CHILD: "Install meters", LEAF: "Test SCADA"}


def names_of(rows: Sequence[Mapping[str, object]]) -> list[str]:
    return [NAMES[str(row["msdyn_projecttaskid"])] for row in rows]


def refusal(params: list[tuple[str, str]]) -> tuple[int, str, str]:
    with pytest.raises(DataverseError) as raised:
        read_collection_query(params, PROJECT_TASK)
    return raised.value.status, raised.value.code, raised.value.message


def test_select_keeps_the_order_asked_and_drops_repeats() -> None:
    query = read_collection_query(
        [("$select", "msdyn_start, msdyn_subject,msdyn_start")], PROJECT_TASK
    )

    assert [c.name for c in query.select or ()] == ["msdyn_start", "msdyn_subject"]


def test_no_options_mean_every_column_all_rows_first_page() -> None:
    query = read_collection_query([("@p1", "x")], PROJECT_TASK)

    assert (query.select, query.test, query.order, query.top, query.count, query.cookie) == (
        None,
        None,
        (),
        None,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            [("$top", "-1")],
            (
                400,
                "0x80060888",
                "Invalid value '-1' for $top query option found. "
                "The $top query option requires a non-negative integer value.",
            ),
        ),
        ([("$count", "yes")], (400, "0x80060888", "'yes' is not a valid count option.")),
        ([("$skip", "5")], (400, "0x80060888", "The query parameter '$skip' is not supported.")),
        (
            [("$Select", "x")],
            (400, "0x80060888", "The query parameter '$Select' is not supported."),
        ),
        (
            [("$expand", "msdyn_project")],
            (400, "0x80060888", "The sandbox does not emulate the $expand query option."),
        ),
        (
            [("$top", "1"), ("$top", "2")],
            (
                400,
                "0x80060888",
                "Query option '$top' was specified more than once, "
                "but it must be specified at most once.",
            ),
        ),
        (
            [("$select", "msdyn_subject,msdyn_project")],
            (
                400,
                "0x0",
                "Could not find a property named 'msdyn_project' on type "
                "'Microsoft.Dynamics.CRM.msdyn_projecttask'.",
            ),
        ),
        (
            [("$orderby", "msdyn_subject up")],
            (400, "0x80060888", "Syntax error at position 16 in 'msdyn_subject up'."),
        ),
        (
            [("$skiptoken", "page=2")],
            (400, "0x80060888", "The $skiptoken query option value is not a valid paging cookie."),
        ),
    ],
)
def test_bad_options_are_refused(
    params: list[tuple[str, str]], expected: tuple[int, str, str]
) -> None:
    assert refusal(params) == expected


def test_a_single_row_reads_only_select() -> None:
    select = read_entity_select([("$select", "msdyn_subject"), ("$top", "x")], PROJECT_TASK)

    assert [c.name for c in select or ()] == ["msdyn_subject"]


@pytest.mark.parametrize(
    ("orderby", "names"),
    [
        ("msdyn_subject", ["Design", "Install meters", "Test SCADA"]),
        ("msdyn_subject desc", ["Test SCADA", "Install meters", "Design"]),
        ("msdyn_progress desc,msdyn_subject", ["Install meters", "Design", "Test SCADA"]),
        # nulls first ascending, last descending; ties keep the table's order
        ("msdyn_description", ["Design", "Install meters", "Test SCADA"]),
        ("msdyn_description desc", ["Test SCADA", "Design", "Install meters"]),
        ("_msdyn_parenttask_value desc", ["Install meters", "Design", "Test SCADA"]),
        ("msdyn_finish", ["Install meters", "Design", "Test SCADA"]),
    ],
)
def test_orderby_sorts_as_dataverse(orderby: str, names: list[str]) -> None:
    def name_of(table: str, record_id: str) -> str | None:
        return NAMES.get(record_id)

    assert names_of(sort_rows(TASKS, read_orderby(orderby, PROJECT_TASK), name_of)) == names


def test_a_lookup_sorts_by_the_related_rows_name() -> None:
    rows = [dict(TASKS[0], _msdyn_parenttask_value=LEAF), dict(TASKS[1]), dict(TASKS[2])]
    names = {ROOT: "Zulu", LEAF: "Alpha"}

    ordered = sort_rows(
        rows, read_orderby("_msdyn_parenttask_value", PROJECT_TASK), lambda t, i: names.get(i)
    )

    assert names_of(ordered) == ["Test SCADA", "Design", "Install meters"]


def test_a_paging_cookie_survives_its_token() -> None:
    cookie = PageCookie(page=3, last=LEAF, first=ROOT)
    token = cookie.token("msdyn_projecttaskid")

    assert token.startswith('<cookie pagenumber="3" pagingcookie="%3Ccookie%20page%3D%222%22')
    assert token.endswith('istracking="False" />')
    assert PageCookie.read(token) == cookie


@pytest.mark.parametrize(
    ("headers", "size", "annotations", "representation", "applied"),
    [
        ([], None, None, False, None),
        (["odata.maxpagesize=2"], 2, None, False, "odata.maxpagesize=2"),
        (
            ['odata.maxpagesize=10, odata.include-annotations="*"'],
            10,
            "*",
            False,
            'odata.maxpagesize=10, odata.include-annotations="*"',
        ),
        (["odata.maxpagesize=5001"], None, None, False, None),
        (["odata.maxpagesize=abc", "return=representation"], None, None, True, None),
        (
            ['odata.include-annotations="OData.Community.Display.V1.FormattedValue"'],
            None,
            "OData.Community.Display.V1.FormattedValue",
            False,
            'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
        ),
    ],
)
def test_prefer_headers_are_read_as_dataverse_honours_them(
    headers: list[str],
    size: int | None,
    annotations: str | None,
    representation: bool,
    applied: str | None,
) -> None:
    preferences = Preferences.read(headers)

    assert (
        preferences.max_page_size,
        preferences.annotations,
        preferences.return_representation,
    ) == (
        size,
        annotations,
        representation,
    )
    assert preferences.applied(paged=True) == applied


@pytest.mark.parametrize(
    ("asked", "term", "wanted"),
    [
        ("*", "OData.Community.Display.V1.FormattedValue", True),
        ("Microsoft.Dynamics.CRM.*", "Microsoft.Dynamics.CRM.lookuplogicalname", True),
        ("Microsoft.Dynamics.CRM.*", "OData.Community.Display.V1.FormattedValue", False),
        (
            "*,-Microsoft.Dynamics.CRM.lookuplogicalname",
            "Microsoft.Dynamics.CRM.lookuplogicalname",
            False,
        ),
        (
            "odata.community.display.v1.formattedvalue",
            "OData.Community.Display.V1.FormattedValue",
            True,
        ),
    ],
)
def test_annotation_patterns(asked: str, term: str, wanted: bool) -> None:
    assert Preferences(annotations=asked).wants()(term) is wanted


def test_a_selected_row_carries_its_etag_the_selection_and_its_key() -> None:
    view = RowView(
        PROJECT_TASK,
        select=read_entity_select([("$select", "msdyn_subject")], PROJECT_TASK),
        wants=lambda t: False,
        name_of=lambda t, i: None,
    )

    assert view.render(TASKS[0], 42) == {
        "@odata.etag": 'W/"42"',
        "msdyn_subject": "Design",
        "msdyn_projecttaskid": ROOT,
    }


def test_annotations_precede_each_value() -> None:
    select = read_entity_select(
        [
            (
                "$select",
                "_msdyn_projectbucket_value,msdyn_LinkStatus,msdyn_start,msdyn_ismilestone,msdyn_outlinelevel,msdyn_progress",
            )
        ],
        PROJECT_TASK,
    )
    row = dict(
        TASKS[2],
        msdyn_LinkStatus=192350000,
        msdyn_start="2026-05-01T14:05:00Z",
        msdyn_outlinelevel=1200,
    )
    view = RowView(
        PROJECT_TASK,
        select=select,
        wants=lambda t: True,
        name_of=lambda t, i: "Build" if i == BUCKET else None,
    )

    assert list(view.render(row, 7).items()) == [
        ("@odata.etag", 'W/"7"'),
        ("_msdyn_projectbucket_value@OData.Community.Display.V1.FormattedValue", "Build"),
        (
            "_msdyn_projectbucket_value@Microsoft.Dynamics.CRM.associatednavigationproperty",
            "msdyn_projectbucket",
        ),
        (
            "_msdyn_projectbucket_value@Microsoft.Dynamics.CRM.lookuplogicalname",
            "msdyn_projectbucket",
        ),
        ("_msdyn_projectbucket_value", BUCKET),
        ("msdyn_LinkStatus@OData.Community.Display.V1.FormattedValue", "Not Linked"),
        ("msdyn_LinkStatus", 192350000),
        ("msdyn_start@OData.Community.Display.V1.FormattedValue", "5/1/2026 2:05 PM"),
        ("msdyn_start", "2026-05-01T14:05:00Z"),
        ("msdyn_ismilestone@OData.Community.Display.V1.FormattedValue", "No"),
        ("msdyn_ismilestone", False),
        ("msdyn_outlinelevel@OData.Community.Display.V1.FormattedValue", "1,200"),
        ("msdyn_outlinelevel", 1200),
        ("msdyn_progress", 0.0),
        ("msdyn_projecttaskid", LEAF),
    ]


@pytest.mark.parametrize(
    ("select", "entity", "context"),
    [
        (None, False, "https://org/api/data/v9.2/$metadata#msdyn_projects"),
        (
            "msdyn_subject,msdyn_start",
            False,
            "https://org/api/data/v9.2/$metadata#msdyn_projects(msdyn_subject,msdyn_start)",
        ),
        (None, True, "https://org/api/data/v9.2/$metadata#msdyn_projects/$entity"),
    ],
)
def test_odata_context(select: str | None, entity: bool, context: str) -> None:
    columns = None if select is None else read_entity_select([("$select", select)], PROJECT)

    assert context_url("https://org/api/data/v9.2", PROJECT, columns, entity=entity) == context
