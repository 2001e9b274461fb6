"""Every event a report can hold: past-tense names, one payload Struct each.

Events are a permanent, public format. Each type carries its `schema` number; when a payload
changes shape, its schema is bumped and an upcaster that turns the previous shape into the
new one is registered in `UPCASTERS`. Stored events are never rewritten: they are upgraded
on read. See events/README.md for the documented format of every type.
"""

from collections.abc import Callable
from typing import Any, ClassVar, Union

import msgspec


class ReportCreated(msgspec.Struct, frozen=True, kw_only=True):
    schema: ClassVar[int] = 1
    title: str


class ChapterAdded(msgspec.Struct, frozen=True, kw_only=True):
    """`before` is the chapter it was inserted before; None appends it at the end."""

    schema: ClassVar[int] = 1
    chapter_id: str
    title: str
    before: str | None = None


class SectionAdded(msgspec.Struct, frozen=True, kw_only=True):
    schema: ClassVar[int] = 1
    section_id: str
    chapter_id: str
    title: str
    before: str | None = None


class ParagraphAdded(msgspec.Struct, frozen=True, kw_only=True):
    """A paragraph of the chapter itself when `section_id` is None."""

    schema: ClassVar[int] = 1
    paragraph_id: str
    chapter_id: str
    section_id: str | None = None
    text: str = ""
    before: str | None = None


class ParagraphTextReplaced(msgspec.Struct, frozen=True, kw_only=True):
    schema: ClassVar[int] = 1
    paragraph_id: str
    text: str


class ParagraphRemoved(msgspec.Struct, frozen=True, kw_only=True):
    schema: ClassVar[int] = 1
    paragraph_id: str


Event = Union[
    ReportCreated,
    ChapterAdded,
    SectionAdded,
    ParagraphAdded,
    ParagraphTextReplaced,
    ParagraphRemoved,
]

EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        ReportCreated,
        ChapterAdded,
        SectionAdded,
        ParagraphAdded,
        ParagraphTextReplaced,
        ParagraphRemoved,
    )
}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (type name, schema it upgrades from) -> function returning the payload at schema + 1.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}

_DECODERS = {name: msgspec.json.Decoder(cls) for name, cls in EVENT_TYPES.items()}


class UnknownEventType(ValueError):
    """A stored event whose type this code does not know: newer code wrote it."""


def event_type(event: Event) -> str:
    return type(event).__name__


def upcast(
    type_name: str,
    schema: int,
    payload: dict[str, Any],
    target: int,
    upcasters: dict[tuple[str, int], Upcaster] = UPCASTERS,
) -> dict[str, Any]:
    """Upgrade a payload step by step from `schema` to `target`."""
    while schema < target:
        step = upcasters.get((type_name, schema))
        if step is None:
            raise UnknownEventType(f"no upcaster for {type_name} from schema {schema}")
        payload = step(payload)
        schema += 1
    return payload


def decode_payload(type_name: str, schema: int, raw: bytes) -> Event:
    """Decode a stored payload into the current Struct, upcasting older schemas."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise UnknownEventType(f"unknown event type {type_name!r}")
    if schema == cls.schema:
        return _DECODERS[type_name].decode(raw)
    if schema > cls.schema:
        raise UnknownEventType(f"{type_name} schema {schema} is newer than this code's {cls.schema}")
    payload = upcast(type_name, schema, msgspec.json.decode(raw), cls.schema)
    return msgspec.convert(payload, cls)
