"""Message list paging: page sizes, page tokens, and pages read newest first."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from flywheel_sync.sandbox.graph.teams.paging import (
    PageToken,
    decode_token,
    encode_token,
    newest_first_page,
    page_size,
)
from flywheel_sync.sandbox.graph.wire import GraphError
from tests.unit.sandbox_teams.builders import message

SCOPE = "messages:19:abc@thread.tacv2"


def request(**query: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    return Request({**scope, "query_string": urlencode(query).encode()})


@pytest.mark.parametrize(
    ("query", "size"),
    [({}, 20), ({"$top": "1"}, 1), ({"$top": "50"}, 50), ({"$top": "0"}, 0)],
)
def test_page_size_defaults_to_20_and_takes_up_to_50(query: dict[str, str], size: int) -> None:
    assert page_size(request(**query)) == size


@pytest.mark.parametrize(
    ("top", "message_text"),
    [
        (
            "51",
            "The query specified in the URI is not valid. The limit of '50' for Top query has "
            "been exceeded. The value from the incoming request is '51'.",
        ),
        (
            "-1",
            "Invalid value '-1' for $top query option found. The $top query option requires a "
            "non-negative integer value.",
        ),
        (
            "ten",
            "Invalid value 'ten' for $top query option found. The $top query option requires a "
            "non-negative integer value.",
        ),
    ],
)
def test_page_size_refuses_what_odata_refuses(top: str, message_text: str) -> None:
    with pytest.raises(GraphError) as refused:
        page_size(request(**{"$top": top}))

    assert (refused.value.status, refused.value.code, refused.value.message) == (
        400,
        "BadRequest",
        message_text,
    )


def test_token_round_trips() -> None:
    token = PageToken(scope=SCOPE, after="1767225600000", top=5, expand=True)

    assert decode_token(encode_token(token), SCOPE) == token


@pytest.mark.parametrize(
    "text",
    [
        "not-a-token",
        encode_token(PageToken(scope="messages:19:other@thread.tacv2", after="1", top=5)),
        encode_token(PageToken(scope=SCOPE, after="abc", top=5)),
        encode_token(PageToken(scope=SCOPE, after="1", top=51)),
        encode_token(PageToken(scope=SCOPE, after="1", top=0)),
        "W10",  # base64url of "[]": JSON, but not a token
    ],
    ids=["garbage", "other-list", "non-numeric-id", "top-above-50", "top-zero", "not-an-object"],
)
def test_foreign_or_edited_tokens_are_a_400(text: str) -> None:
    with pytest.raises(GraphError) as refused:
        decode_token(text, SCOPE)

    assert (refused.value.status, refused.value.message) == (
        400,
        f"The $skiptoken '{text}' is not valid.",
    )


MESSAGES = [
    message("2026-01-01T09:00:00+00:00"),
    message("2026-01-02T09:00:00+00:00"),
    message("2026-01-03T09:00:00+00:00"),
]


def ids(page: list[dict[str, str]]) -> list[str]:
    return [m["id"] for m in page]


def test_first_page_is_the_newest_messages() -> None:
    page, more = newest_first_page(MESSAGES, top=2, after=None)

    assert (ids(page), more) == ([MESSAGES[2]["id"], MESSAGES[1]["id"]], True)


def test_next_page_continues_after_the_last_id_returned() -> None:
    page, more = newest_first_page(MESSAGES, top=2, after=MESSAGES[1]["id"])

    assert (ids(page), more) == ([MESSAGES[0]["id"]], False)


def test_a_message_posted_while_paging_does_not_shift_the_next_page() -> None:
    newer = [*MESSAGES, message("2026-01-04T09:00:00+00:00")]

    page, _ = newest_first_page(newer, top=2, after=MESSAGES[1]["id"])

    assert ids(page) == [MESSAGES[0]["id"]]


def test_an_empty_page_has_no_next_page() -> None:
    assert newest_first_page(MESSAGES, top=0, after=None) == ([], False)
