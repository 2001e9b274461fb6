"""The numbering of UN reports: chapters I, II…, sections A, B… within a chapter, sub-items a)…

Numbers are derived from position on every render, never stored, so that inserting or
removing an item renumbers everything after it while ids stay stable.
"""

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)


def roman(number: int) -> str:
    if number < 1:
        raise ValueError("chapters are numbered from 1")
    digits = []
    for value, symbol in _ROMAN:
        count, number = divmod(number, value)
        digits.append(symbol * count)
    return "".join(digits)


def letter(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, as spreadsheet columns do past Z."""
    if number < 1:
        raise ValueError("sections are lettered from 1")
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def item_letter(number: int) -> str:
    """Sub-items a)…z), then aa), bb)…, then aaa): the letter repeated, as the UN numbers them."""
    if number < 1:
        raise ValueError("sub-items are lettered from 1")
    rounds, remainder = divmod(number - 1, 26)
    return chr(ord("a") + remainder) * (rounds + 1)
