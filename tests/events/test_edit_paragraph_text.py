"""Typing in a paragraph: edits made on the same or an older revision are merged, each
character keeps the drafter who wrote it, and what cannot be merged is refused with its code.

An edit carries the paragraph's revision it was made on; `decide` transforms it past every
text operation committed since (side "left": of two inserts at one place, the later-submitted
one comes first) and records it as `ParagraphTextEdited` with the revision it makes.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import catalogue as ev
from events import commands as cmd
from events import text_ops
from events.decide import TRANSFORM_BUDGET
from events.fields import MAX_OP_CHARACTERS, MAX_OP_COMPONENTS, MAX_TEXT_LENGTH
from events.model import LIGHT_OP, LIST_MARK, RECENT_OPS, RECENT_OPS_WEIGHT, AuthorRun, Paragraph
from events.text_ops import Delete, Op
from tests.events.builders import Drafting, placeholder_id, refusal
from tests.events.meeting import SESSIONS, Meeting

GROUP = "Le Groupe a examiné le point."


class Typing(Drafting):
    """Chapter « Introduction » with one paragraph, GROUP, written by alice at revision 0."""

    def __init__(self, text: str = GROUP) -> None:
        super().__init__()
        self.submit(cmd.CreateReport(title="Projet de rapport"))
        self.introduction = self.add_chapter("Introduction")
        self.paragraph_id = self.add_paragraph(self.introduction, text)

    def paragraph(self, paragraph_id: str | None = None) -> Paragraph:
        return next(p for p in self.report.all_paragraphs() if p.id == (paragraph_id or self.paragraph_id))

    def edit(self, base_revision: int, ops: Op, actor: str = "alice", paragraph_id: str | None = None) -> list[ev.Event]:
        command = cmd.EditParagraphText(paragraph_id=paragraph_id or self.paragraph_id, base_revision=base_revision, ops=ops)
        return [event.data for event in self.submit(command, actor)]

    def refusal(self, base_revision: int, ops: Op, paragraph_id: str | None = None) -> str:
        return refusal(
            self, cmd.EditParagraphText(paragraph_id=paragraph_id or self.paragraph_id, base_revision=base_revision, ops=ops)
        )


def authored(paragraph: Paragraph) -> list[tuple[str, str]]:
    """The paragraph's text cut into its authors' runs: [(author, words), …]."""
    runs, start = [], 0
    for run in paragraph.authors:
        runs.append((run.author, paragraph.text[start : start + run.length]))
        start += run.length
    assert start == len(paragraph.text), "the runs cover the text exactly"
    return runs


@pytest.fixture
def typing() -> Typing:
    return Typing()


# Merging

def test_an_edit_records_its_op_and_the_revision_it_makes(typing: Typing) -> None:
    events = typing.edit(0, [10, "de travail "])

    assert events == [ev.ParagraphTextEdited(paragraph_id=typing.paragraph_id, revision=1, ops=[10, "de travail "])]
    paragraph = typing.paragraph()
    assert (paragraph.text, paragraph.revision) == ("Le Groupe de travail a examiné le point.", 1)
    assert paragraph.recent_ops == ([10, "de travail "],)


def test_concurrent_edits_on_the_same_revision_are_transformed_and_both_survive(typing: Typing) -> None:
    typing.edit(0, [10, "de travail "], actor="bruno")
    (second,) = typing.edit(0, [20, Delete(8), "les points 2 et 3"], actor="chloé")

    assert second.ops == [31, Delete(8), "les points 2 et 3"]
    assert typing.paragraph().text == "Le Groupe de travail a examiné les points 2 et 3."
    assert typing.paragraph().revision == 2


def test_of_two_inserts_at_one_place_the_later_submitted_comes_first(typing: Typing) -> None:
    typing.edit(0, ["Hier, "], actor="bruno")
    typing.edit(0, ["À Vienne, "], actor="chloé")

    assert typing.paragraph().text == "À Vienne, Hier, " + GROUP


def test_text_deleted_by_both_is_deleted_once(typing: Typing) -> None:
    typing.edit(0, [10, Delete(2)], actor="bruno")  # « a »
    typing.edit(0, [10, Delete(10), "a adopté "], actor="chloé")  # « a examiné »

    assert typing.paragraph().text == "Le Groupe a adopté le point."


def test_an_edit_on_a_stale_revision_is_merged_past_every_op_since(typing: Typing) -> None:
    typing.edit(0, [10, "de travail "], actor="bruno")
    typing.edit(1, [Delete(2), "Ce"], actor="bruno")
    typing.edit(2, [len("Ce Groupe de travail a examiné le point")] + [" 2"], actor="bruno")

    (merged,) = typing.edit(1, [len("Le Groupe de travail a examiné "), "attentivement "], actor="chloé")

    assert merged.revision == 4
    assert typing.paragraph().text == "Ce Groupe de travail a examiné attentivement le point 2."


def test_an_edit_as_old_as_the_oldest_kept_op_is_merged_and_an_older_one_refused() -> None:
    typing = Typing("")
    for n in range(RECENT_OPS + 1):
        typing.edit(n, [n, "x"] if n else ["x"])
    revision = RECENT_OPS + 1
    assert len(typing.paragraph().recent_ops) == RECENT_OPS

    assert typing.refusal(revision - RECENT_OPS - 1, ["y"]) == "revision_too_old"
    typing.edit(revision - RECENT_OPS, ["y"])
    assert typing.paragraph().text == "y" + "x" * revision


def test_a_revision_the_paragraph_has_not_reached_is_unknown(typing: Typing) -> None:
    typing.edit(0, ["Hier, "])

    assert typing.refusal(2, ["Aujourd’hui, "]) == "unknown_revision"


@pytest.mark.parametrize(
    "ops",
    [
        [len(GROUP) + 1, "!"],  # past the end
        [len(GROUP) - 1, Delete(2)],  # a delete past the end
        [0, "x"],  # a retain of zero
        [3, 4, "x"],  # two retains in a row
        ["x", 3],  # a trailing retain
        [Delete(0)],  # an empty delete
    ],
    ids=["past-the-end", "delete-past-the-end", "zero-retain", "adjacent-retains", "trailing-retain", "empty-delete"],
)
def test_an_op_that_does_not_fit_is_refused(typing: Typing, ops: Op) -> None:
    assert typing.refusal(0, ops) == "invalid_ops"


def test_an_op_that_fitted_its_revision_but_not_once_merged_is_refused(typing: Typing) -> None:
    typing.edit(0, [Delete(3)])  # « Le »

    assert typing.refusal(0, [len(GROUP) + 2, "!"]) == "invalid_ops"


# What one edit may cost

def every_other_deleted(components: int) -> Op:
    """`[1, Delete(1), 1, Delete(1), …]` of `components` components: as wide as an op gets."""
    return [1, Delete(1)] * (components // 2)


def typed_behind(edits: int, text: str = "a" * 2 * MAX_OP_COMPONENTS) -> Typing:
    """A paragraph on which one keystroke after another was typed, `edits` times."""
    typing = Typing(text)
    for revision in range(edits):
        typing.edit(revision, [7 * revision + 1, "x"])
    return typing


def test_an_edit_of_more_components_than_the_limit_is_refused_and_the_widest_allowed_is_merged() -> None:
    typing = typed_behind(0)

    assert typing.refusal(0, every_other_deleted(MAX_OP_COMPONENTS + 2)) == "op_too_large"
    assert typing.paragraph().revision == 0
    typing.edit(0, every_other_deleted(MAX_OP_COMPONENTS))
    assert typing.paragraph().text == "a" * (2 * MAX_OP_COMPONENTS - MAX_OP_COMPONENTS // 2)


def test_an_edit_carrying_more_text_than_the_limit_is_refused_whatever_it_would_leave() -> None:
    """Inserted text and deleted text it remembers count alike: replacing the longest paragraph
    whole, remembering it, is the most an edit carries."""
    typing = Typing("")
    typing.edit(0, ["a" * MAX_TEXT_LENGTH])

    assert typing.refusal(1, ["b" * (MAX_OP_CHARACTERS + 1)]) == "op_too_large"
    assert typing.refusal(1, [Delete("a" * MAX_TEXT_LENGTH), "b" * (MAX_TEXT_LENGTH + 1)]) == "op_too_large"
    typing.edit(1, [Delete("a" * MAX_TEXT_LENGTH), "b" * MAX_TEXT_LENGTH])
    assert typing.paragraph().text == "b" * MAX_TEXT_LENGTH


def test_a_wide_edit_too_far_behind_is_refused_and_merged_once_made_on_a_recent_revision() -> None:
    """Issue 12: a wide edit 20 revisions behind took seconds of merging before its refusal.
    Merging it now may walk TRANSFORM_BUDGET components; further behind it is `revision_too_old`,
    and the client sends it again made on its latest revision."""
    widest = every_other_deleted(MAX_OP_COMPONENTS)
    allowed = TRANSFORM_BUDGET // (len(widest) + 2)  # each keystroke passed is two components
    typing = typed_behind(20)

    assert typing.refusal(20 - allowed - 1, widest) == "revision_too_old"
    assert typing.paragraph().revision == 20
    (merged,) = typing.edit(20 - allowed, widest)
    assert merged.revision == 21


def test_a_keystroke_as_old_as_the_oldest_kept_op_still_fits_the_budget() -> None:
    """Typing sends one insert and one retain: 500 revisions behind, well within the budget."""
    typing = typed_behind(RECENT_OPS, "a" * 8 * RECENT_OPS)
    behind = typing.paragraph().recent_ops

    assert text_ops.transform_cost([5, "y"], behind) <= TRANSFORM_BUDGET
    typing.edit(0, [5, "y"])
    assert typing.paragraph().text.replace("x", "") == "aaaaay" + "a" * (8 * RECENT_OPS - 5)


def test_the_ops_a_paragraph_keeps_weigh_at_most_the_bound_and_the_latest_is_always_kept() -> None:
    """Pastes of a whole paragraph, 500 times over, were all kept (50 million characters); the
    ops kept now weigh at most RECENT_OPS_WEIGHT, and edits older than those kept are refused."""
    typing = Typing("")
    paste = "a" * MAX_TEXT_LENGTH
    for revision in range(12):
        typing.edit(revision, [Delete(MAX_TEXT_LENGTH)] + [paste] if revision else [paste])
        kept = typing.paragraph().recent_ops
        assert sum(map(text_ops.weight, kept)) <= RECENT_OPS_WEIGHT
    assert kept[-1] == [Delete(MAX_TEXT_LENGTH), paste]
    assert typing.refusal(12 - len(kept) - 1, [Delete(1)]) == "revision_too_old"
    typing.edit(12 - len(kept), [Delete(1)])  # merged: deleted once, by the paste since

    for revision in range(13, 13 + RECENT_OPS):  # the light ops that follow the heavy ones
        typing.edit(revision, [revision, Delete(LIGHT_OP - 3), "z" * (LIGHT_OP - 3)])  # weighs LIGHT_OP
        kept = typing.paragraph().recent_ops
        assert sum(map(text_ops.weight, kept)) <= RECENT_OPS_WEIGHT
    assert len(kept) == RECENT_OPS


# The list mark and the chapter

def test_the_list_mark_of_a_listing_paragraph_cannot_be_deleted() -> None:
    meeting = Meeting()
    spoke = next(p for p in meeting.report.all_paragraphs() if p.id == meeting.spoke)
    mark = spoke.text.index(LIST_MARK)

    refused = refusal(meeting, cmd.EditParagraphText(paragraph_id=meeting.spoke, base_revision=0, ops=[mark, Delete(2)]))

    assert refused == "invalid_text"


def test_a_paragraph_cannot_be_given_a_list_mark_by_typing(typing: Typing) -> None:
    assert typing.refusal(0, [3, LIST_MARK]) == "invalid_text"


def test_the_words_around_the_list_mark_can_be_typed() -> None:
    meeting = Meeting()
    spoke = next(p for p in meeting.report.all_paragraphs() if p.id == meeting.spoke)

    meeting.submit(cmd.EditParagraphText(paragraph_id=meeting.spoke, base_revision=0, ops=[len(spoke.text) - 1, Delete(1), " ;"]))

    assert meeting.paragraph(meeting.spoke).text.endswith(f"suivantes : {LIST_MARK} ;")


def test_an_adopted_chapter_refuses_typing(typing: Typing) -> None:
    typing.submit(cmd.AdoptChapter(chapter_id=typing.introduction))

    assert typing.refusal(0, ["Hier, "]) == "chapter_adopted"


def test_an_unknown_paragraph_refuses_typing(typing: Typing) -> None:
    typing.submit(cmd.RemoveParagraph(paragraph_id=typing.paragraph_id))

    assert typing.refusal(0, ["Hier, "]) == "unknown_paragraph"


# Who wrote what

def test_each_character_keeps_the_drafter_who_wrote_it_through_concurrent_edits(typing: Typing) -> None:
    typing.edit(0, [10, "de travail "], actor="bruno")
    typing.edit(0, [20, Delete(8), "les points 2 et 3"], actor="chloé")  # made before bruno's arrived
    typing.edit(1, [Delete(1), "À Vienne, l"], actor="alice")  # seen bruno's, not chloé's

    paragraph = typing.paragraph()
    assert authored(paragraph) == [
        ("alice", "À Vienne, le Groupe "),
        ("bruno", "de travail "),
        ("alice", "a examiné "),
        ("chloé", "les points 2 et 3"),
        ("alice", "."),
    ]
    assert paragraph.authors == (
        AuthorRun("alice", 20), AuthorRun("bruno", 11), AuthorRun("alice", 10), AuthorRun("chloé", 17), AuthorRun("alice", 1)
    )


def test_inserts_at_one_place_keep_their_own_authors(typing: Typing) -> None:
    typing.edit(0, ["Hier, "], actor="bruno")
    typing.edit(0, ["À Vienne, "], actor="chloé")

    assert authored(typing.paragraph()) == [("chloé", "À Vienne, "), ("bruno", "Hier, "), ("alice", GROUP)]


def test_replacing_the_text_is_an_op_by_whoever_replaced_it(typing: Typing) -> None:
    typing.submit(cmd.ReplaceParagraphText(paragraph_id=typing.paragraph_id, text="Le Groupe a adopté le point."), "bruno")

    paragraph = typing.paragraph()
    assert paragraph.revision == 1
    # The smallest op: the « é » both words end with stays alice's.
    assert authored(paragraph) == [("alice", "Le Groupe a "), ("bruno", "adopt"), ("alice", "é le point.")]

    typing.edit(0, [len(GROUP) - 1, " 2"], actor="chloé")  # made on the text before the replacement
    assert typing.paragraph().text == "Le Groupe a adopté le point 2."
    assert authored(typing.paragraph())[-2:] == [("chloé", " 2"), ("alice", ".")]


def test_a_filled_placeholder_is_an_op_by_whoever_filled_it() -> None:
    meeting = Meeting()
    sessions = placeholder_id(meeting.sessions, "[sa/ses 2e et 3e]")
    before = meeting.paragraph(meeting.sessions)

    meeting.submit(cmd.FillPlaceholder(placeholder_id=sessions, value="ses 2e et 3e"), "bruno")

    filled = meeting.paragraph(meeting.sessions)
    assert filled.revision == before.revision + 1
    assert authored(filled) == [("alice", "À "), ("bruno", "ses 2e et 3e"), ("alice", SESSIONS[len("À [sa/ses 2e et 3e]") :])]

    # An edit made before the fill is merged past it.
    end = len(SESSIONS) - 1
    meeting.submit(
        cmd.EditParagraphText(paragraph_id=meeting.sessions, base_revision=before.revision, ops=[end, " (suite)"]), "chloé"
    )
    assert meeting.paragraph(meeting.sessions).text.endswith("de l’ordre du jour (suite).")
    assert [author for author, _ in authored(meeting.paragraph(meeting.sessions))] == ["alice", "bruno", "alice", "chloé", "alice"]


# Any interleaving

_ALPHABETS = {"alice": "abcdefghij", "bruno": "ABCDEFGHIJ", "chloé": "0123456789"}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_whatever_the_interleaving_every_character_is_credited_to_whoever_typed_it(data: st.DataObject) -> None:
    """Three drafters type letters of their own alphabet, each on a revision a few edits old."""
    typing = Typing("abc")
    texts = ["abc"]  # the text at each revision
    for _ in range(data.draw(st.integers(1, 25), label="edits")):
        author = data.draw(st.sampled_from(sorted(_ALPHABETS)), label="author")
        base = data.draw(st.integers(max(0, len(texts) - 6), len(texts) - 1), label="base revision")
        seen = texts[base]
        position = data.draw(st.integers(0, len(seen)), label="position")
        if seen[position:] and data.draw(st.booleans(), label="delete"):
            ops = [position, Delete(data.draw(st.integers(1, min(3, len(seen) - position)), label="length"))]
        else:
            ops = [position, data.draw(st.text(_ALPHABETS[author], min_size=1, max_size=3), label="insert")]
        typing.edit(base, [c for c in ops if c != 0], actor=author)
        texts.append(typing.paragraph().text)

    paragraph = typing.paragraph()
    assert paragraph.revision == len(texts) - 1
    assert len(paragraph.recent_ops) == paragraph.revision
    for author, words in authored(paragraph):
        assert set(words) <= set(_ALPHABETS[author]), (author, words)
