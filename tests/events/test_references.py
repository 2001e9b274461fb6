"""Drafters name chapters and agenda items by the numbers they read."""

import pytest

from events.errors import DomainError
from events.model import AgendaItem, Chapter, Report
from events.references import agenda_item_by_number, chapter_by_number

REPORT = Report(
    id="r",
    title="Projet de rapport",
    chapters=tuple(Chapter(id=f"c{n}", title=f"Chapitre {n}") for n in range(1, 6)),
    agenda=(
        AgendaItem(id="a1", title="Questions d’organisation", sub_items=(AgendaItem(id="a1a", title="Ouverture"), AgendaItem(id="a1b", title="Adoption"))),
        AgendaItem(id="a2", title="Stratégies efficaces"),
    ),
)


@pytest.mark.parametrize(("number", "chapter_id"), [("I", "c1"), ("iv", "c4"), ("V.", "c5"), ("2", "c2")])
def test_a_chapter_is_found_by_its_roman_numeral(number: str, chapter_id: str) -> None:
    assert chapter_by_number(REPORT, number).id == chapter_id


@pytest.mark.parametrize(("number", "item_id"), [("2", "a2"), ("1", "a1"), ("1a", "a1a"), ("1 b)", "a1b")])
def test_an_agenda_item_is_found_by_its_number_and_letter(number: str, item_id: str) -> None:
    assert agenda_item_by_number(REPORT, number).id == item_id


@pytest.mark.parametrize("number", ["VI", "0", "x"])
def test_an_unknown_chapter_number_says_so(number: str) -> None:
    with pytest.raises(DomainError) as missing:
        chapter_by_number(REPORT, number)
    assert missing.value.code == "unknown_chapter"


@pytest.mark.parametrize("number", ["3", "1c", "2a", "deux"])
def test_an_unknown_agenda_number_says_so(number: str) -> None:
    with pytest.raises(DomainError) as missing:
        agenda_item_by_number(REPORT, number)
    assert missing.value.code == "unknown_agenda_item"
