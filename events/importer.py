"""A draft in the seed's form -> the commands that build it, in order, ready for `decide`.

The form is the plain text the secretariat gets out of a PDF: the report title, chapters
« I. Introduction », sections « A. Déclarations » (a title may run over several lines, up to the
next heading or paragraph), paragraphs « 1. … » numbered continuously across the report and
wrapped over many lines, sub-items « a) … » after a line ending in « : », blank lines anywhere.
A line « N. » starts a paragraph only when N is the next paragraph number: the agenda's
« 1. Questions d’organisation : » inside a paragraph starts a list within it.

The text before chapter I is the report's title. Each paragraph becomes one line of text
joined with single spaces; placeholders such as « [sa/ses 2e et 3e] », « séance[s] » and « […] »
are kept verbatim. Lines that hold only a web address (the undocs.org footnotes) are dropped,
and so is any U+FFFC, the report's list mark, and any control character (C0 but tab and the line
breaks, DEL, C1), lone surrogate and noncharacter U+FFFE, U+FFFF: they are never text, and a
Word rendering cannot hold them. Those that end a line (vertical tab, form feed, the
information separators, NEL: a PDF's page break) still do.
Artefacts of the PDF extraction are repaired:

- runs of spaces become one: « du  crime » -> « du crime », « «  Stratégies » -> « « Stratégies »;
- an elided word is joined to its apostrophe: « l ’a » -> « l’a », « d ’entre » -> « d’entre »;
- a hyphen is joined to the word before it: « ci -après » -> « ci-après »;
- no space before a comma or a full stop: « (HCR) , » -> « (HCR), »;
- a lone letter split from the rest of its word is joined to it when the joined word occurs
  elsewhere in the draft and the letter is not a word itself (à, a, y, ô): « la t raite »
  -> « la traite »;
- a line ending in « / » runs on without a space, as a document symbol broken over two lines:
  « CTOC/COP/ » + « WG.4/2021/INF/1/Rev.1. » -> « CTOC/COP/WG.4/2021/INF/1/Rev.1. ».

The facts the draft lists, in its French wording, are recorded as data: the agenda, the
panellists « Name (Delegation) » of an agenda item, the statements made under an item, the
participants of each category, the documents « Title (SYMBOL) ». A list is split on the commas
outside parentheses (« Iran (République islamique d’) » stays whole, and a piece that starts in
lower case continues the name before it) and on its final « et ». A paragraph that lists them
becomes a generated listing only if events.listings, rendering it from the imported data, gives
back the draft's words exactly (whitespace aside): the importer folds its commands through
decide and evolve to find out. Otherwise the paragraph stays plain text; its data is recorded
all the same.

The commands come in this order: CreateReport, SetReportDetails, the agenda (so that anything
can refer to its items), then the chapters in reading order, each paragraph followed by its
sub-items and by the facts it lists. The same text and the same `new_id` sequence give the same
commands; every added item carries an id drawn from `new_id`, in the order of the commands; the
commands fold without error into a new report. Text not in this form raises
DomainError("not_a_report"), whose message says what was expected and what was found.
"""

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from events import commands as cmd
from events.decide import decide_and_apply
from events.errors import DomainError
from events.fields import NOT_IN_TEXT
from events.listings import paragraph_lines, render_paragraph_text
from events.model import (
    LIST_MARK,
    Details,
    Language,
    Listing,
    ListingKind,
    Paragraph,
    Report,
)
from events.render.numbering import item_letter, letter, roman

DEFAULT_TITLE = {"fr": "Projet de rapport", "en": "Draft report"}

_WEB_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$")
_CHAPTER = re.compile(r"^(?P<number>[IVXLC]+)\.\s+(?P<title>\S.*)$")
_SECTION = re.compile(r"^(?P<letter>[A-Z]{1,2})\.\s+(?P<title>\S.*)$")
_NUMBERED = re.compile(r"^(?P<number>\d{1,4})\.(?:\s+(?P<text>.*))?$")
_LETTERED = re.compile(r"^(?P<letter>[a-z]{1,3})\)\s+(?P<text>.*)$")


def _not_a_report(message: str) -> DomainError:
    return DomainError("not_a_report", message)


def _quoted(text: str) -> str:
    return f"« {text if len(text) <= 60 else text[:60] + '…'} »"


# Repairs

_ELISION = re.compile(r"\b(jusqu|lorsqu|puisqu|qu|[cdjlmnst]) ([’'])(?=\w)", re.IGNORECASE)
_SPLIT_HYPHEN = re.compile(r"(?<=\w) -(?=\w)")
_SPACE_BEFORE_STOP = re.compile(r"(?<! ) ++(?=[,.])")
_LONE_LETTER = re.compile(r"(?<![\w’'\[(/.-])([^\W\d_]) ([^\W\d_]+)")
_ONE_LETTER_WORDS = frozenset("aàyôi")
_WORD = re.compile(r"[^\W\d_]+")


def _repair(text: str, words: frozenset[str]) -> str:
    text = " ".join(text.split())
    text = _ELISION.sub(r"\1\2", text)
    text = _SPLIT_HYPHEN.sub("-", text)
    text = _SPACE_BEFORE_STOP.sub("", text)

    def join_lone_letter(match: re.Match[str]) -> str:
        lone, rest = match.groups()
        return lone + rest if lone.lower() not in _ONE_LETTER_WORDS and lone + rest in words else match.group()

    return _LONE_LETTER.sub(join_lone_letter, text)


# The shape of the draft, read line by line

@dataclass
class _Entry:
    """A line « a) … » or « 1. … » inside a paragraph, its wrapped lines and its own « a) »."""

    label: str
    lines: list[str]
    children: list["_Entry"] = field(default_factory=list)


@dataclass
class _Paragraph:
    number: int
    lines: list[str]
    items: list[_Entry] = field(default_factory=list)  # a), b)…: the paragraph's sub-items
    numbered: list[_Entry] = field(default_factory=list)  # 1., 2.…: a list within it (the agenda)


@dataclass
class _Section:
    title: list[str]
    paragraphs: list[_Paragraph] = field(default_factory=list)


@dataclass
class _Chapter:
    title: list[str]
    paragraphs: list[_Paragraph] = field(default_factory=list)
    sections: list[_Section] = field(default_factory=list)


@dataclass
class _Draft:
    words: frozenset[str]  # every word of the draft, for the lone-letter repair
    title: list[str] = field(default_factory=list)
    chapters: list[_Chapter] = field(default_factory=list)
    # Each part's text, once read: it is asked for several times (recognising the lists,
    # building the trial, building the commands) and repairing a long one is what costs.
    _texts: dict[int, tuple[list[str], str]] = field(default_factory=dict, init=False, repr=False)

    def paragraphs(self) -> list[_Paragraph]:
        return [
            paragraph
            for chapter in self.chapters
            for paragraph in (*chapter.paragraphs, *(p for section in chapter.sections for p in section.paragraphs))
        ]

    def text(self, lines: list[str]) -> str:
        """Wrapped lines as one repaired line of text (asked once the draft is scanned)."""
        known = self._texts.get(id(lines))
        if known is not None and known[0] is lines:
            return known[1]
        joined = ""
        for line in lines:
            joined += line if not joined or joined.endswith("/") else f" {line}"
        text = _repair(joined, self.words)
        self._texts[id(lines)] = (lines, text)
        return text

    def entry_text(self, entry: _Entry) -> str:
        return " ".join([f"{entry.label} {self.text(entry.lines)}", *map(self.entry_text, entry.children)])

    def plain_text(self, paragraph: _Paragraph) -> str:
        """The paragraph's text when it is not generated: a numbered list within it runs on."""
        return " ".join([self.text(paragraph.lines), *map(self.entry_text, paragraph.numbered)])

    def printed_words(self, paragraph: _Paragraph) -> list[str]:
        """Every word the draft prints for the paragraph, its sub-items included."""
        return " ".join([self.plain_text(paragraph), *map(self.entry_text, paragraph.items)]).split()


def _list_entry(paragraph: _Paragraph, line: str, lines: list[str]) -> list[str] | None:
    """If `line` is the next « 1. » or « a) » of a list within `paragraph`, the entry's lines.

    A list opens after a line ending in « : »; « a) » after a numbered entry belongs to it.
    """
    opens_list = lines[-1].endswith(":")
    if match := _NUMBERED.match(line):
        number = int(match["number"])
        if number == len(paragraph.numbered) + 1 and (paragraph.numbered or opens_list):
            paragraph.numbered.append(_Entry(f"{number}.", [match["text"] or ""]))
            return paragraph.numbered[-1].lines
    if match := _LETTERED.match(line):
        owner = paragraph.numbered[-1].children if paragraph.numbered else paragraph.items
        if match["letter"] == item_letter(len(owner) + 1) and (owner or opens_list):
            owner.append(_Entry(f"{match['letter']})", [match["text"]]))
            return owner[-1].lines
    return None


def _scan(lines: list[str]) -> _Draft:
    draft = _Draft(frozenset(_WORD.findall(" ".join(lines))))
    current = draft.title  # the lines that a wrapped line continues
    paragraph: _Paragraph | None = None
    expected = 1
    for line in lines:
        chapter = draft.chapters[-1] if draft.chapters else None
        numbered = _NUMBERED.match(line)
        number = int(numbered["number"]) if numbered else 0
        if (match := _CHAPTER.match(line)) and match["number"] == roman(len(draft.chapters) + 1):
            draft.chapters.append(_Chapter([match["title"]]))
            paragraph, current = None, draft.chapters[-1].title
        elif chapter and (match := _SECTION.match(line)) and match["letter"] == letter(len(chapter.sections) + 1):
            chapter.sections.append(_Section([match["title"]]))
            paragraph, current = None, chapter.sections[-1].title
        elif chapter and numbered and number == expected:
            paragraph = _Paragraph(expected, [numbered["text"] or ""])
            (chapter.sections[-1] if chapter.sections else chapter).paragraphs.append(paragraph)
            expected, current = expected + 1, paragraph.lines
        elif paragraph and (entry := _list_entry(paragraph, line, current)) is not None:
            current = entry
        elif chapter and expected < number < 1000:
            raise _not_a_report(f"expected paragraph {expected} next (paragraphs are numbered without gaps), found {_quoted(line)}")
        else:
            current.append(line)
    if not draft.chapters:
        raise _not_a_report(f"expected chapter headings like « I. Introduction », found none in {_quoted(' '.join(lines))}")
    if expected == 1:
        raise _not_a_report("expected numbered paragraphs like « 1. Dans sa décision… » under the chapter headings, found none")
    return draft


# The lists the draft holds, recognised by their French wording

@dataclass(frozen=True)
class _Listed:
    """A paragraph's list: what it lists, and its text with LIST_MARK in place of the list."""

    kind: ListingKind
    template: str
    entries: tuple[str, ...] = ()  # as printed: « Arménie », « Helga Gayer (Allemagne) », « Title (SYMBOL) »
    agenda_number: int | None = None
    category: str | None = None


_LIST_ENDINGS = (". […]", ".")  # the longer first
_PANELLISTS = re.compile(r"\bpoint (?P<item>\d++) a été animé par\b")
_STATEMENTS = re.compile(r"\bpoint (?P<item>\d++) de l’ordre du jour, des déclarations ont été faites par\b")
_PARTIES = re.compile(r"\bParties\b")
_OBSERVER_STATEMENT = re.compile(r"^L’observat(?:rice|eur) (?:de la |de l’|du |des |de )(?P<list>.+?) a également fait une déclaration\.$")
_NAMED_PARTICIPANT = re.compile(
    r"^(?:Le |La |L’)(?P<list>[^,]+), (?P<what>État non membre|entité ayant une mission permanente)\b.*\bétait représentée?\b"
)
_DOCUMENT = re.compile(r"^.+ \([A-Z][^()\s/]*+/[^()\s]*+\)$")
_PARENTHESIS = re.compile(r"^(?P<name>.+?) \((?P<inner>[^()]++)\)$")
_FINAL_AND = re.compile(r" et (?=[A-ZÀ-Ý])")


_COMMA = re.compile(r",\s*+")


def _unclosed(text: str) -> int:
    """How many more parentheses `text` opens than it closes."""
    return text.count("(") - text.count(")")


def _names(text: str) -> tuple[str, ...]:
    """« A, B (x, y), c et D » -> « A », « B (x, y), c », « D »: each name once, in order.

    A piece in lower case, or after a name that leaves a parenthesis open, joins that name; the
    parentheses are counted once per piece, so that a list of any length costs its length.
    """
    names: list[list[str]] = []  # each name as its pieces, joined with ", " at the end
    unclosed = 0
    for piece in _COMMA.split(text):
        if names and (not piece[:1].isupper() or unclosed != 0):
            names[-1].append(piece)
            unclosed += _unclosed(piece)
        else:
            names.append([piece])
            unclosed = _unclosed(piece)
    joined = [", ".join(pieces) for pieces in names]
    last, counted, unclosed, final_and = joined[-1], 0, 0, None
    for match in _FINAL_AND.finditer(last):
        unclosed += _unclosed(last[counted : match.start()])
        counted = match.start()
        if unclosed == 0:
            final_and = match
    if final_and is not None:
        joined[-1:] = [last[: final_and.start()], last[final_and.end() :]]
    return tuple(dict.fromkeys(name.strip() for name in joined if name.strip()))


def _participant_category(before: str) -> str | None:
    if "organisations intergouvernementales" in before:
        return "intergovernmental_organization"
    if "organisations non gouvernementales" in before:
        return "ngo"
    if "ni parties" in before:
        return "observer_state"
    if "signataires" in before:
        return "signatory"
    return "party" if "parties au" in before else None


def _after_colon(text: str) -> tuple[str, str, str] | None:
    """« … suivantes : A, B et C. » -> « … suivantes : », « A, B et C », « . »: the list runs
    from the first « : » to the final full stop (or « . […] »), and holds something.

    Found with two look-ups, not a pattern: a pattern tried every « : » as the start, each
    trial scanning to the end (seconds for 40 KB of « a : »)."""
    after = next((ending for ending in _LIST_ENDINGS if text.endswith(ending)), None)
    colon = text.find(" : ")
    if after is None or colon < 0 or colon + 3 >= len(text) - len(after):
        return None
    return text[: colon + 3], text[colon + 3 : len(text) - len(after)], after


def _statements_item(before: str) -> int | None:
    """The agenda item of « Au titre du point 2 de l’ordre du jour, des déclarations ont été
    faites par les représentants des États Parties suivants »: « Parties » after the first
    mention of the item is looked for once, not once per mention."""
    spoke = _STATEMENTS.search(before)
    return int(spoke["item"]) if spoke and _PARTIES.search(before, spoke.end()) else None


def _listed_after_colon(text: str) -> _Listed | None:
    """« … suivantes : A, B et C. » as panellists, statements or participants."""
    if (parts := _after_colon(text)) is None:
        return None
    before, listed, after = parts
    names = _names(listed)
    template = before + LIST_MARK + after
    if panel := _PANELLISTS.search(before):
        return _Listed("panellists", template, names, agenda_number=int(panel["item"]))
    if (item := _statements_item(before)) is not None:
        return _Listed("statements", template, names, agenda_number=item, category="party")
    if "étaient représenté" in before and (category := _participant_category(before)):
        return _Listed("participants", template, names, category=category)
    return None


def _listed_name(text: str, last_item: int | None) -> _Listed | None:
    """A sentence about one delegation: an observer's statement, a participant named alone."""
    if (match := _OBSERVER_STATEMENT.match(text)) and last_item is not None:
        kind, category, number = "statements", "observer_state", last_item
    elif match := _NAMED_PARTICIPANT.match(text):
        category = "non_member_observer_state" if match["what"].startswith("État") else "observer_entity"
        kind, number = "participants", None
    else:
        return None
    template = text[: match.start("list")] + LIST_MARK + text[match.end("list") :]
    return _Listed(kind, template, (match["list"],), agenda_number=number, category=category)


def _listed(draft: _Draft, paragraph: _Paragraph, last_item: int | None) -> _Listed | None:
    lead = draft.text(paragraph.lines)
    if paragraph.numbered:
        return _Listed("agenda", f"{lead} {LIST_MARK}") if "ordre du jour" in lead else None
    if paragraph.items:
        documents = tuple(_without_final_stop(draft.text(item.lines)) for item in paragraph.items)
        if "documents suivants" in lead and all(not item.children for item in paragraph.items) and all(map(_DOCUMENT.match, documents)):
            return _Listed("documents", f"{lead} {LIST_MARK}", documents)
        return None
    return _listed_after_colon(lead) or _listed_name(lead, last_item)


def _recognise(draft: _Draft) -> dict[int, _Listed]:
    """The lists by paragraph number: the first agenda, and only items that this agenda has.

    « L’observatrice … a également fait une déclaration » is a statement on the item of the
    statements listed before it.
    """
    found: dict[int, _Listed] = {}
    last_item = None
    for paragraph in draft.paragraphs():
        if listed := _listed(draft, paragraph, last_item):
            found[paragraph.number] = listed
            last_item = listed.agenda_number if listed.kind == "statements" else last_item
    agenda = next((number for number, listed in found.items() if listed.kind == "agenda"), None)
    items = len(draft.paragraphs()[agenda - 1].numbered) if agenda else 0
    return {
        number: listed
        for number, listed in found.items()
        if (listed.kind != "agenda" or number == agenda) and (listed.agenda_number is None or 1 <= listed.agenda_number <= items)
    }


_FINAL_STOP = re.compile(r"(?<!\s)\s*+[:;.]$")  # tried from the start of a run of spaces only


def _without_final_stop(text: str) -> str:
    return _FINAL_STOP.sub("", text)


# The details of the meeting

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")
_MONTH = "|".join(_MONTHS)
_UNITS = ("", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
          "onze", "douze", "treize", "quatorze", "quinze", "seize")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _cardinal(number: int) -> str:
    if number < len(_UNITS):
        return _UNITS[number]
    if number < 20:
        return f"dix-{_UNITS[number - 10]}"
    tens, unit = divmod(number, 10)
    return _TENS[tens] + ("" if unit == 0 else " et un" if unit == 1 else f"-{_UNITS[unit]}")


def _ordinal(number: int) -> str:
    """1 -> première, 4 -> quatrième, 5 -> cinquième, 9 -> neuvième, 21 -> vingt et unième."""
    if number == 1:
        return "première"
    stem = _cardinal(number).removesuffix("e")
    return re.sub(r"neuf$", "neuv", re.sub(r"cinq$", "cinqu", stem)) + "ième"


_ORDINALS = {_ordinal(number): number for number in range(1, 70)}
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_THIS_MEETING = re.compile(rf"\best donc (?:la|le) (?P<ordinal>{_ORDINAL})\b")  # « qui est donc la onzième »
_NTH_MEETING = re.compile(rf"\b(?:la|sa|le|son) (?P<ordinal>{_ORDINAL}) (?:réunion|session)\b")
# The names of the bodies run within a clause: from « Le », « La » or « L’ » to « s’est réuni »,
# from « Conférence des Parties » to a verb or a punctuation mark. Each clause is searched from
# its first start only (if that one has no end, no later one has): a single pattern searched
# the rest of the text from every start, seconds for 40 KB of « Le A ».
_PUNCTUATION = re.compile(r"[,.;:]")
_BODY = re.compile(r"\b(?:Le |La |L’)(?=[A-ZÉ])")
_BODY_END = re.compile(r" s’est réunie?\b")
_PARENT_BODY = re.compile(r"\bConférence des (?:États )?Parties (?:à|au) ")
_PARENT_BODY_END = re.compile(r" a | s’| qui ")
_MEETING = re.compile(  # « à Vienne les 12 et 13 octobre 2021 », « à New York du 30 septembre au 2 octobre 2021 »
    rf"\bà (?P<venue>[A-ZÀ-Ý][\w’-]*(?: [A-ZÀ-Ý][\w’-]*)*) (?:les?|du) (?P<first>\d{{1,2}})(?:er)?"
    rf"(?: (?P<first_month>{_MONTH}))?(?: (?:et|au) (?P<last>\d{{1,2}})(?:er)?)? (?P<month>{_MONTH}) (?P<year>\d{{4}})\b"
)


def _meeting_dates(match: re.Match[str]) -> tuple[date, date] | tuple[None, None]:
    year, month = int(match["year"]), _MONTHS.index(match["month"]) + 1
    first_month = _MONTHS.index(match["first_month"]) + 1 if match["first_month"] else month
    try:
        first, last = date(year, first_month, int(match["first"])), date(year, month, int(match["last"] or match["first"]))
    except ValueError:
        return None, None
    return (first, last) if first <= last else (None, None)


def _clause_end(text: str, start: int) -> tuple[int, bool]:
    """Where the clause holding `start` ends, and whether a punctuation mark ends it."""
    mark = _PUNCTUATION.search(text, start)
    return (mark.start(), True) if mark else (len(text), False)


def _body(text: str) -> str:
    """« Le Groupe de travail … s’est réuni » -> « Groupe de travail … »."""
    searched = 0  # the clauses before this failed
    for start in _BODY.finditer(text):
        if start.start() < searched:
            continue
        clause_end, _ = _clause_end(text, start.end())
        if end := _BODY_END.search(text, start.end(), clause_end):
            return text[start.end() : end.start()]
        searched = clause_end
    return ""


def _parent_body(text: str) -> str:
    """« … la Conférence des Parties à la Convention … a » -> « Conférence des Parties à la
    Convention … ». A name may end at a punctuation mark, not at the end of the text."""
    searched = 0
    for start in _PARENT_BODY.finditer(text):
        if start.start() < searched:
            continue
        clause_end, punctuated = _clause_end(text, start.end())
        if end := _PARENT_BODY_END.search(text, start.end() + 1, clause_end):
            return text[start.start() : end.start()]
        if punctuated and clause_end > start.end():
            return text[start.start() : clause_end]
        searched = clause_end
    return ""


def _details(texts: list[str], language: Language) -> Details:
    """What the paragraphs say of the meeting: the first mention of each detail wins."""
    text = "\n".join(texts)
    meeting = _MEETING.search(text)
    ordinal = _THIS_MEETING.search(text) or _NTH_MEETING.search(text)
    first_date, last_date = _meeting_dates(meeting) if meeting else (None, None)
    return Details(
        body=_body(text),
        parent_body=_parent_body(text),
        ordinal=_ORDINALS[ordinal["ordinal"]] if ordinal else None,
        venue=meeting["venue"] if meeting else "",
        first_date=first_date,
        last_date=last_date,
        language=language,
    )


# Commands

def _list_forms(names: list[str]) -> dict[str, str]:
    """« République islamique d’Iran » -> « Iran (République islamique d’) », for each name a
    list gives so (the first such name wins): looked up per statement, not searched."""
    forms: dict[str, str] = {}
    for name in names:
        if match := _PARENTHESIS.match(name):
            qualifier = match["inner"]
            forms.setdefault(qualifier + ("" if qualifier.endswith(("’", "'")) else " ") + match["name"], name)
    return forms


def _name_and_parenthesis(entry: str) -> tuple[str, str]:
    match = _PARENTHESIS.match(entry)
    return (match["name"], match["inner"]) if match else (entry, "")


class _Commands:
    """The commands for `draft`, its paragraphs in `generated` as listings, ids from `new_id`."""

    def __init__(self, draft: _Draft, listed: dict[int, _Listed], generated: set[int], new_id: Callable[[], str]) -> None:
        self.draft, self.listed, self.generated, self.new_id = draft, listed, generated, new_id
        self.agenda_ids: list[str] = []
        self.recorded: set[tuple[str, str]] = set()  # participants and documents, each once
        self.list_forms = _list_forms([name for found in listed.values() if found.kind == "participants" for name in found.entries])

    def build(self, language: Language) -> list[cmd.Command]:
        texts = [self.draft.text(paragraph.lines) for paragraph in self.draft.paragraphs()]
        commands: list[cmd.Command] = [
            cmd.CreateReport(title=self.draft.text(self.draft.title) or DEFAULT_TITLE[language]),
            cmd.SetReportDetails(details=_details(texts, language)),
            *self.agenda(),
        ]
        for chapter in self.draft.chapters:
            chapter_id = self.new_id()
            commands.append(cmd.AddChapter(chapter_id=chapter_id, title=self.draft.text(chapter.title)))
            commands.extend(self.paragraphs(chapter_id, None, chapter.paragraphs))
            for section in chapter.sections:
                section_id = self.new_id()
                commands.append(cmd.AddSection(section_id=section_id, chapter_id=chapter_id, title=self.draft.text(section.title)))
                commands.extend(self.paragraphs(chapter_id, section_id, section.paragraphs))
        return commands

    def agenda(self) -> Iterator[cmd.Command]:
        """First, so that the paragraphs and statements that name an item can refer to it."""
        number = next((number for number, found in self.listed.items() if found.kind == "agenda"), None)
        for entry in self.draft.paragraphs()[number - 1].numbered if number else ():
            self.agenda_ids.append(self.new_id())
            yield cmd.AddAgendaItem(agenda_item_id=self.agenda_ids[-1], title=_without_final_stop(self.draft.text(entry.lines)))
            for child in entry.children:
                title = _without_final_stop(self.draft.text(child.lines))
                yield cmd.AddAgendaItem(agenda_item_id=self.new_id(), title=title, parent_id=self.agenda_ids[-1])

    def paragraphs(self, chapter_id: str, section_id: str | None, paragraphs: list[_Paragraph]) -> Iterator[cmd.Command]:
        for paragraph in paragraphs:
            found, paragraph_id = self.listed.get(paragraph.number), self.new_id()
            place = {"paragraph_id": paragraph_id, "chapter_id": chapter_id, "section_id": section_id}
            if found and paragraph.number in self.generated:
                listing = Listing(kind=found.kind, agenda_item_id=self.item_id(found), category=found.category)
                yield cmd.AddParagraph(**place, text=found.template, listing=listing)
            else:
                yield cmd.AddParagraph(**place, text=self.draft.plain_text(paragraph))
            if not (found and found.kind == "documents" and paragraph.number in self.generated):
                for item in paragraph.items:
                    yield cmd.AddSubItem(paragraph_id=paragraph_id, sub_item_id=self.new_id(), text=self.draft.text(item.lines))
            if found:
                yield from self.facts(found)

    def item_id(self, found: _Listed) -> str | None:
        return self.agenda_ids[found.agenda_number - 1] if found.agenda_number else None

    def facts(self, found: _Listed) -> Iterator[cmd.Command]:
        item_id = self.item_id(found) or ""
        for entry in found.entries:
            match found.kind:
                case "panellists":
                    name, delegation = _name_and_parenthesis(entry)
                    yield cmd.AddPanellist(panellist_id=self.new_id(), agenda_item_id=item_id, name=name, delegation=delegation)
                case "statements":
                    delegation = self.list_forms.get(entry, entry)
                    yield cmd.RecordStatement(
                        statement_id=self.new_id(), agenda_item_id=item_id, category=found.category, delegation=delegation
                    )
                case "participants" if (found.category, entry) not in self.recorded:
                    self.recorded.add((found.category, entry))
                    yield cmd.AddParticipant(participant_id=self.new_id(), category=found.category, name=entry)
                case "documents":
                    title, symbol = _name_and_parenthesis(entry)
                    if ("document", symbol) not in self.recorded:
                        self.recorded.add(("document", symbol))
                        yield cmd.AddDocument(document_id=self.new_id(), symbol=symbol, title=title)


# Which lists are generated

def _counting_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: str(uuid.UUID(int=next(counter)))


def _fold(commands: list[cmd.Command]) -> Report:
    """The report the commands build, decided and evolved as the service would."""
    _, report = decide_and_apply(None, str(uuid.UUID(int=0)), commands, _counting_ids(), "importer")
    assert report is not None, "the commands start with CreateReport"
    return report


def _rendered_words(report: Report, paragraph: Paragraph) -> list[str]:
    lines = [f"{line.label} {line.text}" for line in paragraph_lines(report, paragraph)]
    return " ".join([render_paragraph_text(report, paragraph), *lines]).split()


# The control characters str.splitlines breaks lines at (a PDF's page break is a form feed):
# they still end a line. Every other character no text may hold is dropped.
_BREAKING_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")


def _without_controls(text: str) -> str:
    return NOT_IN_TEXT.sub("", _BREAKING_CONTROLS.sub("\n", text))


def import_draft(text: str, new_id: Callable[[], str], language: Language = "fr") -> list[cmd.Command]:
    """The commands that build the draft `text` as a new report; DomainError("not_a_report")."""
    lines = [line.strip() for line in _without_controls(text).replace(LIST_MARK, "").splitlines()]
    lines = [line for line in lines if line and not _WEB_ADDRESS.match(line)]
    if not lines:
        raise _not_a_report("expected a draft report (« I. Introduction », then paragraphs « 1. … »), found empty text")
    draft = _scan(lines)
    listed = _recognise(draft)
    trial = _fold(_Commands(draft, listed, set(listed), _counting_ids()).build(language))
    built, paragraphs = trial.all_paragraphs(), draft.paragraphs()
    generated = {
        number for number in listed if _rendered_words(trial, built[number - 1]) == draft.printed_words(paragraphs[number - 1])
    }
    return _Commands(draft, listed, generated, new_id).build(language)
