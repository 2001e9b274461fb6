"""Chapters in roman numerals, sections in letters, as in every UN report."""

import pytest

from events.render.numbering import letter, roman


@pytest.mark.parametrize(
    ("number", "numeral"),
    [(1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V"), (9, "IX"), (14, "XIV"), (40, "XL"),
     (90, "XC"), (400, "CD"), (1999, "MCMXCIX"), (2021, "MMXXI"), (3999, "MMMCMXCIX")],
)
def test_chapters_are_numbered_in_roman_numerals(number: int, numeral: str) -> None:
    assert roman(number) == numeral


@pytest.mark.parametrize(
    ("number", "letters"),
    [(1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (28, "AB"), (52, "AZ"), (53, "BA"), (702, "ZZ"), (703, "AAA")],
)
def test_sections_are_lettered_like_spreadsheet_columns_past_z(number: int, letters: str) -> None:
    assert letter(number) == letters


def test_letters_never_repeat_and_keep_their_order_by_length_then_alphabet() -> None:
    lettered = [letter(n) for n in range(1, 2000)]

    assert len(set(lettered)) == len(lettered)
    assert lettered == sorted(lettered, key=lambda s: (len(s), s))


@pytest.mark.parametrize("number_of", [roman, letter])
@pytest.mark.parametrize("number", [0, -1])
def test_there_is_no_chapter_or_section_zero(number_of, number: int) -> None:
    with pytest.raises(ValueError):
        number_of(number)
