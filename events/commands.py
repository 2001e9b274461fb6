"""Commands: what a drafter asks for, in imperative names, as one tagged union on `type`.

A command that adds an item may carry the new item's id (a UUID the client chose, so that it
can refer to the item before the acknowledgement arrives) or leave it out for the server to
assign. Unknown fields are refused, so a command cannot smuggle in its own `actor`.
"""

from typing import Union

import msgspec

from events.fields import CommandId, Id, Name, Text, Title, Version
from events.model import Details, Listing, ParticipantCategory, SpeakerCategory
from events.text_ops import Op


class _Command(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", tag=True, forbid_unknown_fields=True):
    pass


# The report

class CreateReport(_Command, kw_only=True):
    title: Title


class RetitleReport(_Command, kw_only=True):
    title: Title


class SetReportDetails(_Command, kw_only=True):
    """Replaces all the details at once: send the ones you keep too."""

    details: Details


# Chapters, sections, paragraphs, sub-items. `before`: the sibling to insert or move before;
# omitted, the item goes last.

class AddChapter(_Command, kw_only=True):
    chapter_id: Id | None = None
    title: Title
    before: Id | None = None


class RetitleChapter(_Command, kw_only=True):
    chapter_id: Id
    title: Title


class MoveChapter(_Command, kw_only=True):
    chapter_id: Id
    before: Id | None = None


class RemoveChapter(_Command, kw_only=True):
    chapter_id: Id


class AddSection(_Command, kw_only=True):
    section_id: Id | None = None
    chapter_id: Id
    title: Title
    before: Id | None = None


class RetitleSection(_Command, kw_only=True):
    section_id: Id
    title: Title


class MoveSection(_Command, kw_only=True):
    section_id: Id
    chapter_id: Id
    before: Id | None = None


class RemoveSection(_Command, kw_only=True):
    section_id: Id


class AddParagraph(_Command, kw_only=True):
    """Without `section_id`, the paragraph belongs to the chapter itself, before its sections.

    With `listing`, the paragraph's list is generated from the report's data and shown where
    `text` holds LIST_MARK (U+FFFC); the mark is added at the end if the text has none.
    """

    paragraph_id: Id | None = None
    chapter_id: Id
    section_id: Id | None = None
    text: Text = ""
    before: Id | None = None
    listing: Listing | None = None


class ReplaceParagraphText(_Command, kw_only=True):
    paragraph_id: Id
    text: Text


class EditParagraphText(_Command, kw_only=True):
    """Typing in a paragraph: `ops` (ot-text-unicode format: retain n, insert "text",
    delete {"d": n}, in code points) made on the paragraph's revision `base_revision`. The
    server transforms them past whatever was committed since, so concurrent typists converge."""

    paragraph_id: Id
    base_revision: Version
    ops: Op


class MoveParagraph(_Command, kw_only=True):
    paragraph_id: Id
    chapter_id: Id
    section_id: Id | None = None
    before: Id | None = None


class RemoveParagraph(_Command, kw_only=True):
    paragraph_id: Id


class AddSubItem(_Command, kw_only=True):
    paragraph_id: Id
    sub_item_id: Id | None = None
    text: Text
    before: Id | None = None


class ReplaceSubItemText(_Command, kw_only=True):
    paragraph_id: Id
    sub_item_id: Id
    text: Text


class MoveSubItem(_Command, kw_only=True):
    paragraph_id: Id
    sub_item_id: Id
    before: Id | None = None


class RemoveSubItem(_Command, kw_only=True):
    paragraph_id: Id
    sub_item_id: Id


class FillPlaceholder(_Command, kw_only=True):
    """`placeholder_id` as listed by GET /api/reports/{id}/placeholders."""

    placeholder_id: str
    value: Text


# The meeting's facts, from which listing paragraphs are generated

class AddAgendaItem(_Command, kw_only=True):
    """With `parent_id`, a sub-item a), b)… of that agenda item."""

    agenda_item_id: Id | None = None
    title: Title
    parent_id: Id | None = None
    before: Id | None = None


class RetitleAgendaItem(_Command, kw_only=True):
    agenda_item_id: Id
    title: Title


class RemoveAgendaItem(_Command, kw_only=True):
    agenda_item_id: Id


class RecordStatement(_Command, kw_only=True):
    statement_id: Id | None = None
    agenda_item_id: Id
    category: SpeakerCategory
    delegation: Name
    person: str = ""


class WithdrawStatement(_Command, kw_only=True):
    statement_id: Id


class AddParticipant(_Command, kw_only=True):
    participant_id: Id | None = None
    category: ParticipantCategory
    name: Name


class RemoveParticipant(_Command, kw_only=True):
    participant_id: Id


class AddPanellist(_Command, kw_only=True):
    panellist_id: Id | None = None
    agenda_item_id: Id
    name: Name
    delegation: str = ""


class RemovePanellist(_Command, kw_only=True):
    panellist_id: Id


class AddDocument(_Command, kw_only=True):
    document_id: Id | None = None
    symbol: Name
    title: Title


class RemoveDocument(_Command, kw_only=True):
    document_id: Id


class AddRecommendation(_Command, kw_only=True):
    """A recommendation is a numbered paragraph of a recommendations chapter or section."""

    recommendation_id: Id | None = None
    chapter_id: Id
    section_id: Id | None = None
    text: Text
    before: Id | None = None


# Adoption

class AdoptChapter(_Command, kw_only=True):
    chapter_id: Id


class ReopenChapter(_Command, kw_only=True):
    chapter_id: Id
    reason: Name


class AdoptReport(_Command, kw_only=True):
    ad_referendum: bool = False


Command = Union[
    CreateReport, RetitleReport, SetReportDetails,
    AddChapter, RetitleChapter, MoveChapter, RemoveChapter,
    AddSection, RetitleSection, MoveSection, RemoveSection,
    AddParagraph, ReplaceParagraphText, EditParagraphText, MoveParagraph, RemoveParagraph,
    AddSubItem, ReplaceSubItemText, MoveSubItem, RemoveSubItem,
    FillPlaceholder,
    AddAgendaItem, RetitleAgendaItem, RemoveAgendaItem,
    RecordStatement, WithdrawStatement,
    AddParticipant, RemoveParticipant,
    AddPanellist, RemovePanellist,
    AddDocument, RemoveDocument,
    AddRecommendation,
    AdoptChapter, ReopenChapter, AdoptReport,
]

COMMAND_TYPES: frozenset[str] = frozenset(cls.__name__ for cls in Command.__args__)


class CommandEnvelope(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A command as submitted over HTTP or the WebSocket.

    `expected_version`, when given, pins the command to the report version the drafter saw:
    if anything was appended since, the command is refused with `version_conflict`.
    """

    command_id: CommandId
    command: Command
    expected_version: Version | None = None
