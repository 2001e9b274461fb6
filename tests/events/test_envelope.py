"""The stored event: the public, permanent format of the log, readable by every later version."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from events import catalogue
from events.catalogue import (
    EVENT_TYPES,
    ParagraphAdded,
    ParagraphTextReplaced,
    ReportCreated,
    UnknownEventType,
    decode_payload,
    upcast,
)
from events.envelope import decode_event, encode_event, read_stored
from events.errors import CorruptEvent
from tests.events.builders import REPORT_ID, stored, uid

# A ParagraphAdded as a (hypothetical) schema 1 wrote it, before its text was renamed from
# `body` to `text` in schema 2. The test pretends the current schema is 2.
OLD_PARAGRAPH_ADDED = {
    "report_id": REPORT_ID,
    "version": 3,
    "event_id": uid(1 << 64),
    "type": "ParagraphAdded",
    "schema": 1,
    "actor": "alice",
    "at": "2021-10-12T09:30:00Z",
    "command_id": "c-3",
    "data": {"paragraph_id": uid(3), "chapter_id": uid(2), "body": "Dans sa décision 4/4…"},
}


def _text_was_called_body(payload: dict[str, Any]) -> dict[str, Any]:
    payload = dict(payload)
    payload["text"] = payload.pop("body")
    return payload


@pytest.fixture
def paragraph_added_at_schema_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ParagraphAdded, "schema", 2)
    monkeypatch.setitem(catalogue.UPCASTERS, ("ParagraphAdded", 1), _text_was_called_body)


def test_a_stored_event_round_trips_through_json() -> None:
    event = stored(ParagraphAdded(paragraph_id=uid(3), chapter_id=uid(2), text="Dans sa décision 4/4…"), 3)

    assert decode_event(encode_event(event)) == event


def test_the_stored_form_is_flat_json_with_the_payload_under_data() -> None:
    event = stored(ParagraphTextReplaced(paragraph_id=uid(3), text="« Introduction »"), 7)

    assert json.loads(encode_event(event)) == {
        "report_id": REPORT_ID,
        "version": 7,
        "event_id": uid((1 << 64) + 7),
        "type": "ParagraphTextReplaced",
        "schema": 1,
        "actor": "alice",
        "at": "2021-10-12T00:00:00Z",
        "command_id": "command-7",
        "data": {"paragraph_id": uid(3), "text": "« Introduction »"},
    }


def test_the_time_of_an_event_keeps_its_instant_and_microseconds() -> None:
    at = datetime(2021, 10, 13, 17, 45, 1, 123456, tzinfo=timezone(timedelta(hours=2)))
    event = msgspec.structs.replace(stored(ReportCreated(title="Projet de rapport"), 1), at=at)

    decoded = decode_event(encode_event(event))

    assert decoded.at == at
    assert decoded.at.astimezone(UTC) == datetime(2021, 10, 13, 15, 45, 1, 123456, tzinfo=UTC)


def test_event_of_an_older_schema_is_upcast_on_read(paragraph_added_at_schema_2: None) -> None:
    event = decode_event(json.dumps(OLD_PARAGRAPH_ADDED).encode())

    assert event.data == ParagraphAdded(paragraph_id=uid(3), chapter_id=uid(2), text="Dans sa décision 4/4…")
    assert (event.version, event.actor, event.command_id) == (3, "alice", "c-3")


def test_an_upcast_event_says_it_now_holds_the_current_schema(paragraph_added_at_schema_2: None) -> None:
    event = decode_event(json.dumps(OLD_PARAGRAPH_ADDED).encode())

    assert event.schema == 2
    assert decode_event(encode_event(event)) == event


def test_upcasters_are_applied_one_schema_at_a_time() -> None:
    upcasters = {
        ("ReportCreated", 1): lambda payload: {"name": payload["name"].strip()},
        ("ReportCreated", 2): lambda payload: {"title": payload.pop("name")},
    }

    assert upcast("ReportCreated", 1, {"name": " Projet de rapport "}, 3, upcasters) == {"title": "Projet de rapport"}
    assert upcast("ReportCreated", 2, {"name": "Projet"}, 3, upcasters) == {"title": "Projet"}
    assert upcast("ReportCreated", 3, {"title": "Projet"}, 3, upcasters) == {"title": "Projet"}


def test_a_missing_upcaster_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ReportCreated, "schema", 2)

    with pytest.raises(UnknownEventType, match="no upcaster for ReportCreated from schema 1"):
        decode_payload("ReportCreated", 1, b'{"title": "Projet de rapport"}')


def test_unknown_event_type_is_reported() -> None:
    raw = dict(OLD_PARAGRAPH_ADDED, type="ReportArchived", data={})

    with pytest.raises(UnknownEventType, match="unknown event type 'ReportArchived'"):
        decode_event(json.dumps(raw).encode())


def test_an_event_from_a_newer_schema_is_reported_not_misread() -> None:
    raw = dict(OLD_PARAGRAPH_ADDED, schema=2)

    with pytest.raises(UnknownEventType, match="ParagraphAdded schema 2 is newer than this code's 1"):
        decode_event(json.dumps(raw).encode())


def test_a_malformed_payload_is_refused_with_its_path() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"Expected `str`, got `int` - at `\$.text`"):
        decode_payload("ParagraphTextReplaced", 1, b'{"paragraph_id": "p", "text": 4}')


def test_every_event_type_is_registered_under_its_class_name_with_a_schema() -> None:
    assert set(EVENT_TYPES) == {cls.__name__ for cls in catalogue.Event.__args__}
    assert all(isinstance(cls.schema, int) and cls.schema >= 1 for cls in EVENT_TYPES.values())


GOOD = dict(OLD_PARAGRAPH_ADDED, data={"paragraph_id": uid(3), "chapter_id": uid(2), "text": "Dans sa décision 4/4…"})


def test_a_stored_event_read_at_its_place_is_the_event() -> None:
    assert read_stored(json.dumps(GOOD).encode(), REPORT_ID, 3) == decode_event(json.dumps(GOOD).encode())


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        pytest.param(b"", "holds no event", id="empty"),
        pytest.param(b"\xff{not json", "not an event: JSON is malformed", id="not-json"),
        pytest.param(b'{"version": 3}', "not an event: Object missing required field", id="not-an-envelope"),
        pytest.param(json.dumps(dict(GOOD, data={"paragraph_id": 3})).encode(), "Expected `str`, got `int`", id="wrong-shape"),
        pytest.param(b"[" * 100_000, "not an event", id="nested-too-deep"),
        pytest.param(json.dumps(dict(GOOD, version=4)).encode(), f"it is version 4 of report {REPORT_ID}", id="another-version"),
        pytest.param(json.dumps(dict(GOOD, report_id=uid(9))).encode(), f"it is version 3 of report {uid(9)}", id="another-report"),
    ],
)
def test_a_damaged_stored_event_is_corrupt_event_naming_report_and_version(raw: bytes, problem: str) -> None:
    with pytest.raises(CorruptEvent) as damaged:
        read_stored(raw, REPORT_ID, 3)
    assert (damaged.value.code, damaged.value.report_id, damaged.value.version, damaged.value.newer) == ("corrupt_event", REPORT_ID, 3, False)
    assert problem in damaged.value.problem
    assert f"report {REPORT_ID}: the event stored at version 3 cannot be read" in damaged.value.message
    assert "?at=2" in damaged.value.message


@pytest.mark.parametrize(
    "raw",
    [pytest.param(dict(GOOD, type="ReportArchived", data={}), id="unknown-type"), pytest.param(dict(GOOD, schema=2), id="future-schema")],
)
def test_an_event_written_by_a_newer_version_says_so(raw: dict[str, Any]) -> None:
    with pytest.raises(CorruptEvent, match="written by a newer version of Rapporteur") as damaged:
        read_stored(json.dumps(raw).encode(), REPORT_ID, 3)
    assert damaged.value.newer
