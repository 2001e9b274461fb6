"""Commands: what a drafter asks for, in imperative names, as one tagged union on `type`.

A command that adds an item may carry the new item's id (a UUID the client chose, so that it
can refer to the item before the acknowledgement arrives) or leave it out for the server to
assign. Unknown fields are refused, so a command cannot smuggle in its own `actor`.
"""

from typing import Union

import msgspec

from events.fields import CommandId, Id, Text, Title, Version


class _Command(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag=True, forbid_unknown_fields=True):
    pass


class CreateReport(_Command, kw_only=True):
    title: Title


class AddChapter(_Command, kw_only=True):
    """`before`: the chapter to insert before; omitted, the chapter is appended."""

    chapter_id: Id | None = None
    title: Title
    before: Id | None = None


class AddSection(_Command, kw_only=True):
    section_id: Id | None = None
    chapter_id: Id
    title: Title
    before: Id | None = None


class AddParagraph(_Command, kw_only=True):
    """Without `section_id`, the paragraph belongs to the chapter itself, before its sections."""

    paragraph_id: Id | None = None
    chapter_id: Id
    section_id: Id | None = None
    text: Text = ""
    before: Id | None = None


class ReplaceParagraphText(_Command, kw_only=True):
    paragraph_id: Id
    text: Text


class RemoveParagraph(_Command, kw_only=True):
    paragraph_id: Id


Command = Union[
    CreateReport,
    AddChapter,
    AddSection,
    AddParagraph,
    ReplaceParagraphText,
    RemoveParagraph,
]

COMMAND_TYPES: frozenset[str] = frozenset(
    cls.__name__ for cls in (CreateReport, AddChapter, AddSection, AddParagraph, ReplaceParagraphText, RemoveParagraph)
)


class CommandEnvelope(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A command as submitted over HTTP or the WebSocket.

    `expected_version`, when given, pins the command to the report version the drafter saw:
    if anything was appended since, the command is refused with `version_conflict`.
    """

    command_id: CommandId
    command: Command
    expected_version: Version | None = None
