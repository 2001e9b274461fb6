"""The spaces around punctuation in rendered text, by the rules of the report's language.

French puts a no-break space (U+00A0) before « : », after « « » and before « » », and a narrow
no-break space (U+202F) before « ; », « ! » and « ? », so that the sign never starts a line.
English puts no space before any of them. Drafters type whatever their keyboard gives (an
ordinary space, none, two); `typeset` makes it right for the output and leaves the stored text
alone.

Only the spaces between two characters change, never the other characters, and what a space
becomes depends on those two neighbours alone. That makes `typeset` idempotent: typesetting
typeset text changes nothing. A colon or question mark that is not punctuation of the prose is
left as it is: inside a web address (https://undocs.org/fr/CTOC/COP/WG.4/2021/1?x=1), or
between two digits (10:30, 3:1). Document symbols such as CTOC/COP/WG.4/2021/1 hold none of
these signs, and a space is never added or removed at a line break.
"""

import re

from events.model import Language

NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"

# The spaces a drafter may have typed (or pasted) between a word and a sign.
_SPACES = frozenset(" \t\u00a0\u202f\u2009\u2007\u2002\u2003")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")
_OPENING = frozenset("([{«\u201c\u2018")
_SIGNS = frozenset(":;!?")

# A web address ends before any punctuation that follows it in the sentence.
_ADDRESS = re.compile(r"(?:https?|ftp)://[^\s«»<>\"]*[^\s«»<>\".,;:!?)\]]|(?:mailto|urn):[^\s«»<>\"]+|www\.[^\s«»<>\"]+")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[:;!?](?=\d)")


def _protected(text: str) -> set[int]:
    """Positions of the signs that are not punctuation of the prose."""
    positions = {match.start() for match in _BETWEEN_DIGITS.finditer(text)}
    for match in _ADDRESS.finditer(text):
        positions.update(range(match.start(), match.end()))
    return positions


def _french_space(left: str | None, right: str | None, run: str, right_protected: bool) -> str:
    """The space between `left` and `right` (None at either end of the text) in French."""
    if left is None or right is None or left in _LINE_BREAKS or right in _LINE_BREAKS:
        return run
    if left == "«":
        return NO_BREAK_SPACE
    if right == "»":
        return NO_BREAK_SPACE
    if right not in _SIGNS or right_protected or left in _OPENING or left in _SIGNS:
        return run
    return NO_BREAK_SPACE if right == ":" else NARROW_NO_BREAK_SPACE


def _english_space(left: str | None, right: str | None, run: str, right_protected: bool) -> str:
    """The space between `left` and `right` in English: none before a sign."""
    if left is None or left in _LINE_BREAKS or right not in _SIGNS or right_protected:
        return run
    return ""


_RULES = {"fr": _french_space, "en": _english_space}


def typeset(text: str, language: Language) -> str:
    """`text` with the spaces around punctuation set by the rules of `language`. Idempotent."""
    space = _RULES[language]
    protected = _protected(text)
    typeset_parts: list[str] = []
    start, end = 0, len(text)
    while start <= end:
        stop = start
        while stop < end and text[stop] in _SPACES:
            stop += 1
        left = text[start - 1] if start > 0 else None
        right = text[stop] if stop < end else None
        typeset_parts.append(space(left, right, text[start:stop], stop in protected))
        if right is not None:
            typeset_parts.append(right)
        start = stop + 1
    return "".join(typeset_parts)
