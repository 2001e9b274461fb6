"""The sentence a listing paragraph reads when the drafter has written none of their own.

A drafter adds « the statements paragraph of agenda item 2 » and gets the secretariat's
standard wording in the report's language, around the generated list (LIST_MARK); once they
edit the words, their text is used instead. Agenda numbers are taken at render time, so the
sentence follows the agenda when it is renumbered.
"""

from events.model import LIST_MARK, Language, Listing, Report
from events.render.numbering import item_letter

_SPEAKERS = {
    "fr": {
        "party": "les représentantes et représentants des États parties suivants",
        "signatory": "les représentantes et représentants des États signataires suivants",
        "observer_state": "les observatrices et observateurs des États suivants",
        "non_member_observer_state": "les observatrices et observateurs des États non membres suivants",
        "observer_entity": "les observatrices et observateurs des entités suivantes",
        "intergovernmental_organization": "les observatrices et observateurs des organisations intergouvernementales suivantes",
        "un_entity": "les représentantes et représentants des entités des Nations Unies suivantes",
        "ngo": "les observatrices et observateurs des organisations non gouvernementales suivantes",
        "panellist": "les intervenantes et intervenants suivants",
        "chair": "la présidence",
    },
    "en": {
        "party": "the representatives of the following States parties",
        "signatory": "the representatives of the following signatory States",
        "observer_state": "the observers for the following States",
        "non_member_observer_state": "the observers for the following non-member States",
        "observer_entity": "the observers for the following entities",
        "intergovernmental_organization": "the observers for the following intergovernmental organizations",
        "un_entity": "the representatives of the following United Nations entities",
        "ngo": "the observers for the following non-governmental organizations",
        "panellist": "the following panellists",
        "chair": "the Chair",
    },
}

_PARTICIPANTS = {
    "fr": {
        "party": "Les États parties suivants étaient représentés à la réunion",
        "signatory": "Les États signataires suivants étaient représentés à la réunion",
        "observer_state": "Les États suivants étaient représentés par des observatrices et observateurs",
        "non_member_observer_state": "Les États non membres suivants étaient représentés par des observatrices et observateurs",
        "observer_entity": "Les entités suivantes, ayant une mission permanente d’observation, étaient représentées par des observatrices et observateurs",
        "intergovernmental_organization": "Les organisations intergouvernementales et entités des Nations Unies suivantes étaient représentées par des observatrices et observateurs",
        "ngo": "Les organisations non gouvernementales suivantes étaient représentées par des observatrices et observateurs",
    },
    "en": {
        "party": "The following States parties were represented at the meeting",
        "signatory": "The following signatory States were represented at the meeting",
        "observer_state": "The following States were represented by observers",
        "non_member_observer_state": "The following non-member States were represented by observers",
        "observer_entity": "The following entities maintaining permanent observer missions were represented by observers",
        "intergovernmental_organization": "The following intergovernmental organizations and United Nations entities were represented by observers",
        "ngo": "The following non-governmental organizations were represented by observers",
    },
}

_SENTENCES = {
    "fr": {
        "statements": "Au titre du point {item} de l’ordre du jour, des déclarations ont été faites par {speakers} : {mark}.",
        "participants": "{who} : {mark}.",
        "panellists": "Le débat consacré au point {item} a été animé par les personnes suivantes : {mark}.",
        "documents": "La réunion était saisie des documents suivants : {mark}",
        "agenda": "L’ordre du jour adopté était le suivant : {mark}",
        "adoption": "La réunion a adopté les chapitres {mark} du présent rapport.",
    },
    "en": {
        "statements": "Under agenda item {item}, statements were made by {speakers}: {mark}.",
        "participants": "{who}: {mark}.",
        "panellists": "The discussion under agenda item {item} was moderated by the following: {mark}.",
        "documents": "The meeting had before it the following documents: {mark}",
        "agenda": "The agenda as adopted was as follows: {mark}",
        "adoption": "The meeting adopted chapters {mark} of the present report.",
    },
}


def agenda_number(report: Report, agenda_item_id: str | None) -> str:
    """« 2 », or « 1 a) » for a sub-item; « [?] » for an item no longer on the agenda."""
    for position, item in enumerate(report.agenda, start=1):
        if item.id == agenda_item_id:
            return str(position)
        for sub_position, sub_item in enumerate(item.sub_items, start=1):
            if sub_item.id == agenda_item_id:
                return f"{position} {item_letter(sub_position)})"
    return "[?]"


def agenda_numbers(report: Report) -> dict[str, str]:
    """`agenda_number` of every item and sub-item at once, for whoever numbers many facts:
    looking each up in turn is quadratic on a long agenda. Absent: « [?] »."""
    numbers = {}
    for position, item in enumerate(report.agenda, start=1):
        numbers.setdefault(item.id, str(position))
        for sub_position, sub_item in enumerate(item.sub_items, start=1):
            numbers.setdefault(sub_item.id, f"{position} {item_letter(sub_position)})")
    return numbers


def has_own_words(text: str) -> bool:
    return bool(text.replace(LIST_MARK, "").strip())


def default_text(report: Report, listing: Listing) -> str:
    """The standard sentence for this listing, with LIST_MARK where the list goes."""
    language: Language = report.details.language
    category = listing.category or "party"
    return _SENTENCES[language][listing.kind].format(
        item=agenda_number(report, listing.agenda_item_id),
        speakers=_SPEAKERS[language].get(category, _SPEAKERS[language]["party"]),
        who=_PARTICIPANTS[language].get(category, _PARTICIPANTS[language]["party"]),
        mark=LIST_MARK,
    )
