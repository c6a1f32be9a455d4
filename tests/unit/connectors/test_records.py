"""Source records carry the tool's payload untouched and only timezone-aware times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.records import RecordPage, SourceRecord


def test_a_naive_updated_at_is_refused_with_the_record_named() -> None:
    with pytest.raises(ValueError, match="issue PMO-12: updated_at must be aware"):
        SourceRecord(
            record_type="issue",
            external_id="PMO-12",
            payload={},
            updated_at=datetime(2026, 11, 23),  # noqa: DTZ001 - the point of the test
        )


def test_a_page_keeps_its_watermark_and_request_count() -> None:
    record = SourceRecord(
        record_type="issue",
        external_id="PMO-12",
        payload={"key": "PMO-12"},
        updated_at=datetime(2026, 11, 23, tzinfo=UTC),
    )

    page = RecordPage(scope="PMO", records=(record,), watermark="2026-11-23T00:00:00+00:00")

    assert page.records[0].payload == {"key": "PMO-12"}
    assert (page.watermark, page.requests) == ("2026-11-23T00:00:00+00:00", 1)
