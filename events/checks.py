"""Consistency findings: what a careful reader would query in a draft before it goes out.

`check(report)` is pure: it reads one version of a report and returns its findings, ordered by
paragraph number (findings tied to no paragraph come last), then by code, then by position in
the paragraph. The same report always gives the same list. Each finding has a stable `code`,
which is what clients branch on:

- `unresolved_placeholder`: a bracketed placeholder is still to be filled (« [12 et 13] »);
- `participant_in_two_categories`: one name is listed in two participation categories;
- `statement_by_non_participant`: a delegation made a statement but is not listed as present;
- `ordinal_inconsistent`: « sa quatrième réunion » in the report of the eleventh meeting;
- `date_outside_meeting`: a sitting or an adoption dated outside the meeting's dates;
- `adoption_mismatch`: « a adopté les chapitres I, II, IV et V » while other chapters are adopted.

Prose is read narrowly, in French and in English whatever the report's language: a phrase is
recognised only in the forms UN reports give it, so that each finding deserves a look. A
listing paragraph's LIST_MARK is an opaque token: what it lists comes from the report's data.
Sub-items are read with their paragraph; placeholders are those of `events.placeholders`.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple, get_args

import msgspec

from events.model import (
    LIST_MARK,
    Details,
    Listing,
    Paragraph,
    ParticipantCategory,
    Report,
)
from events.placeholders import report_placeholders
from events.render.numbering import roman
from events.wording import agenda_numbers


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    paragraph: int | None  # the paragraph's number 1..n as rendered; None when tied to none
    message: str  # in English, naming the values at fault


def check(report: Report) -> list[Finding]:
    """Every finding on `report`, in the order the module docstring gives."""
    findings = [
        *_unresolved_placeholders(report),
        *_participants_in_two_categories(report),
        *_statements_by_non_participants(report),
        *_inconsistent_ordinals(report),
        *_dates_outside_meeting(report),
        *_adoption_mismatches(report),
    ]
    return sorted(findings, key=lambda f: (f.paragraph is None, f.paragraph or 0, f.code))


# --- the report's structure -------------------------------------------------------------


def _numbered(report: Report) -> list[tuple[int, Paragraph]]:
    return list(enumerate(report.all_paragraphs(), start=1))


def _texts(paragraph: Paragraph) -> tuple[str, ...]:
    return (paragraph.text, *(item.text for item in paragraph.items))


def _listings(report: Report, kind: str) -> list[tuple[int, Listing]]:
    return [(n, p.listing) for n, p in _numbered(report) if p.listing and p.listing.kind == kind]


def _name_key(name: str) -> str:
    """A name as compared: accents, case, apostrophe style and spacing do not count."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").replace("‘", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _readable(text: str) -> str:
    return text.replace(LIST_MARK, "(list)")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _nth(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# --- unresolved_placeholder ---------------------------------------------------------------


def _unresolved_placeholders(report: Report) -> Iterator[Finding]:
    numbers = {p.id: n for n, p in _numbered(report)}
    for placeholder in report_placeholders(report):
        yield Finding(
            code="unresolved_placeholder",
            paragraph=numbers[placeholder.paragraph_id],
            message=f"Placeholder {placeholder.text} is still to be filled: « {_readable(placeholder.context)} ».",
        )


# --- participant_in_two_categories, statement_by_non_participant --------------------------

_CATEGORY_ORDER: tuple[str, ...] = get_args(ParticipantCategory)  # the order reports list them in
_CATEGORY_NAMES = {
    "party": "States parties",
    "signatory": "signatory States",
    "observer_state": "observer States",
    "non_member_observer_state": "non-member observer States",
    "observer_entity": "entities with a standing observer mission",
    "intergovernmental_organization": "intergovernmental organizations and United Nations entities",
    "ngo": "non-governmental organizations",
}


def _participants_in_two_categories(report: Report) -> Iterator[Finding]:
    """One finding per category after the first in which a name is listed, at that category's listing."""
    listed: dict[str, dict[str, str]] = {}  # name key -> category -> the name as written there
    for participant in report.participants:
        listed.setdefault(_name_key(participant.name), {}).setdefault(participant.category, participant.name)
    listing_of = {listing.category: n for n, listing in reversed(_listings(report, "participants"))}
    for categories in listed.values():
        first, *others = sorted(categories, key=_CATEGORY_ORDER.index)
        first_where = f" (paragraph {listing_of[first]})" if first in listing_of else ""
        for category in others:
            yield Finding(
                code="participant_in_two_categories",
                paragraph=listing_of.get(category),
                message=(
                    f"« {categories[category]} » is listed among the {_CATEGORY_NAMES[category]} "
                    f"and also among the {_CATEGORY_NAMES[first]}{first_where}."
                ),
            )


# The chair and panellists speak as officers or experts, not for a delegation listed as present.
_SPEAKERS_NOT_LISTED = {"chair", "panellist"}


def _statements_by_non_participants(report: Report) -> Iterator[Finding]:
    """Each at the first statements listing of its agenda item and speaker category, else of its
    agenda item. Listings and agenda numbers are indexed once: looked up per statement, they made
    thousands of statements take seconds."""
    if not report.participants:
        return
    present = {_name_key(p.name) for p in report.participants}
    of_item: dict[str | None, int] = {}
    of_category: dict[tuple[str | None, str | None], int] = {}
    for n, listing in _listings(report, "statements"):
        of_item.setdefault(listing.agenda_item_id, n)
        of_category.setdefault((listing.agenda_item_id, listing.category), n)
    items = agenda_numbers(report)
    for statement in report.statements:
        if statement.category in _SPEAKERS_NOT_LISTED or _name_key(statement.delegation) in present:
            continue
        item = statement.agenda_item_id
        number = items.get(item)
        yield Finding(
            code="statement_by_non_participant",
            paragraph=of_category.get((item, statement.category), of_item.get(item)),
            message=(
                f"« {statement.delegation} » made a statement under "
                f"{'an item that is not on the agenda' if number is None else f'agenda item {number}'} "
                "but is not listed among the participants."
            ),
        )


# --- ordinal_inconsistent -----------------------------------------------------------------

_CARDINAL_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_ORDINAL_WORDS = {
    "premier": 1, "première": 1, "unième": 1, "second": 2, "seconde": 2, "deuxième": 2,
    "troisième": 3, "quatrième": 4, "cinquième": 5, "sixième": 6, "septième": 7, "huitième": 8,
    "neuvième": 9, "dixième": 10, "onzième": 11, "douzième": 12, "treizième": 13,
    "quatorzième": 14, "quinzième": 15, "seizième": 16, "vingtième": 20, "trentième": 30,
    "quarantième": 40, "cinquantième": 50, "soixantième": 60, "centième": 100,
    "first": 1, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
    "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}  # fmt: skip


def _alternation(words: object) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # longest first


_ORDINAL = (
    rf"\b(?P<ordinal>(?:(?:{_alternation(_CARDINAL_WORDS)})(?:-|\s+(?:et|and)\s+|\s+)){{0,5}}"
    rf"(?:{_alternation(_ORDINAL_WORDS)})"
    r"|\d{1,3}(?:st|nd|rd|th|ème|eme|ère|re|er|è|e|ᵉ))\b"
)
_MEETING_NOUN = r"(?:réunion|session|meeting)\b"
# « sa quatrième réunion », « la 11e session », « its eleventh meeting » (never « séance »)
_ORDINAL_OF_MEETING = re.compile(rf"(?:\b(?:sa|la|cette|its|the|this)\s+)?{_ORDINAL}\s+(?P<noun>{_MEETING_NOUN})", re.IGNORECASE)
# « … avant celle-ci, qui est donc la onzième », « …, which is therefore the eleventh »
_ORDINAL_CONCLUDED = re.compile(
    rf"\b(?:est|is)\s+(?:donc|therefore|thus)\s+(?:la|le|the)\s+{_ORDINAL}(?!\s+{_MEETING_NOUN})", re.IGNORECASE
)
_ANOTHER_MEETING = re.compile(r"\b(?:depuis|dès|avant|après|jusqu['’]à|since|before|after|until)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NAMED_BODY = re.compile(r"\s+(?:du|de\s+la|de\s+l['’]|des|of\s+the)\s*(?P<body>[A-ZÀ-ÖØ-Þ][^,;:.()«»\n]*)")
_ENGLISH_SITTING_BEFORE = re.compile(r"\bat\s+(?:its|the)\s+$", re.IGNORECASE)  # « At its 3rd meeting »
_ENGLISH_SITTING_AFTER = re.compile(r",?\s+(?:held\s+)?on\s+\d")  # « … meeting, on 12 October »
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NEAR = 60  # characters either side of a mention that may say which meeting it is


class _Mention(NamedTuple):
    paragraph: int
    quote: str
    value: int


def _inconsistent_ordinals(report: Report) -> Iterator[Finding]:
    """Against `details.ordinal` when known; else each mention against the most frequent value."""
    mentions = _meeting_ordinals(report)
    if not mentions:
        return
    expected = report.details.ordinal
    if expected is not None:
        against = f"the report is of the {_nth(expected)} meeting"
    else:
        expected = Counter(m.value for m in mentions).most_common(1)[0][0]
        reference = next(m for m in mentions if m.value == expected)
        against = f"paragraph {reference.paragraph} makes it the {_nth(expected)} (« {reference.quote} »)"
    for mention in mentions:
        if mention.value != expected:
            yield Finding(
                code="ordinal_inconsistent",
                paragraph=mention.paragraph,
                message=f"« {mention.quote} » makes this the {_nth(mention.value)} meeting, but {against}.",
            )


def _meeting_ordinals(report: Report) -> list[_Mention]:
    mentions = []
    for number, paragraph in _numbered(report):
        for text in _texts(paragraph):
            matches = [m for m in _ORDINAL_OF_MEETING.finditer(text) if _names_this_meeting(text, m, report.details)]
            matches += _ORDINAL_CONCLUDED.finditer(text)
            for match in sorted(matches, key=lambda m: m.start()):
                mentions.append(_Mention(number, match.group(), _ordinal_value(match["ordinal"])))
    return mentions


def _names_this_meeting(text: str, match: re.Match[str], details: Details) -> bool:
    """Whether a meeting's ordinal is this meeting's.

    It is not when it names another meeting (« depuis sa première réunion », « sa première réunion
    les 14 et 15 avril 2009 »), a sitting in English (« At its 3rd meeting, on 12 October »), or
    another body's meeting (« la dixième session de la Conférence des Parties »).
    """
    before = text[max(0, match.start("ordinal") - _NEAR) : match.start("ordinal")]
    after = text[match.end() : match.end() + 4 * _NEAR]
    if _ANOTHER_MEETING.search(before):
        return False
    years = {int(year) for year in _YEAR.findall(_SENTENCE_BREAK.split(after[:_NEAR], 1)[0])}
    meeting_years = {day.year for day in (details.first_date, details.last_date) if day}
    if years and meeting_years and not years & meeting_years:
        return False
    if match["noun"].casefold() == "meeting" and (
        _ENGLISH_SITTING_AFTER.match(after)
        or (match["ordinal"][0].isdigit() and _ENGLISH_SITTING_BEFORE.search(before))
    ):
        return False
    named = _NAMED_BODY.match(after)
    return named is None or _is_this_body(named["body"], details)


def _is_this_body(name: str, details: Details) -> bool:
    """« du Groupe de travail » is this body; « de la Conférence des Parties » is another one."""
    if details.body:
        return _names_body(name, details.body)
    return not _names_body(name, details.parent_body)


# Where a body's short name ends: « Groupe de travail | sur la traite… », « Working Group | on… »
_QUALIFIERS = {"sur", "on", "a", "contre", "against", "pour", "for", "of", "to"}


def _names_body(name: str, full_name: str) -> bool:
    """Whether `name`, the words after « du » or « of the », names `full_name` in full or in short.

    The words run on to the next punctuation, so « Groupe de travail et a adopté » names the
    « Groupe de travail sur la traite des personnes », but « Groupe de travail sur le trafic
    illicite de migrants » names another working group.
    """
    words, full = _name_key(name).split(), _name_key(full_name).split()
    common = next((k for k, (a, b) in enumerate(zip(words, full)) if a != b), min(len(words), len(full)))
    short = next((k for k, word in enumerate(full) if word in _QUALIFIERS), len(full))
    return common > 0 and (common in (len(words), len(full)) or common == short)


def _ordinal_value(ordinal: str) -> int:
    if ordinal[0].isdigit():
        return int(re.match(r"\d+", ordinal).group())
    total = 0
    for word in re.split(r"[-\s]+", ordinal.casefold()):
        value = _CARDINAL_WORDS.get(word) or _ORDINAL_WORDS.get(word, 0)  # 0: « et », « and »
        if (value == 20 and total == 4) or (value == 100 and 0 < total < 10):
            total *= value  # « quatre-vingt », « deux cents »
        else:
            total += value
    return total


# --- date_outside_meeting -----------------------------------------------------------------

_MONTHS = {
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH = rf"(?:{_alternation(_MONTHS)})"
_DAY = r"(?:1er|1re|\d{1,2})"
_DAY_SEPARATOR = r"(?:\s*[,–—-]\s*|\s+(?:et|and|au|to)\s+)"
# « 12 octobre 2021 », « les 12 et 13 octobre 2021 », « du 30 septembre au 2 octobre 2021 »
_DATES = re.compile(
    rf"(?<![\w/.])(?P<days>{_DAY}(?:\s+{_MONTH})?(?:{_DAY_SEPARATOR}{_DAY}(?:\s+{_MONTH})?){{0,31}})"
    rf"\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
_DAY_OF = re.compile(rf"(?P<day>\d{{1,2}})(?:er|re)?(?:\s+(?P<month>{_MONTH}))?", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n")
# A sentence about this meeting's sittings or adoptions (active voice: « n'a pas été adopté » is not).
_ABOUT_SITTINGS = re.compile(
    r"\bséances?\b|\bsittings?\b|\bmeetings?,?\s+held\b|\bat\s+its\s+[^,.;]{0,40}\bmeetings?\b"
    r"|\bréunion\s+qu['’](?:il|elle)\s+a\s+tenue\b"
    r"|\b(?:a|ont|avait|avaient)\s+adopté|(?<!not\s)(?<!been\s)(?<!was\s)(?<!were\s)\badopted\b",
    re.IGNORECASE,
)


def _dates_outside_meeting(report: Report) -> Iterator[Finding]:
    first, last = report.details.first_date, report.details.last_date
    if first is None or last is None:
        return
    for number, paragraph in _numbered(report):
        for text in _texts(paragraph):
            for sentence in _SENTENCE_BREAK.split(text):
                if not _ABOUT_SITTINGS.search(sentence):
                    continue
                for match in _DATES.finditer(sentence):
                    outside = [d.isoformat() for d in _dates(match) if not first <= d <= last]
                    if outside:
                        yield Finding(
                            code="date_outside_meeting",
                            paragraph=number,
                            message=(
                                f"« {match.group()} » ({_and(outside)}) is outside the meeting's dates, "
                                f"{first.isoformat()} to {last.isoformat()}."
                            ),
                        )


def _dates(match: re.Match[str]) -> list[date]:
    """The days named, each with the next month named after it; impossible dates are skipped."""
    days = list(_DAY_OF.finditer(match["days"]))
    month = _MONTHS[match["month"].casefold()]
    found = []
    for day in reversed(days):
        month = _MONTHS[day["month"].casefold()] if day["month"] else month
        try:
            found.append(date(int(match["year"]), month, int(day["day"])))
        except ValueError:
            continue
    return found[::-1]


# --- adoption_mismatch --------------------------------------------------------------------

_ROMANS = [""] + [roman(n) for n in range(1, 400)]
_ROMAN_VALUES = {numeral: n for n, numeral in enumerate(_ROMANS) if n}
_NUMERAL = r"[IVXLCDM]+\b"
_RANGE = r"(?:à|to|[–-])"
_NUMERALS = rf"{_NUMERAL}(?:(?:\s*,\s*(?:(?:et|and)\s+)?|\s+(?:et|and)\s+|\s*{_RANGE}\s*){_NUMERAL}){{0,50}}"
_ADOPTED_CHAPTERS = re.compile(
    rf"(?i:\badopté\s+(?:les\s+chapitres|le\s+chapitre)|\badopted\s+(?:the\s+)?chapters?)\s+(?P<numerals>{_NUMERALS})"
)


def _adoption_mismatches(report: Report) -> Iterator[Finding]:
    count = len(report.chapters)
    adopted = [roman(n) for n, chapter in enumerate(report.chapters, start=1) if chapter.adopted]
    adopted_set = set(adopted)
    verb = "is" if len(adopted) == 1 else "are"
    only = f"only {_chapters(adopted)} {verb} adopted" if adopted else "no chapter is adopted yet"
    for number, paragraph in _numbered(report):
        if paragraph.listing is not None:
            continue
        for text in _texts(paragraph):
            for match in _ADOPTED_CHAPTERS.finditer(text):
                named = _chapter_numerals(match["numerals"])
                missing = [n for n in named if not 0 < _ROMAN_VALUES.get(n, 0) <= count]
                problems = [f"the report has no {_chapters(missing)} (it has {count})"] if missing else []
                if set(named) - set(missing) != adopted_set:
                    problems.append(only)
                if problems:
                    yield Finding(
                        code="adoption_mismatch",
                        paragraph=number,
                        message=f"« {match.group()} », but {' and '.join(problems)}.",
                    )


def _chapters(numerals: list[str]) -> str:
    return f"chapter {numerals[0]}" if len(numerals) == 1 else f"chapters {_and(numerals)}"


def _chapter_numerals(numerals: str) -> list[str]:
    """« I, II, IV et V » -> I, II, IV, V; « I à III » -> I, II, III."""
    named: list[str] = []
    in_range = False
    for token in re.findall(rf"[IVXLCDM]+|{_RANGE}", numerals):
        if token[0] in "IVXLCDM":
            start = _ROMAN_VALUES.get(named[-1]) if in_range and named else None
            end = _ROMAN_VALUES.get(token)
            if start and end:
                named.extend(_ROMANS[start + 1 : end])
            named.append(token)
            in_range = False
        else:
            in_range = True
    return list(dict.fromkeys(named))
