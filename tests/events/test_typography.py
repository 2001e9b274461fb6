"""French output gets its no-break spaces; English gets none; symbols, addresses and times keep theirs."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from events.typography import typeset

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ("les mesures suivantes :", f"les mesures suivantes{NBSP}:"),
        ("les mesures suivantes:", f"les mesures suivantes{NBSP}:"),
        ("les mesures suivantes  :", f"les mesures suivantes{NBSP}:"),
        (f"les mesures suivantes{NNBSP}:", f"les mesures suivantes{NBSP}:"),
        ("la réunion ; il s’agit", f"la réunion{NNBSP}; il s’agit"),
        ("la réunion; il s’agit", f"la réunion{NNBSP}; il s’agit"),
        ("Vraiment !", f"Vraiment{NNBSP}!"),
        ("Vraiment?", f"Vraiment{NNBSP}?"),
        ("Vraiment ?!", f"Vraiment{NNBSP}?!"),
        ("des modalités « hybrides »", f"des modalités «{NBSP}hybrides{NBSP}»"),
        ("des modalités «hybrides»", f"des modalités «{NBSP}hybrides{NBSP}»"),
        ("intitulé «  Stratégies  »", f"intitulé «{NBSP}Stratégies{NBSP}»"),
        ("« Quoi ? »", f"«{NBSP}Quoi{NNBSP}?{NBSP}»"),
        ("« hybrides » :", f"«{NBSP}hybrides{NBSP}»{NBSP}:"),
    ],
)
def test_french_punctuation_gets_its_no_break_space(typed: str, typeset_text: str) -> None:
    assert typeset(typed, "fr") == typeset_text


@pytest.mark.parametrize(
    "text",
    [
        "sous la cote CTOC/COP/WG.4/2021/INF/1/Rev.1.",
        "https://undocs.org/fr/CTOC/COP/WG.4/2021/INF/1/Rev.1",
        "voir http://undocs.org/fr/CTOC/COP/WG.4/2021/1?lang=fr&x=1 et mailto:secretariat@un.org",
        "la séance a repris à 10:30 et fini à 13:00",
        "dans un rapport de 3:1",
        "(?)",
        "[…]",
        "",
    ],
)
def test_symbols_web_addresses_and_times_are_left_alone(text: str) -> None:
    assert typeset(text, "fr") == text
    assert typeset(text, "en") == text


def test_punctuation_after_a_web_address_is_still_punctuation() -> None:
    assert typeset("voir https://undocs.org/fr/CTOC/COP/WG.4/2021/1; puis", "fr") == (
        f"voir https://undocs.org/fr/CTOC/COP/WG.4/2021/1{NNBSP}; puis"
    )


def test_no_space_is_added_at_a_line_break() -> None:
    assert typeset("suivantes\n: a) x «\ny\n» z", "fr") == "suivantes\n: a) x «\ny\n» z"


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ("the following measures :", "the following measures:"),
        (f"the meeting ; it{NNBSP}!", "the meeting; it!"),
        ("Really ?", "Really?"),
        ("at 10:30 : the Chair", "at 10:30: the Chair"),
        ("« hybrid »", "« hybrid »"),
    ],
)
def test_english_has_no_space_before_punctuation(typed: str, typeset_text: str) -> None:
    assert typeset(typed, "en") == typeset_text


# Pieces rather than characters, so that web addresses and times come up often.
text_with_punctuation = st.lists(
    st.sampled_from([*"ab1 :;!?«»()/.\n", NBSP, NNBSP, "\t", "http://", "www.", "mailto:"]), max_size=40
).map("".join)


@given(text_with_punctuation, st.sampled_from(["fr", "en"]))
@example("«»", "fr")
@example("1 :2", "en")
@example("http ://a.b;c", "en")
def test_typesetting_twice_is_typesetting_once(text: str, language: str) -> None:
    once = typeset(text, language)

    assert typeset(once, language) == once


@given(text_with_punctuation, st.sampled_from(["fr", "en"]))
def test_only_spaces_change(text: str, language: str) -> None:
    def without_spaces(s: str) -> str:
        return "".join(c for c in s if c not in f" \t{NBSP}{NNBSP}")

    assert without_spaces(typeset(text, language)) == without_spaces(text)
