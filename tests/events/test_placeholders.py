"""Bracketed placeholders: found in the text as it is now, filled once each, ids that stay put.

Paragraph 10 of the seed report: « À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13]
octobre 2021… ». A placeholder's id is `<paragraph id>:<crc32 of the bracketed text>:<n>`, n
counting the occurrences of that same text, filled ones included: filling one « [s] » never
gives another « [s] » its id.
"""

from itertools import permutations

import pytest

from events import catalogue as ev
from events import commands as cmd
from events.decide import decide_all
from events.evolve import replay
from events.model import LIST_MARK, PlaceholderFill
from events.placeholders import report_placeholders
from tests.events.builders import REPORT_ID, UNUSED, Ids, placeholder_id
from tests.events.meeting import SESSIONS, Meeting, Refusal, refused_on_meeting


@pytest.fixture
def meeting() -> Meeting:
    return Meeting()


def plural(meeting: Meeting, occurrence: int) -> str:
    """The id of the n-th « [s] » of « séance[s], tenue[s] le[s] »."""
    return placeholder_id(meeting.sessions, "[s]", occurrence)


def left(meeting: Meeting) -> list[tuple[str, str]]:
    return [(p.text, p.id) for p in report_placeholders(meeting.report)]


def text_of_sessions(meeting: Meeting) -> str:
    return meeting.paragraph(meeting.sessions).text


def test_placeholders_are_listed_in_reading_order_with_ids_made_of_paragraph_text_and_occurrence(meeting: Meeting) -> None:
    placeholders = report_placeholders(meeting.report)

    assert [(p.text, p.id, p.start) for p in placeholders] == [
        ("[sa/ses 2e et 3e]", placeholder_id(meeting.sessions, "[sa/ses 2e et 3e]"), 2),
        ("[s]", plural(meeting, 0), 26),
        ("[s]", plural(meeting, 1), 36),
        ("[s]", plural(meeting, 2), 42),
        ("[12 et 13]", placeholder_id(meeting.sessions, "[12 et 13]"), 46),
    ]
    assert placeholders[0].id == f"{meeting.sessions}:b7ee913d:0"
    assert {p.paragraph_id for p in placeholders} == {meeting.sessions}
    assert "séance[s], tenue[s]" in placeholders[2].context


def test_filling_the_second_of_three_leaves_the_others_with_their_ids(meeting: Meeting) -> None:
    events = meeting.decided(cmd.FillPlaceholder(placeholder_id=plural(meeting, 1), value="s"))

    assert events == [
        ev.PlaceholderFilled(placeholder_id=plural(meeting, 1), paragraph_id=meeting.sessions, original="[s]", value="s", start=36)
    ]
    assert "séance[s], tenues le[s] [12 et 13]" in text_of_sessions(meeting)
    assert left(meeting) == [
        ("[sa/ses 2e et 3e]", placeholder_id(meeting.sessions, "[sa/ses 2e et 3e]")),
        ("[s]", plural(meeting, 0)),
        ("[s]", plural(meeting, 2)),
        ("[12 et 13]", placeholder_id(meeting.sessions, "[12 et 13]")),
    ]


def test_the_report_keeps_what_each_placeholder_held_and_what_filled_it(meeting: Meeting) -> None:
    meeting.submit(cmd.FillPlaceholder(placeholder_id=placeholder_id(meeting.sessions, "[sa/ses 2e et 3e]"), value="ses 2e et 3e"))
    meeting.submit(cmd.FillPlaceholder(placeholder_id=plural(meeting, 0), value="s"))

    assert meeting.report.fills == (
        PlaceholderFill(
            placeholder_id=placeholder_id(meeting.sessions, "[sa/ses 2e et 3e]"),
            paragraph_id=meeting.sessions,
            original="[sa/ses 2e et 3e]",
            value="ses 2e et 3e",
        ),
        PlaceholderFill(placeholder_id=plural(meeting, 0), paragraph_id=meeting.sessions, original="[s]", value="s"),
    )
    assert text_of_sessions(meeting).startswith("À ses 2e et 3e séances, tenue[s] le[s] [12 et 13] octobre 2021")


@pytest.mark.parametrize("order", list(permutations(range(3))), ids=lambda order: "-".join(map(str, order)))
def test_each_id_fills_its_own_place_whatever_the_order(meeting: Meeting, order: tuple[int, ...]) -> None:
    for occurrence in order:
        meeting.submit(cmd.FillPlaceholder(placeholder_id=plural(meeting, occurrence), value=f"<{occurrence}>"))

    assert "séance<0>, tenue<1> le<2> [12 et 13]" in text_of_sessions(meeting)


def test_a_placeholder_may_be_filled_with_nothing(meeting: Meeting) -> None:
    for occurrence in range(3):
        meeting.submit(cmd.FillPlaceholder(placeholder_id=plural(meeting, occurrence), value=""))

    assert "séance, tenue le [12 et 13]" in text_of_sessions(meeting)


def test_ids_survive_an_edit_elsewhere_in_the_paragraph(meeting: Meeting) -> None:
    before = left(meeting)
    meeting.submit(cmd.ReplaceParagraphText(paragraph_id=meeting.sessions, text="Lors de " + SESSIONS.removeprefix("À ")))

    assert left(meeting) == before
    meeting.submit(cmd.FillPlaceholder(placeholder_id=plural(meeting, 2), value="s"))
    assert "séance[s], tenue[s] les [12 et 13]" in text_of_sessions(meeting)


def test_a_sequence_of_fills_uses_the_ids_listed_before_it(meeting: Meeting) -> None:
    fills = [cmd.FillPlaceholder(placeholder_id=plural(meeting, n), value="s") for n in (2, 0, 1)]

    events = decide_all(meeting.report, REPORT_ID, fills, Ids(1000), "alice")

    # `start` is where the placeholder stood once the fills before it were made: « [s] » is 3
    # code points, « s » one.
    assert [(e.placeholder_id, e.start) for e in events] == [(plural(meeting, 2), 42), (plural(meeting, 0), 26), (plural(meeting, 1), 34)]


def test_filled_placeholders_replay_to_the_same_text(meeting: Meeting) -> None:
    meeting.submit(cmd.FillPlaceholder(placeholder_id=plural(meeting, 1), value="s"))
    meeting.submit(cmd.FillPlaceholder(placeholder_id=placeholder_id(meeting.sessions, "[12 et 13]"), value="12 et 13"))

    assert replay(meeting.events) == meeting.report


REFUSALS = [
    Refusal("placeholder filled twice", "placeholder_filled",
            lambda m: cmd.FillPlaceholder(placeholder_id=plural(m, 1), value="s"),
            lambda m: [cmd.FillPlaceholder(placeholder_id=plural(m, 1), value="")]),
    Refusal("a placeholder whose text is not in the paragraph", "unknown_placeholder",
            lambda m: cmd.FillPlaceholder(placeholder_id=placeholder_id(m.sessions, "[14 et 15]"), value="14 et 15")),
    Refusal("a fourth « [s] » where there are three", "unknown_placeholder",
            lambda m: cmd.FillPlaceholder(placeholder_id=plural(m, 3), value="s")),
    Refusal("a placeholder edited away", "unknown_placeholder",
            lambda m: cmd.FillPlaceholder(placeholder_id=placeholder_id(m.sessions, "[12 et 13]"), value="12 et 13"),
            lambda m: [cmd.ReplaceParagraphText(paragraph_id=m.sessions, text="À ses 2e et 3e séances, tenues les 12 et 13 octobre 2021…")]),
    Refusal("a placeholder of another paragraph", "unknown_placeholder",
            lambda m: cmd.FillPlaceholder(placeholder_id=placeholder_id(m.decision, "[s]"), value="s")),
    Refusal("a placeholder of an unknown paragraph", "unknown_placeholder",
            lambda m: cmd.FillPlaceholder(placeholder_id=placeholder_id(UNUSED, "[s]"), value="s")),
    Refusal("a placeholder id that is not one", "unknown_placeholder",
            lambda m: cmd.FillPlaceholder(placeholder_id="séance[s]", value="s")),
    Refusal("a placeholder filled with the list mark", "invalid_text",
            lambda m: cmd.FillPlaceholder(placeholder_id=plural(m, 0), value=LIST_MARK)),
]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: f"{case.code}: {case.story}")
def test_refused(case: Refusal) -> None:
    assert refused_on_meeting(case) == case.code
