"""The order of names in a report's lists: the order of a dictionary, not of code points.

UN reports list delegations alphabetically in the language of the report: « États-Unis » sorts
under E, « Égypte » comes before « El Salvador », « Côte d’Ivoire » under C. Code-point order
would put every accented or capitalised initial in the wrong place, so names are compared

1. primarily by their letters and digits alone, with accents, case, spaces, hyphens,
   apostrophes and other punctuation ignored (« Saint-Marin » < « Sénégal »);
2. then, between names equal at that level, by their accents, letter by letter, an unaccented
   letter before an accented one (« cote » < « côte »);
3. then by the raw string, so that the order is total: two different names never compare
   equal, and sorting is the same whatever order the names came in.

French and English follow the same rules; `language` is part of the contract so that a language
with letters of its own (Spanish ñ after n, say) can be added without touching the callers.
Pure Python over `unicodedata`, no ICU: the same order on every machine.
"""

import unicodedata
from collections.abc import Iterable

from events.model import Language

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})

SortKey = tuple[str, tuple[str, ...], str]


def _letters(name: str) -> list[tuple[str, str]]:
    """Each letter or digit of `name` as (base, its combining marks), in order, casefolded."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    letters: list[tuple[str, str]] = []
    for character in folded:
        if unicodedata.combining(character):
            if letters:
                base, marks = letters[-1]
                letters[-1] = (base, marks + character)
        elif character.isalnum():
            letters.append((character, ""))
    return letters


def sort_key(name: str, language: Language) -> SortKey:
    """A key under which `sorted` puts names in the dictionary order of `language`."""
    if language not in ("fr", "en"):
        raise ValueError(f"no collation for language {language!r}")
    letters = _letters(name)
    return ("".join(base for base, _ in letters), tuple(marks for _, marks in letters), name)


def sort_names(names: Iterable[str], language: Language) -> list[str]:
    """`names` in dictionary order, each distinct name once."""
    return sorted(set(names), key=lambda name: sort_key(name, language))
