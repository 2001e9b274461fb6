"""Drafts crafted against the importer's patterns: each is imported in well under the bound,
where the importer of main at 629a0f0 took from seconds to minutes (its patterns backtracked).
And the linear code answers exactly as the patterns it replaced, on any text (the old patterns
are kept here as the oracle).

Before / after, pure domain, one process, on 2 cores shared with other work (load 6–8, which
makes every figure 2–4 times what it is on an idle machine: colon_list at 40 KB is 2.5 s idle):

| draft                          | size   | before | after |
| ------------------------------ | ------ | ------ | ----- |
| colon_list                     | 80 KB  | 41 s   | 0.4 s |
| statements_without_parties     | 340 KB | 40 s   | 1.1 s |
| body_without_meeting           | 80 KB  | 52 s   | 0.2 s |
| parent_body_without_end        | 100 KB | 42 s   | 0.2 s |
| document_symbol_of_slashes     | 60 KB  | 42 s   | 0.1 s |

The other crafted drafts (tests/events/hostile_drafts.py) were super-linear by factors, not
orders of magnitude, at sizes a test can afford: their figures at 40 KB, 1 MiB and 5 MiB, and
the wait of another user of a server meanwhile, are printed by `python -m tests.bench.imports`.
"""

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import commands as cmd
from events import importer
from events.errors import DomainError
from events.importer import import_draft
from events.render.docx import render_docx
from tests.events.builders import Drafting, Ids
from tests.events.hostile_drafts import CRAFTED

SIZES = {
    "colon_list": 80_000,
    "statements_without_parties": 340_000,
    "body_without_meeting": 80_000,
    "parent_body_without_end": 100_000,
    "document_symbol_of_slashes": 60_000,
}
BOUND_SECONDS = 3.0


@pytest.mark.parametrize("name", SIZES)
def test_a_crafted_draft_is_imported_in_linear_time(name: str) -> None:
    text = CRAFTED[name](SIZES[name])

    started = time.process_time()
    try:
        import_draft(text, Ids())
    except DomainError as error:  # some are refused (a paragraph too long…): quickly, too
        assert error.code in ("invalid_text", "not_a_report")
    spent = time.process_time() - started

    assert spent < BOUND_SECONDS, f"{name} at {len(text):,} characters took {spent:.1f} s of CPU"


# The patterns the linear code replaced, as they were: the oracle.
OLD_LIST_AFTER_COLON = re.compile(r"^(?P<before>.*? : )(?P<list>.+?)(?P<after>\.(?: \[…\])?)$")
OLD_STATEMENTS = re.compile(r"\bpoint (?P<item>\d+) de l’ordre du jour, des déclarations ont été faites par\b.*\bParties\b")
OLD_DOCUMENT = re.compile(r"^.+ \([A-Z][^()\s]*/[^()\s]*\)$")
OLD_PARENTHESIS = re.compile(r"^(?P<name>.+?) \((?P<inner>[^()]+)\)$")
OLD_BODY = re.compile(r"\b(?:Le |La |L’)(?P<body>[A-ZÉ][^,.;:]*?) s’est réunie?\b")
OLD_PARENT_BODY = re.compile(r"\b(?P<parent>Conférence des (?:États )?Parties (?:à|au) [^,.;:]+?)(?= a | s’| qui |[,.;:])")
OLD_FINAL_AND = re.compile(r" et (?=[A-ZÀ-Ý])")


def old_names(text: str) -> tuple[str, ...]:
    def outside_parentheses(text: str, index: int) -> bool:
        return text[:index].count("(") == text[:index].count(")")

    names: list[str] = []
    for piece in re.split(r",\s*", text):
        if names and (not piece[:1].isupper() or not outside_parentheses(names[-1], len(names[-1]))):
            names[-1] += f", {piece}"
        else:
            names.append(piece)
    last = names[-1]
    ands = [m for m in OLD_FINAL_AND.finditer(last) if outside_parentheses(last, m.start())]
    if ands:
        names[-1:] = [last[: ands[-1].start()], last[ands[-1].end() :]]
    return tuple(dict.fromkeys(name.strip() for name in names if name.strip()))


# Texts made of the pieces the patterns look for, in any order: where they disagree, if ever.
PIECES = [
    " ", "  ", "a", "Z", "É", ",", ", ", ".", ";", ":", " : ", ". […]", "[…]", "(", ")", " (", "/", "A/B",
    " et ", " et Chili", "Le ", "La ", "L’", "Groupe", " s’est réuni", " s’est réunie", "s", " a ", " s’", " qui ",
    "Conférence des Parties à ", "Conférence des États Parties au ", "point 2 de l’ordre du jour, des déclarations ont été faites par",
    "Parties", "ParParties", "\n",
]
texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
one_line = texts.map(lambda text: text.replace("\n", " "))


@given(one_line)
@settings(max_examples=400, deadline=None)
def test_the_list_after_a_colon_is_cut_as_the_pattern_did(text: str) -> None:
    old = OLD_LIST_AFTER_COLON.match(text)
    assert importer._after_colon(text) == (old and (old["before"], old["list"], old["after"]))


@given(one_line)
@settings(max_examples=400, deadline=None)
def test_statements_are_recognised_as_the_pattern_did(text: str) -> None:
    old = OLD_STATEMENTS.search(text)
    assert importer._statements_item(text) == (int(old["item"]) if old else None)


@given(one_line)
@settings(max_examples=400, deadline=None)
def test_names_are_split_as_before(text: str) -> None:
    assert importer._names(text) == old_names(text)


@given(texts)
@settings(max_examples=400, deadline=None)
def test_the_bodies_are_found_as_the_patterns_did(text: str) -> None:
    body, parent = OLD_BODY.search(text), OLD_PARENT_BODY.search(text)
    assert importer._body(text) == (body["body"] if body else "")
    assert importer._parent_body(text) == (parent["parent"] if parent else "")


@given(one_line)
@settings(max_examples=400, deadline=None)
def test_documents_and_parentheses_match_as_the_patterns_did(text: str) -> None:
    assert bool(importer._DOCUMENT.match(text)) == bool(OLD_DOCUMENT.match(text))
    new, old = importer._PARENTHESIS.match(text), OLD_PARENTHESIS.match(text)
    assert (new and new.groupdict()) == (old and old.groupdict())


@given(texts)
@settings(max_examples=400, deadline=None)
def test_the_repairs_of_spaces_and_final_stops_are_unchanged(text: str) -> None:
    assert importer._without_final_stop(text) == re.sub(r"\s*[:;.]$", "", text)
    assert importer._SPACE_BEFORE_STOP.sub("", text) == re.sub(r" +(?=[,.])", "", text)


# Control characters, in a French and an English draft

CONTROLS = "\x00\x01\x08\x0e\x1b\x1f\x7f\x80\x9f"
FRENCH = (
    "Projet de rapport\x00\n\n"
    "I. Introduction\n\n"
    "1. Le Groupe de travail sur la traite des personnes s’est réuni à Vienne\x1b les 12 et 13 octobre 2021.\n\n"
    "2. Les États parties au Protocole suivants étaient représentés : Argentine\uffff, Chili\x7f et France.\x0c"
    "II. Recommandations\n\n"
    "3. Le Groupe de travail a recommandé\x0bce qui suit :\n\n"
    "a) Les États devraient\x9f agir ;\n\n"
    "b) Les États devraient aussi\tagir.\n"
)
ENGLISH = (
    "Draft report\n\n"
    "I. Introduction\n\n"
    "1. The Working Group on Trafficking in Persons\x01 met in Vienna on 12 and 13 October 2021.\x85"
    "2. The meeting was opened by\x08 the Chair\x1f.\n\n"
    "II. Recommendations\n\n"
    "3. The Working Group recommended that States parties should\x0e consider the following\x80:\n\n"
    "a) Ratify the Protocol;\n\n"
    "b) Report on progress.\n"
)


def _texts(commands: list[cmd.Command]) -> list[str]:
    """Every piece of text the commands carry."""
    found = []
    for command in commands:
        for value in (getattr(command, name) for name in command.__struct_fields__):
            if isinstance(value, str):
                found.append(value)
            elif hasattr(value, "__struct_fields__"):
                found.extend(str(getattr(value, name)) for name in value.__struct_fields__)
    return found


@pytest.mark.parametrize(("text", "language"), [(FRENCH, "fr"), (ENGLISH, "en")])
def test_control_characters_are_stripped_from_an_imported_draft(text: str, language: str) -> None:
    commands = import_draft(text, Ids(), language)  # type: ignore[arg-type]
    drafting = Drafting()
    for command in commands:
        drafting.submit(command)
    report = drafting.report
    assert report is not None

    assert not [piece for piece in _texts(commands) if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\ufffe\uffff" for c in piece)]
    assert [chapter.title for chapter in report.chapters] == (
        ["Introduction", "Recommandations"] if language == "fr" else ["Introduction", "Recommendations"]
    )
    # A control character that ends a line (form feed, vertical tab, NEL) still does.
    assert len(report.all_paragraphs()) == 3
    assert render_docx(report)[:2] == b"PK"


def test_the_words_around_a_stripped_control_character_are_joined_as_they_read() -> None:
    commands = import_draft(FRENCH, Ids())
    paragraphs = [command.text for command in commands if isinstance(command, cmd.AddParagraph)]

    assert paragraphs[0] == "Le Groupe de travail sur la traite des personnes s’est réuni à Vienne les 12 et 13 octobre 2021."
    assert not any(c in text for text in paragraphs for c in CONTROLS)
