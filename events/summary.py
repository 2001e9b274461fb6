"""One line per event, for `rapporteur events` and history views, in English or French.

Each event type has a template per language (`TEMPLATES` in English, `TEMPLATES_FR` in French):
its payload's fields in braces, with a format spec saying how to show them (`SPECS`,
`SPECS_FR`). A summary is made from the event alone (no report state), so items are named by
title or excerpt when the event carries one, by short id otherwise. The drafter is not part of
the line: a history view shows it before it (« bruno a saisi dans le paragraphe… »).
"""

import string
from collections.abc import Callable
from typing import Any

from events.envelope import StoredEvent
from events.model import LIST_MARK, Language, Listing
from events.text_ops import Delete, Op, component_length

EXCERPT = 60
SHORT_ID = 8

TEMPLATES: dict[str, str] = {
    "ReportCreated": "created « {title:excerpt} »",
    "ReportRetitled": "retitled the report « {title:excerpt} »",
    "ReportDetailsChanged": "set the meeting's details: body {details.body:quoted}, symbol {details.symbol:quoted}, language {details.language}",
    "ChapterAdded": "added chapter « {title:excerpt} »{before:before}",
    "ChapterRetitled": "retitled chapter {chapter_id:id} « {title:excerpt} »",
    "ChapterMoved": "moved chapter {chapter_id:id}{before:to}",
    "ChapterRemoved": "removed chapter {chapter_id:id}",
    "SectionAdded": "added section « {title:excerpt} » to chapter {chapter_id:id}{before:before}",
    "SectionRetitled": "retitled section {section_id:id} « {title:excerpt} »",
    "SectionMoved": "moved section {section_id:id} into chapter {chapter_id:id}{before:before}",
    "SectionRemoved": "removed section {section_id:id}",
    "ParagraphAdded": "added {listing:listing}paragraph {paragraph_id:id}: « {text:excerpt} »",
    "ParagraphTextReplaced": "replaced the text of paragraph {paragraph_id:id}: « {text:excerpt} »",
    "ParagraphTextEdited": "typed in paragraph {paragraph_id:id} (revision {revision}): {ops:typing}",
    "ParagraphMoved": "moved paragraph {paragraph_id:id} into chapter {chapter_id:id}{section_id:section}{before:before}",
    "ParagraphRemoved": "removed paragraph {paragraph_id:id}",
    "SubItemAdded": "added sub-item {sub_item_id:id} to paragraph {paragraph_id:id}: « {text:excerpt} »",
    "SubItemTextReplaced": "replaced the text of sub-item {sub_item_id:id} of paragraph {paragraph_id:id}: « {text:excerpt} »",
    "SubItemMoved": "moved sub-item {sub_item_id:id} of paragraph {paragraph_id:id}{before:to}",
    "SubItemRemoved": "removed sub-item {sub_item_id:id} of paragraph {paragraph_id:id}",
    "PlaceholderFilled": "filled placeholder {original:excerpt} in paragraph {paragraph_id:id} with « {value:excerpt} »",
    "AgendaItemAdded": "added agenda item « {title:excerpt} »{parent_id:under}{before:before}",
    "AgendaItemRetitled": "retitled agenda item {agenda_item_id:id} « {title:excerpt} »",
    "AgendaItemRemoved": "removed agenda item {agenda_item_id:id}",
    "StatementRecorded": "recorded a statement by {delegation:excerpt} ({category:words}) under agenda item {agenda_item_id:id}",
    "StatementWithdrawn": "withdrew statement {statement_id:id}",
    "ParticipantAdded": "added participant {name:excerpt} ({category:words})",
    "ParticipantRemoved": "removed participant {participant_id:id}",
    "PanellistAdded": "added panellist {name:excerpt}{delegation:delegation} under agenda item {agenda_item_id:id}",
    "PanellistRemoved": "removed panellist {panellist_id:id}",
    "DocumentAdded": "added document {symbol:excerpt}: « {title:excerpt} »",
    "DocumentRemoved": "removed document {document_id:id}",
    "RecommendationAdded": "added recommendation {paragraph_id:id} to chapter {chapter_id:id}: « {text:excerpt} »",
    "ChapterAdopted": "adopted chapter {chapter_id:id}",
    "ChapterReopened": "reopened chapter {chapter_id:id}: {reason:excerpt}",
    "ReportAdopted": "adopted the report{ad_referendum:ad_referendum}",
}


def _one_line(text: str) -> str:
    return " ".join(text.replace(LIST_MARK, "[list]").split())


def excerpt(text: str) -> str:
    """The text on one line, cut to EXCERPT characters; a listing's mark shows as « [list] »."""
    flat = _one_line(text)
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _short_id(value: str) -> str:
    return value[:SHORT_ID]


def _listing(listing: Listing | None) -> str:
    return "" if listing is None else f"{listing.kind} listing "


# An op's inserts shown one by one, up to this many; the rest are counted.
SHOWN_INSERTS = 3


def _inserted(text: str) -> str:
    shown = excerpt(text)
    if shown:
        return f"« {shown} »"
    return "a space" if text == " " else f"{len(text)} blank characters"


def _typing(op: Op) -> str:
    """An op in words, `deleted 8 characters and inserted « les points » at 31`: what it
    removed and added, and where its first change is (in code points of the text before it).
    """
    inserts = [component for component in op if isinstance(component, str)]
    deleted = sum(component_length(component) for component in op if isinstance(component, Delete))
    changes = []
    if deleted:
        changes.append(f"deleted {deleted} character{'' if deleted == 1 else 's'}")
    if inserts:
        shown = ", ".join(_inserted(text) for text in inserts[:SHOWN_INSERTS])
        more = len(inserts) - SHOWN_INSERTS
        changes.append(f"inserted {shown}" + (f" and {more} more" if more > 0 else ""))
    if not changes:
        return "no change"
    start = op[0] if isinstance(op[0], int) else 0
    return f"{' and '.join(changes)} at {start}"


# Format specs: how a field is shown, and what an optional field shows when absent (None, "").
SPECS: dict[str, Callable[[Any], str]] = {
    "": lambda value: _one_line(str(value)),
    "excerpt": excerpt,
    "id": _short_id,
    "words": lambda value: value.replace("_", " "),
    "quoted": lambda value: f"« {excerpt(value)} »" if value.strip() else "none",
    "before": lambda value: "" if value is None else f" before {_short_id(value)}",
    "to": lambda value: " to the end" if value is None else f" before {_short_id(value)}",
    "section": lambda value: "" if value is None else f", section {_short_id(value)}",
    "under": lambda value: "" if value is None else f" under agenda item {_short_id(value)}",
    "delegation": lambda value: f" ({_one_line(value)})" if value.strip() else "",
    "listing": _listing,
    "typing": _typing,
    "ad_referendum": lambda value: " ad referendum" if value else "",
}


TEMPLATES_FR: dict[str, str] = {
    "ReportCreated": "a créé « {title:excerpt} »",
    "ReportRetitled": "a renommé le rapport en « {title:excerpt} »",
    "ReportDetailsChanged": "a défini les données de la réunion : organe {details.body:quoted}, cote {details.symbol:quoted}, langue {details.language}",
    "ChapterAdded": "a ajouté le chapitre « {title:excerpt} »{before:before}",
    "ChapterRetitled": "a renommé le chapitre {chapter_id:id} en « {title:excerpt} »",
    "ChapterMoved": "a déplacé le chapitre {chapter_id:id}{before:to}",
    "ChapterRemoved": "a supprimé le chapitre {chapter_id:id}",
    "SectionAdded": "a ajouté la section « {title:excerpt} » au chapitre {chapter_id:id}{before:before}",
    "SectionRetitled": "a renommé la section {section_id:id} en « {title:excerpt} »",
    "SectionMoved": "a déplacé la section {section_id:id} dans le chapitre {chapter_id:id}{before:before}",
    "SectionRemoved": "a supprimé la section {section_id:id}",
    "ParagraphAdded": "a ajouté le paragraphe {paragraph_id:id}{listing:listing} : « {text:excerpt} »",
    "ParagraphTextReplaced": "a remplacé le texte du paragraphe {paragraph_id:id} : « {text:excerpt} »",
    "ParagraphTextEdited": "a saisi dans le paragraphe {paragraph_id:id} (révision {revision}) : {ops:typing}",
    "ParagraphMoved": "a déplacé le paragraphe {paragraph_id:id} dans le chapitre {chapter_id:id}{section_id:section}{before:before}",
    "ParagraphRemoved": "a supprimé le paragraphe {paragraph_id:id}",
    "SubItemAdded": "a ajouté l’alinéa {sub_item_id:id} au paragraphe {paragraph_id:id} : « {text:excerpt} »",
    "SubItemTextReplaced": "a remplacé le texte de l’alinéa {sub_item_id:id} du paragraphe {paragraph_id:id} : « {text:excerpt} »",
    "SubItemMoved": "a déplacé l’alinéa {sub_item_id:id} du paragraphe {paragraph_id:id}{before:to}",
    "SubItemRemoved": "a supprimé l’alinéa {sub_item_id:id} du paragraphe {paragraph_id:id}",
    "PlaceholderFilled": "a complété {original:excerpt} dans le paragraphe {paragraph_id:id} par « {value:excerpt} »",
    "AgendaItemAdded": "a ajouté à l’ordre du jour le point « {title:excerpt} »{parent_id:under}{before:before}",
    "AgendaItemRetitled": "a renommé le point {agenda_item_id:id} de l’ordre du jour en « {title:excerpt} »",
    "AgendaItemRemoved": "a retiré le point {agenda_item_id:id} de l’ordre du jour",
    "StatementRecorded": "a enregistré une déclaration ({delegation:excerpt}, {category:words}) au titre du point {agenda_item_id:id} de l’ordre du jour",
    "StatementWithdrawn": "a retiré la déclaration {statement_id:id}",
    "ParticipantAdded": "a ajouté à la liste des participants : {name:excerpt} ({category:words})",
    "ParticipantRemoved": "a retiré l’entrée {participant_id:id} de la liste des participants",
    "PanellistAdded": "a ajouté à la liste des intervenants : {name:excerpt}{delegation:delegation}, au titre du point {agenda_item_id:id} de l’ordre du jour",
    "PanellistRemoved": "a retiré l’entrée {panellist_id:id} de la liste des intervenants",
    "DocumentAdded": "a ajouté le document {symbol:excerpt} : « {title:excerpt} »",
    "DocumentRemoved": "a retiré le document {document_id:id}",
    "RecommendationAdded": "a ajouté la recommandation {paragraph_id:id} au chapitre {chapter_id:id} : « {text:excerpt} »",
    "ChapterAdopted": "a adopté le chapitre {chapter_id:id}",
    "ChapterReopened": "a rouvert le chapitre {chapter_id:id} : {reason:excerpt}",
    "ReportAdopted": "a adopté le rapport{ad_referendum:ad_referendum}",
}
"""The same summaries in French, the language of most reports: « a adopté le chapitre b6e2d1f0 ».

A delegation is named as recorded, in parentheses (« une déclaration (Arménie, État partie) »):
« de l’Arménie », « du Chili », « des États-Unis » would need each name's article.
"""

_CATEGORIES_FR = {
    "party": "État partie",
    "signatory": "État signataire",
    "observer_state": "État observateur",
    "non_member_observer_state": "État non membre observateur",
    "observer_entity": "entité observatrice",
    "intergovernmental_organization": "organisation intergouvernementale",
    "un_entity": "entité des Nations Unies",
    "ngo": "organisation non gouvernementale",
    "panellist": "intervenant",
    "chair": "présidence",
}

_LISTINGS_FR = {
    "statements": "liste des déclarations",
    "panellists": "liste des intervenants",
    "participants": "liste des participants",
    "documents": "liste des documents",
    "agenda": "ordre du jour",
    "adoption": "liste des chapitres adoptés",
}


def _inserted_fr(text: str) -> str:
    shown = excerpt(text)
    if shown:
        return f"« {shown} »"
    return "une espace" if text == " " else f"{len(text)} blancs"


def _typing_fr(op: Op) -> str:
    """An op in words: `suppression de 8 caractères et insertion de « les points » à la position 31`."""
    inserts = [component for component in op if isinstance(component, str)]
    deleted = sum(component_length(component) for component in op if isinstance(component, Delete))
    changes = []
    if deleted:
        changes.append("suppression d’un caractère" if deleted == 1 else f"suppression de {deleted} caractères")
    if inserts:
        shown = ", ".join(_inserted_fr(text) for text in inserts[:SHOWN_INSERTS])
        more = len(inserts) - SHOWN_INSERTS
        if more > 0:
            shown += f" et {more} autre{'' if more == 1 else 's'}"
        changes.append(f"insertion {'d’' if shown.startswith('une') else 'de '}{shown}")
    if not changes:
        return "aucun changement"
    start = op[0] if isinstance(op[0], int) else 0
    return f"{' et '.join(changes)} à la position {start}"


SPECS_FR: dict[str, Callable[[Any], str]] = {
    **SPECS,
    "words": lambda value: _CATEGORIES_FR.get(value, value.replace("_", " ")),
    "quoted": lambda value: f"« {excerpt(value)} »" if value.strip() else "—",
    "before": lambda value: "" if value is None else f" avant {_short_id(value)}",
    "to": lambda value: " à la fin" if value is None else f" avant {_short_id(value)}",
    "section": lambda value: "" if value is None else f", section {_short_id(value)}",
    "under": lambda value: "" if value is None else f" sous le point {_short_id(value)}",
    "listing": lambda value: "" if value is None else f" ({_LISTINGS_FR[value.kind]})",
    "typing": _typing_fr,
}


class _Formatter(string.Formatter):
    def __init__(self, specs: dict[str, Callable[[Any], str]]) -> None:
        self.specs = specs

    def format_field(self, value: Any, format_spec: str) -> str:
        return self.specs[format_spec](value)


_FORMATS: dict[str, tuple[dict[str, str], _Formatter]] = {
    "en": (TEMPLATES, _Formatter(SPECS)),
    "fr": (TEMPLATES_FR, _Formatter(SPECS_FR)),
}


def summarize(event: StoredEvent, language: Language = "en") -> str:
    """A one-line summary of what the event recorded, in English or French."""
    templates, formatter = _FORMATS[language]
    return formatter.format(templates[event.type], **{name: getattr(event.data, name) for name in event.data.__struct_fields__})
