"""Names are listed in dictionary order, as the seed lists them, not in code-point order."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.collation import sort_key, sort_names
from tests.events.test_render_seed import OBSERVER_STATES, SPEAKERS_ON_ITEM_2, STATES_PARTIES


def shuffled(names: list[str] | tuple[str, ...], seed: int = 2021) -> list[str]:
    names = list(names)
    random.Random(seed).shuffle(names)
    return names


@pytest.mark.parametrize(
    "seed_list",
    [STATES_PARTIES, SPEAKERS_ON_ITEM_2, OBSERVER_STATES],
    ids=["paragraph 21: States parties", "paragraph 16: statements", "paragraph 22: observer States"],
)
def test_the_seed_s_lists_are_already_in_french_order(seed_list) -> None:
    assert sort_names(shuffled(seed_list), "fr") == list(seed_list)


def test_accented_initials_sort_under_their_letter() -> None:
    names = ["Espagne", "États-Unis", "El Salvador", "Équateur", "Égypte", "Estonie", "Érythrée"]

    assert sort_names(names, "fr") == ["Égypte", "El Salvador", "Équateur", "Érythrée", "Espagne", "Estonie",
                                       "États-Unis"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("République de Corée", "République dominicaine"),
        ("Saint-Marin", "Sénégal"),
        ("Sainte-Lucie", "Saint-Marin"),
        ("Pays-Bas", "Pérou"),
        ("Afghanistan", "Afrique du Sud"),
        ("Bolivie (État plurinational de)", "Brésil"),
        ("Norvège", "Nouvelle-Zélande"),
        ("Union européenne", "Uruguay"),
        ("Iran (République islamique d’)", "Iraq"),
        ("Côte d’Ivoire", "Croatie"),
        ("Costa Rica", "Côte d’Ivoire"),
    ],
)
def test_spaces_hyphens_apostrophes_and_brackets_do_not_decide_the_order(before: str, after: str) -> None:
    assert sort_key(before, "fr") < sort_key(after, "fr")
    assert sort_names([after, before], "fr") == [before, after]


def test_case_does_not_decide_the_order() -> None:
    assert sort_names(["bahamas", "Bahreïn", "BANGLADESH", "Azerbaïdjan"], "fr") == [
        "Azerbaïdjan", "bahamas", "Bahreïn", "BANGLADESH",
    ]


def test_ligatures_sort_as_their_letters() -> None:
    assert sort_names(["Oman", "Office", "Œuvre d’Orient", "Océanie"], "fr") == [
        "Océanie", "Œuvre d’Orient", "Office", "Oman",
    ]


def test_english_ignores_accents_too() -> None:
    names = ["Croatia", "Côte d’Ivoire", "Costa Rica", "Cuba", "Czechia", "Curaçao"]

    assert sort_names(names, "en") == ["Costa Rica", "Côte d’Ivoire", "Croatia", "Cuba", "Curaçao", "Czechia"]


def test_names_equal_but_for_accents_put_the_unaccented_first_then_order_by_the_raw_string() -> None:
    assert sort_names(["Côte", "cote", "Cote", "côté", "coté"], "fr") == ["Cote", "cote", "coté", "Côte", "côté"]


def test_each_name_is_listed_once() -> None:
    assert sort_names(["Chine", "Arménie", "Chine", "Arménie"], "fr") == ["Arménie", "Chine"]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        sort_key("Chine", "de")


@given(st.lists(st.text(max_size=12)), st.randoms(use_true_random=False))
def test_the_order_is_total_and_does_not_depend_on_the_order_names_came_in(names, rng) -> None:
    reordered = list(names)
    rng.shuffle(reordered)

    assert sort_names(names, "fr") == sort_names(reordered, "fr")
    assert len(sort_names(names, "fr")) == len(set(names))
