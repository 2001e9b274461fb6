"""`Meeting`: a slice of the seed report (the Working Group on Trafficking in Persons, Vienna,
12–13 October 2021) with the facts its listing paragraphs are generated from, and the
`Refusal` stories the rule tests tell on it.
"""

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from events import commands as cmd
from events.commands import AddChapter, AddParagraph, AddSection, Command, CreateReport
from events.model import LIST_MARK, Chapter, Details, Listing, Paragraph
from tests.events.builders import Drafting, placeholder_id, refusal

# The words of the seed report, shortened where the rules do not care.
DECISION_4_4 = "Dans sa décision 4/4, la Conférence des Parties…"
VIENNA = "À la réunion qu’il a tenue à Vienne les 12 et 13 octobre 2021, le Groupe de travail…"
MEASURES = "Le Groupe de travail a recommandé à la Conférence des Parties d’envisager d’adopter les mesures suivantes :"
SESSIONS = (
    "À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13] octobre 2021, le Groupe de travail a examiné "
    "le point 3 de l’ordre du jour."
)
PANELLISTS_2 = f"Sous la conduite de la Présidente, le débat consacré au point 2 a été animé par les personnes suivantes : {LIST_MARK}."
STATEMENTS_2 = (
    "Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes et "
    f"représentants des Parties au Protocole suivantes : {LIST_MARK}."
)
IRAN = "L’observatrice de la République islamique d’Iran a également fait une déclaration."
AGENDA_ADOPTED = "À sa 1re séance, le 12 octobre 2021, le Groupe de travail a adopté par consensus l’ordre du jour ci-après :"
PARTIES = f"Les États énumérés ci-après, parties au Protocole relatif à la traite des personnes, étaient représentés à la réunion : {LIST_MARK}."
OBSERVERS = f"Les États énumérés ci-après, ni parties ni signataires, étaient représentés par des observateurs : {LIST_MARK}."
DOCUMENTS = "Le Groupe de travail était saisi des documents suivants :"
ADOPTION = f"Le 13 octobre 2021, le Groupe de travail a adopté les chapitres {LIST_MARK} du présent rapport."

DETAILS = Details(
    body="Groupe de travail sur la traite des personnes",
    parent_body="Conférence des Parties à la Convention des Nations Unies contre la criminalité transnationale organisée",
    ordinal=11,
    venue="Vienne",
    first_date=date(2021, 10, 12),
    last_date=date(2021, 10, 13),
    language="fr",
    symbol="CTOC/COP/WG.4/2021/L.1",
)


class Meeting(Drafting):
    """The seed report, in short, with its facts:

    I. Introduction: `decision`
    II. Recommandations: `vienna`; A. Recommandations générales: `measures` (sub-items
        `technology`, `procurement_item`), recommendation `cooperation`
    III. Résumé des délibérations: A. `technologies_summary`: `first_meetings`;
        B. `procurement_summary`: `sessions` (with placeholders)
    IV. Organisation de la réunion: A. `opening`: `opened`; B. `statements`: `moderated`
        (panellists of item 2), `spoke` (statements of parties under item 2), `iran`;
        C. `agenda_section`: `agenda_adopted` (the agenda); D. `participation`: `parties`,
        `observers` (participants); E. `documentation`: `documents` (the documents)
    V. Adoption du rapport: `adoption` (the adopted chapters)

    Agenda: 1 `organisation` (a `opening_item`, b `adoption_of_agenda`), 2 `technologies`,
    3 `procurement`, 4 `other_matters`. Statements under item 2: `armenia`, `australia`
    (parties), `iran_statement` (observer State). Panellists: `gayer` (item 2), `glock`
    (item 3). Participants: `afghanistan`, `albania` (parties), `bhutan` (observer State).
    Documents: `annotated_agenda`, `background_paper`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.submit(CreateReport(title="Projet de rapport"))
        self.submit(cmd.SetReportDetails(details=DETAILS))
        self._facts()
        self._chapters()

    def _facts(self) -> None:
        agenda = cmd.AddAgendaItem
        self.organisation = self.add(agenda(title="Questions d’organisation"))
        self.opening_item = self.add(agenda(title="Ouverture de la réunion", parent_id=self.organisation))
        self.adoption_of_agenda = self.add(
            agenda(title="Adoption de l’ordre du jour et organisation des travaux", parent_id=self.organisation)
        )
        self.technologies = self.add(agenda(title="Stratégies efficaces pour lutter contre l’utilisation des technologies"))
        self.procurement = self.add(agenda(title="Mesures destinées à renforcer les politiques de passation des marchés publics"))
        self.other_matters = self.add(agenda(title="Questions diverses"))

        state = cmd.RecordStatement
        self.armenia = self.add(state(agenda_item_id=self.technologies, category="party", delegation="Arménie"))
        self.australia = self.add(state(agenda_item_id=self.technologies, category="party", delegation="Australie"))
        self.iran_statement = self.add(
            state(agenda_item_id=self.technologies, category="observer_state", delegation="Iran (République islamique d’)")
        )
        self.gayer = self.add(cmd.AddPanellist(agenda_item_id=self.technologies, name="Helga Gayer", delegation="Allemagne"))
        self.glock = self.add(cmd.AddPanellist(agenda_item_id=self.procurement, name="Porter Glock", delegation="États-Unis"))
        self.afghanistan = self.add(cmd.AddParticipant(category="party", name="Afghanistan"))
        self.albania = self.add(cmd.AddParticipant(category="party", name="Albanie"))
        self.bhutan = self.add(cmd.AddParticipant(category="observer_state", name="Bhoutan"))
        self.annotated_agenda = self.add(
            cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/1", title="Ordre du jour provisoire annoté")
        )
        self.background_paper = self.add(
            cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/2", title="Document d’information établi par le Secrétariat")
        )

    def listing(self, chapter_id: str, section_id: str | None, text: str, listing: Listing) -> str:
        return self.add(AddParagraph(chapter_id=chapter_id, section_id=section_id, text=text, listing=listing))

    def _chapters(self) -> None:
        self.introduction = self.add_chapter("Introduction")
        self.decision = self.add_paragraph(self.introduction, DECISION_4_4)

        self.recommendations = self.add_chapter("Recommandations")
        self.vienna = self.add_paragraph(self.recommendations, VIENNA)
        self.general = self.add_section(self.recommendations, "Recommandations générales")
        self.measures = self.add_paragraph(self.recommendations, MEASURES, self.general)
        self.technology = self.add(cmd.AddSubItem(paragraph_id=self.measures, text="de renforcer la coopération ;"))
        self.procurement_item = self.add(cmd.AddSubItem(paragraph_id=self.measures, text="de former les agents."))
        self.cooperation = self.add(
            cmd.AddRecommendation(
                chapter_id=self.recommendations,
                section_id=self.general,
                text="Les États parties devraient renforcer la coopération internationale.",
            )
        )

        self.summary = self.add_chapter("Résumé des délibérations")
        self.technologies_summary = self.add_section(self.summary, "Stratégies efficaces")
        self.first_meetings = self.add_paragraph(
            self.summary, "À ses 1re et 2e séances, tenues le 12 octobre 2021, le Groupe de travail a examiné le point 2.",
            self.technologies_summary,
        )
        self.procurement_summary = self.add_section(self.summary, "Mesures destinées à renforcer les politiques")
        self.sessions = self.add_paragraph(self.summary, SESSIONS, self.procurement_summary)

        self.organisation_chapter = self.add_chapter("Organisation de la réunion")
        chapter = self.organisation_chapter
        self.opening = self.add_section(chapter, "Ouverture de la réunion")
        self.opened = self.add_paragraph(chapter, "La réunion a été ouverte par S. E. Manizha Bakhtari (Afghanistan).", self.opening)
        self.statements = self.add_section(chapter, "Déclarations")
        self.moderated = self.listing(
            chapter, self.statements, PANELLISTS_2, Listing(kind="panellists", agenda_item_id=self.technologies)
        )
        self.spoke = self.listing(
            chapter, self.statements, STATEMENTS_2, Listing(kind="statements", agenda_item_id=self.technologies, category="party")
        )
        self.iran = self.add_paragraph(chapter, IRAN, self.statements)
        self.agenda_section = self.add_section(chapter, "Adoption de l’ordre du jour et organisation des travaux")
        self.agenda_adopted = self.listing(chapter, self.agenda_section, AGENDA_ADOPTED, Listing(kind="agenda"))
        self.participation = self.add_section(chapter, "Participation")
        self.parties = self.listing(chapter, self.participation, PARTIES, Listing(kind="participants", category="party"))
        self.observers = self.listing(
            chapter, self.participation, OBSERVERS, Listing(kind="participants", category="observer_state")
        )
        self.documentation = self.add_section(chapter, "Documentation")
        self.documents = self.listing(chapter, self.documentation, DOCUMENTS, Listing(kind="documents"))

        self.adoption_chapter = self.add_chapter("Adoption du rapport")
        self.adoption = self.listing(self.adoption_chapter, None, ADOPTION, Listing(kind="adoption"))

    def chapter(self, chapter_id: str) -> Chapter:
        return next(c for c in self.report.chapters if c.id == chapter_id)

    def paragraph(self, paragraph_id: str) -> Paragraph:
        return next(p for p in self.report.all_paragraphs() if p.id == paragraph_id)

    def numbers(self) -> dict[str, int]:
        """Each paragraph's number, 1..n in reading order."""
        return {p.id: n for n, p in enumerate(self.report.all_paragraphs(), start=1)}


def one_of_each(m: Meeting) -> list[Command]:
    """One command of every type, each accepted on a fresh Meeting: CreateReport aside, and
    ReopenChapter once its chapter is adopted."""
    return [
        CreateReport(title="Projet de rapport"),
        cmd.RetitleReport(title="Rapport sur les travaux de la onzième réunion"),
        cmd.SetReportDetails(details=Details(body=DETAILS.body, venue="Vienne", language="fr")),
        AddChapter(title="Questions diverses", before=m.adoption_chapter),
        cmd.RetitleChapter(chapter_id=m.summary, title="Résumé de la Présidente"),
        cmd.MoveChapter(chapter_id=m.summary, before=m.recommendations),
        cmd.RemoveChapter(chapter_id=m.summary),
        AddSection(chapter_id=m.summary, title="Questions diverses"),
        cmd.RetitleSection(section_id=m.general, title="Recommandations d’ordre général"),
        cmd.MoveSection(section_id=m.procurement_summary, chapter_id=m.summary, before=m.technologies_summary),
        cmd.RemoveSection(section_id=m.procurement_summary),
        AddParagraph(chapter_id=m.introduction, text="Dans sa résolution 7/1…"),
        cmd.ReplaceParagraphText(paragraph_id=m.decision, text="Dans sa décision 4/4, la Conférence des Parties a reconnu…"),
        cmd.EditParagraphText(
            paragraph_id=m.decision, base_revision=0, ops=[len("Dans sa décision 4/4, la Conférence des Parties"), " a reconnu"]
        ),
        cmd.MoveParagraph(paragraph_id=m.iran, chapter_id=m.organisation_chapter, section_id=m.statements, before=m.moderated),
        cmd.RemoveParagraph(paragraph_id=m.iran),
        cmd.AddSubItem(paragraph_id=m.measures, text="de sensibiliser le public ;", before=m.procurement_item),
        cmd.ReplaceSubItemText(paragraph_id=m.measures, sub_item_id=m.technology, text="de renforcer la coopération internationale ;"),
        cmd.MoveSubItem(paragraph_id=m.measures, sub_item_id=m.procurement_item, before=m.technology),
        cmd.RemoveSubItem(paragraph_id=m.measures, sub_item_id=m.procurement_item),
        cmd.FillPlaceholder(placeholder_id=placeholder_id(m.sessions, "[sa/ses 2e et 3e]"), value="ses 2e et 3e"),
        cmd.AddAgendaItem(title="Adoption du rapport"),
        cmd.RetitleAgendaItem(agenda_item_id=m.other_matters, title="Questions diverses."),
        cmd.RemoveAgendaItem(agenda_item_id=m.other_matters),
        cmd.RecordStatement(agenda_item_id=m.technologies, category="party", delegation="Bahamas"),
        cmd.WithdrawStatement(statement_id=m.australia),
        cmd.AddParticipant(category="party", name="Algérie"),
        cmd.RemoveParticipant(participant_id=m.albania),
        cmd.AddPanellist(agenda_item_id=m.technologies, name="Alexandra Gelber", delegation="États-Unis"),
        cmd.RemovePanellist(panellist_id=m.gayer),
        cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/3", title="Document d’information sur la passation des marchés"),
        cmd.RemoveDocument(document_id=m.background_paper),
        cmd.AddRecommendation(chapter_id=m.recommendations, section_id=m.general, text="Les États parties devraient…"),
        cmd.AdoptChapter(chapter_id=m.introduction),
        cmd.ReopenChapter(chapter_id=m.introduction, reason="une erreur de date"),
        cmd.AdoptReport(),
    ]


class Refusal(NamedTuple):
    """A command refused with `code` on a Meeting, once `given` (if any) has been submitted."""

    story: str
    code: str
    command: Callable[[Meeting], Command]
    given: Callable[[Meeting], list[Command]] = lambda m: []


def refused_on_meeting(case: Refusal) -> str:
    meeting = Meeting()
    for command in case.given(meeting):
        meeting.submit(command)
    return refusal(meeting, case.command(meeting))
