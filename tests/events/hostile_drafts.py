"""Drafts crafted to make a naive importer work super-linearly, each at a chosen size.

Each one aims at one place of events/importer.py that used to backtrack, or to loop over the
whole draft for each of its parts, and stays a draft the importer accepts or refuses quickly
once that place is linear. The unit tests (tests/events/test_importer_hostile.py) import them
at a size that took seconds before; the measurement `python -m tests.bench.imports` at 40 KB,
1 MiB and 5 MiB.
"""

from collections.abc import Callable

from events.render.numbering import roman

HEAD = "Projet de rapport\n\nI. Introduction\n\n"


def _repeat(unit: str, size: int, before: str = "", after: str = "") -> str:
    """`before`, then `unit` repeated up to about `size` characters in all, then `after`."""
    return before + unit * max(1, (size - len(before) - len(after)) // len(unit)) + after


def colon_list(size: int) -> str:
    """« 1. a : a : a : … » without a final full stop: every « : » was tried as the start of a
    list, each trial scanning to the end (the issue's 40 KB example: 3.5–15 s)."""
    return _repeat("a : ", size, HEAD + "1. ", "\n")


def statements_without_parties(size: int) -> str:
    """« des déclarations ont été faites par » over and over before the colon, and never
    « Parties »: each occurrence looked for « Parties » to the end of the sentence."""
    unit = "au titre du point 1 de l’ordre du jour, des déclarations ont été faites par "
    return _repeat(unit, size, HEAD + "1. ", "les délégations suivantes : Argentine et Chili.\n")


def names_in_one_list(size: int) -> str:
    """One name of many pieces in lower case, with many « et » in it: each piece was joined to
    the growing name and its parentheses counted again, and so was each « et »."""
    return _repeat("a et Z b, ", size, HEAD + "1. Les États suivants étaient représentés : ", "Chili.\n")


def body_without_meeting(size: int) -> str:
    """« Le A Le A … » with no punctuation and no « s’est réuni »: each « Le A » looked for
    « s’est réuni » to the end of the draft."""
    return _repeat("Le A ", size, HEAD + "1. ", "\n")


def parent_body_without_end(size: int) -> str:
    """« Conférence des Parties à » over and over with nothing that ends the name."""
    return _repeat("Conférence des Parties à ", size, HEAD + "1. ", "\n")


def document_symbol_of_slashes(size: int) -> str:
    """A listed document whose « symbol » is slashes with no closing parenthesis: every split
    of the slashes was tried."""
    lead = HEAD + "1. Le Groupe de travail était saisi des documents suivants :\n\na) Titre (A"
    return _repeat("/", size, lead, "x.\n")


def many_listed_paragraphs(size: int) -> str:
    """Thousands of paragraphs that each list a participant: every one of them listed all the
    draft's paragraphs again."""
    lines = []
    number = 1
    while sum(map(len, lines)) < size and number < 10_000:
        lines.append(f"{number}. Le Saint-Siège, État non membre, était représenté par un observateur.\n")
        number += 1
    return HEAD + "".join(lines)


def statements_of_many_delegations(size: int) -> str:
    """Thousands of statements and thousands of participants: each statement compared its
    delegation with every participant's name."""
    count = max(2, size // 40)
    names = ", ".join(f"Pays{n} (Région{n})" for n in range(count))
    return (
        HEAD
        + "1. L’ordre du jour était le suivant :\n\n1. Questions d’organisation.\n\n"
        + f"2. Les États parties au Protocole suivants étaient représentés : {names} et Chili.\n\n"
        + "3. Au titre du point 1 de l’ordre du jour, des déclarations ont été faites par les "
        + f"représentants des États Parties suivants : {names} et Chili.\n"
    )


CRAFTED: dict[str, Callable[[int], str]] = {
    "colon_list": colon_list,
    "statements_without_parties": statements_without_parties,
    "names_in_one_list": names_in_one_list,
    "body_without_meeting": body_without_meeting,
    "parent_body_without_end": parent_body_without_end,
    "document_symbol_of_slashes": document_symbol_of_slashes,
    "many_listed_paragraphs": many_listed_paragraphs,
    "statements_of_many_delegations": statements_of_many_delegations,
}


SENTENCE = (
    "Le Groupe de travail a pris note des informations fournies par le Secrétariat sur les "
    "activités menées pour appuyer l’application de la Convention et des Protocoles s’y rapportant, "
)


def long_report(size: int, width: int = 100, lead: str = "") -> str:
    """An ordinary draft, only long: chapters of 200 paragraphs of about 1 KB each, wrapped
    over lines of `width` characters, every tenth paragraph with two sub-items. `lead`: the
    text of a first paragraph, before them."""
    parts = ["Projet de rapport\n\n", "I. Chapitre 1\n\n"]
    if lead:
        parts.append(f"1. {lead}\n\n")
    total, number, chapter = sum(map(len, parts)), len(parts) - 2, 1
    while total < size:
        if number and number % 200 == 0:
            chapter += 1
            parts.append(f"{roman(chapter)}. Chapitre {chapter}\n\n")
        number += 1
        text = f"{number}. " + SENTENCE * 5 + "et a recommandé ce qui suit :"
        lines = [text[i : i + width] for i in range(0, len(text), width)]
        if number % 10 == 0:
            lines += ["a) Les États devraient agir ;", "b) Les États devraient aussi agir."]
        parts.append("\n".join(lines) + "\n\n")
        total += len(parts[-1])
    return "".join(parts)
