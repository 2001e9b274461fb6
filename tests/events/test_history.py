"""Who changed what, and when: blame names the author of every word and the last change of every
paragraph, diff lists exactly what changed between two versions, history filters select events,
and every event has a one-line summary in French as well as in English."""

from datetime import timedelta

import msgspec
import pytest

from events import catalogue as ev
from events import commands as cmd
from events.catalogue import EVENT_TYPES, Event, event_type
from events.envelope import encode_event
from events.errors import DomainError
from events.evolve import replay
from events.history import (
    BlameLog,
    Change,
    HistoryFilter,
    Words,
    blame,
    by_author,
    diff,
    in_chapter,
    matches,
    tokens,
)
from events.model import LIST_MARK, AuthorRun, Details, Listing, Paragraph
from events.references import paragraph_by_number
from events.summary import TEMPLATES, TEMPLATES_FR, summarize
from events.text_ops import Delete
from tests.events.builders import AT, Drafting, placeholder_id, stored
from tests.events.meeting import DETAILS, SESSIONS, Meeting
from tests.events.test_summary import CHAPTER, ITEM, LINES, OTHER, PARAGRAPH, SECTION

GROUP = "Le Groupe a examiné le point."


class ThreeDrafters(Drafting):
    """alice writes GROUP; bruno and chiara then type into it at once, on the revision alice
    wrote (neither sees the other's edit), and alice, having seen bruno's edit but not chiara's,
    rewrites a word. The paragraph ends as « Le Groupe de travail a étudié longuement le point. »
    """

    def __init__(self) -> None:
        super().__init__()
        self.submit(cmd.CreateReport(title="Projet de rapport"))
        self.introduction = self.add_chapter("Introduction")
        self.paragraph_id = self.add_paragraph(self.introduction, GROUP)
        self.type(0, [len("Le Groupe"), " de travail"], "bruno")
        self.type(0, [len("Le Groupe a examiné"), " longuement"], "chiara")
        self.type(1, [len("Le Groupe de travail a "), Delete(len("examiné")), "étudié"], "alice")

    def type(self, base_revision: int, ops: list, actor: str, paragraph_id: str | None = None) -> None:
        command = cmd.EditParagraphText(paragraph_id=paragraph_id or self.paragraph_id, base_revision=base_revision, ops=ops)
        self.submit(command, actor=actor)

    @property
    def paragraph(self) -> Paragraph:
        return next(p for p in self.report.all_paragraphs() if p.id == self.paragraph_id)


def _per_character(paragraph: Paragraph) -> list[str]:
    return [run.author for run in paragraph.authors for _ in range(run.length)]


# Blame

def test_blame_names_the_author_of_every_word_typed_by_three_drafters_at_once() -> None:
    drafting = ThreeDrafters()

    (blamed,) = blame(drafting.report, drafting.events).paragraphs

    assert drafting.paragraph.text == "Le Groupe de travail a étudié longuement le point."
    assert [(w.text, w.author) for w in blamed.words if not w.text.isspace()] == [
        ("Le", "alice"), ("Groupe", "alice"), ("de", "bruno"), ("travail", "bruno"), ("a", "alice"),
        ("étudié", "alice"), ("longuement", "chiara"), ("le", "alice"), ("point.", "alice"),
    ]


def test_blame_agrees_with_the_authorship_of_every_character() -> None:
    drafting = ThreeDrafters()
    paragraph = drafting.paragraph

    (blamed,) = blame(drafting.report, drafting.events).paragraphs

    assert "".join(w.text for w in blamed.words) == paragraph.text
    characters = iter(_per_character(paragraph))
    for word in blamed.words:
        assert {next(characters) for _ in word.text} == {word.author}, word


def test_a_word_belongs_to_the_drafter_who_wrote_most_of_it() -> None:
    paragraph = Paragraph(
        id=PARAGRAPH, text="décisions ab",
        authors=(AuthorRun("alice", 8), AuthorRun("bruno", 1), AuthorRun("alice", 1), AuthorRun("chiara", 1), AuthorRun("bruno", 1)),
    )

    assert tokens(paragraph) == [Words("décisions", "alice"), Words(" ", "alice"), Words("ab", "chiara")]


def test_the_list_mark_is_a_token_of_its_own() -> None:
    text = f"Des déclarations ont été faites par : {LIST_MARK}."
    paragraph = Paragraph(id=PARAGRAPH, text=text, authors=(AuthorRun("alice", len(text) - 1), AuthorRun("bruno", 1)))

    assert [w.text for w in tokens(paragraph)][-3:] == [" ", "[list]", "."]
    assert tokens(paragraph)[-1] == Words(".", "bruno")


def test_words_are_grouped_by_author_with_the_spaces_between_them() -> None:
    words = tokens(ThreeDrafters().paragraph)

    assert by_author(words) == [
        Words("Le Groupe", "alice"), Words("de travail", "bruno"), Words("a étudié", "alice"),
        Words("longuement", "chiara"), Words("le point.", "alice"),
    ]


def test_blame_numbers_paragraphs_in_reading_order_with_the_event_that_last_changed_each() -> None:
    m = Meeting()
    m.submit(cmd.MoveParagraph(paragraph_id=m.iran, chapter_id=m.introduction), actor="bruno")
    m.submit(cmd.AddSubItem(paragraph_id=m.measures, text="de sensibiliser le public ;"), actor="chiara")
    m.submit(cmd.RetitleChapter(chapter_id=m.introduction, title="Ouverture"), actor="bruno")

    blamed = blame(m.report, m.events)

    assert [p.number for p in blamed.paragraphs] == list(range(1, len(m.report.all_paragraphs()) + 1))
    assert [p.paragraph_id for p in blamed.paragraphs] == [p.id for p in m.report.all_paragraphs()]
    by_id = {p.paragraph_id: p for p in blamed.paragraphs}
    assert by_id[m.iran].last_change == Change(version=m.version - 2, actor="bruno", at=AT, type="ParagraphMoved")
    assert by_id[m.iran].chapter_id == m.introduction
    assert by_id[m.measures].last_change == Change(version=m.version - 1, actor="chiara", at=AT, type="SubItemAdded")
    assert by_id[m.decision].last_change.type == "ParagraphAdded"
    assert by_id[m.cooperation].last_change.type == "RecommendationAdded"
    added_item = by_id[m.measures].sub_items[-1]
    assert (added_item.text, added_item.last_change.actor) == ("de sensibiliser le public ;", "chiara")
    assert blamed.version == m.version


def test_blame_records_who_recorded_statements_filled_placeholders_and_adopted_chapters() -> None:
    m = Meeting()
    bahamas = m.submit(cmd.RecordStatement(agenda_item_id=m.technologies, category="party", delegation="Bahamas"), actor="bruno")[0]
    m.submit(cmd.WithdrawStatement(statement_id=m.australia), actor="bruno")
    fill_id = placeholder_id(m.sessions, "[sa/ses 2e et 3e]")
    filled = m.submit(cmd.FillPlaceholder(placeholder_id=fill_id, value="ses 2e et 3e"), actor="chiara")[0]
    adopted = m.submit(cmd.AdoptChapter(chapter_id=m.introduction), actor="alice")[0]
    reopened = m.submit(cmd.ReopenChapter(chapter_id=m.introduction, reason="une erreur de date"), actor="bruno")[0]
    report_adopted = m.submit(cmd.AdoptReport(ad_referendum=True), actor="alice")[0]

    blamed = blame(m.report, m.events)

    assert [(s.delegation, s.agenda_item, s.recorded.actor) for s in blamed.statements] == [
        ("Arménie", "2", "alice"), ("Iran (République islamique d’)", "2", "alice"), ("Bahamas", "2", "bruno"),
    ]
    assert blamed.statements[-1].recorded == Change(bahamas.version, "bruno", AT, "StatementRecorded")
    (fill,) = blamed.fills
    assert (fill.placeholder_id, fill.paragraph, fill.original, fill.value) == (fill_id, m.numbers()[m.sessions], "[sa/ses 2e et 3e]", "ses 2e et 3e")
    assert fill.recorded == Change(filled.version, "chiara", AT, "PlaceholderFilled")
    assert [(a.recorded.type, a.chapter, a.reason, a.ad_referendum, a.recorded.actor, a.recorded.version) for a in blamed.adoptions] == [
        ("ChapterAdopted", "I", None, False, "alice", adopted.version),
        ("ChapterReopened", "I", "une erreur de date", False, "bruno", reopened.version),
        ("ReportAdopted", None, None, True, "alice", report_adopted.version),
    ]


def test_blame_of_the_stored_events_is_the_blame_of_the_decoded_ones() -> None:
    """The server's blame reads most stored events without decoding their payload."""
    m = Meeting()
    m.submit(cmd.RecordStatement(agenda_item_id=m.technologies, category="party", delegation="Bahamas"), actor="bruno")
    m.submit(cmd.FillPlaceholder(placeholder_id=placeholder_id(m.sessions, "[sa/ses 2e et 3e]"), value="ses 2e et 3e"), actor="chiara")
    m.submit(cmd.AdoptChapter(chapter_id=m.introduction), actor="alice")
    drafting = ThreeDrafters()
    for report, events in ((m.report, m.events), (drafting.report, drafting.events)):
        log = BlameLog()
        for event in events:
            log.record_stored(encode_event(event), event.report_id, event.version)
        assert log.blame(report) == blame(report, events)


def test_blame_at_a_past_version_uses_the_events_up_to_it() -> None:
    drafting = ThreeDrafters()
    at_4 = drafting.events[:4]  # created, chapter, paragraph, bruno's edit

    (blamed,) = blame(replay(at_4), at_4).paragraphs

    assert by_author(blamed.words) == [Words("Le Groupe", "alice"), Words("de travail", "bruno"), Words("a examiné le point.", "alice")]
    assert blamed.last_change.actor == "bruno"


def test_blame_encodes_to_plain_json() -> None:
    drafting = ThreeDrafters()

    encoded = msgspec.json.decode(msgspec.json.encode(blame(drafting.report, drafting.events)))

    paragraph = encoded["paragraphs"][0]
    assert paragraph["last_change"] == {"version": 6, "actor": "alice", "at": "2021-10-12T00:00:00Z", "type": "ParagraphTextEdited"}
    assert paragraph["words"][:2] == [{"text": "Le", "author": "alice"}, {"text": " ", "author": "alice"}]
    assert set(encoded) == {"report_id", "version", "paragraphs", "statements", "fills", "adoptions"}


# Diff

class TwoVersions(Drafting):
    """Chapter I with paragraphs `decision`, `vienna`, `sessions`, `unchanged` by alice (the
    version `before`); then bruno rewrites words of `vienna`, chiara adds `new` before
    `unchanged`, alice removes `decision` (so `unchanged` is renumbered but not changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.submit(cmd.CreateReport(title="Projet de rapport"))
        self.introduction = self.add_chapter("Introduction")
        self.decision = self.add_paragraph(self.introduction, "Dans sa décision 4/4, la Conférence des Parties…")
        self.vienna = self.add_paragraph(self.introduction, "À la réunion tenue à Vienne les 12 et 13 octobre 2021, le Groupe…")
        self.sessions = self.add_paragraph(self.introduction, SESSIONS)
        self.unchanged = self.add_paragraph(self.introduction, "Le Groupe a examiné le point.")
        self.before = self.report
        self.before_version = self.version
        text = self.report.all_paragraphs()[1].text
        start = text.index("12 et 13")
        self.submit(cmd.EditParagraphText(paragraph_id=self.vienna, base_revision=0, ops=[start, Delete(len("12 et 13 octobre")), "14 et 15 novembre"]), actor="bruno")
        opened = cmd.AddParagraph(chapter_id=self.introduction, text="La réunion a été ouverte.", before=self.unchanged)
        self.new = self.submit(opened, actor="chiara")[0].data.paragraph_id
        self.submit(cmd.RemoveParagraph(paragraph_id=self.decision), actor="alice")


def test_a_diff_lists_exactly_the_paragraphs_that_changed_with_their_numbers() -> None:
    d = TwoVersions()

    changes = diff(d.before, d.report)

    assert [(p.paragraph_id, p.status, p.number_before, p.number_after) for p in changes.paragraphs] == [
        (d.decision, "removed", 1, None),
        (d.vienna, "changed", 2, 1),
        (d.new, "added", None, 3),
    ]


def test_a_diff_names_the_words_inserted_and_deleted_with_their_authors() -> None:
    d = TwoVersions()

    removed, changed, added = diff(d.before, d.report).paragraphs

    # « et » stayed: word by word, « 12 et 13 octobre » -> « 14 et 15 novembre » is two changes.
    assert changed.deleted == [Words("12", "alice"), Words("13 octobre", "alice")]
    assert changed.inserted == [Words("14", "bruno"), Words("15 novembre", "bruno")]
    assert added.inserted == [Words("La réunion a été ouverte.", "chiara")] and added.deleted == []
    assert removed.deleted == [Words("Dans sa décision 4/4, la Conférence des Parties…", "alice")] and removed.inserted == []


def test_a_diff_of_concurrent_typing_names_each_typist() -> None:
    drafting = ThreeDrafters()

    (changed,) = diff(replay(drafting.events[:3]), drafting.report).paragraphs

    assert changed.status == "changed"
    assert changed.inserted == [Words("de travail", "bruno"), Words("étudié", "alice"), Words("longuement", "chiara")]
    assert changed.deleted == [Words("examiné", "alice")]


def test_a_diff_between_equal_versions_is_empty() -> None:
    d = TwoVersions()

    changes = diff(d.report, d.report)

    assert (changes.paragraphs, changes.headings, changes.facts) == ([], [], [])


def test_a_diff_lists_sub_items_added_changed_and_removed() -> None:
    m = Meeting()
    before = m.report
    m.submit(cmd.ReplaceSubItemText(paragraph_id=m.measures, sub_item_id=m.technology, text="de coopérer ;"))
    m.submit(cmd.RemoveSubItem(paragraph_id=m.measures, sub_item_id=m.procurement_item))

    (changed,) = diff(before, m.report).paragraphs

    assert (changed.paragraph_id, changed.inserted, changed.deleted) == (m.measures, [], [])
    assert [(i.sub_item_id, i.status, i.before, i.after) for i in changed.sub_items] == [
        (m.technology, "changed", "de renforcer la coopération ;", "de coopérer ;"),
        (m.procurement_item, "removed", "de former les agents.", None),
    ]


def test_a_diff_lists_headings_retitled_added_removed_and_adopted() -> None:
    m = Meeting()
    before = m.report
    m.submit(cmd.RetitleChapter(chapter_id=m.summary, title="Résumé de la Présidente"))
    m.submit(cmd.RemoveSection(section_id=m.procurement_summary))
    other = m.add(cmd.AddSection(chapter_id=m.introduction, title="Historique"))
    m.submit(cmd.AdoptChapter(chapter_id=m.introduction))
    m.submit(cmd.RetitleReport(title="Rapport"))

    headings = diff(before, m.report).headings

    assert [(h.kind, h.id, h.status, h.number_before, h.number_after, h.before, h.after) for h in headings] == [
        ("report", m.report_id, "retitled", None, None, "Projet de rapport", "Rapport"),
        ("chapter", m.introduction, "adopted", "I", "I", "Introduction", "Introduction"),
        ("section", other, "added", None, "I.A", None, "Historique"),
        ("chapter", m.summary, "retitled", "III", "III", "Résumé des délibérations", "Résumé de la Présidente"),
        ("section", m.procurement_summary, "removed", "III.B", None, "Mesures destinées à renforcer les politiques", None),
    ]


def test_a_diff_lists_the_meeting_facts_added_and_removed() -> None:
    m = Meeting()
    before = m.report
    bahamas = m.add(cmd.RecordStatement(agenda_item_id=m.procurement, category="party", delegation="Bahamas"))
    m.submit(cmd.RemoveParticipant(participant_id=m.bhutan))
    document = m.add(cmd.AddDocument(symbol="CTOC/COP/WG.4/2021/3", title="Note du Secrétariat"))
    m.submit(cmd.RemovePanellist(panellist_id=m.glock))

    facts = diff(before, m.report).facts

    assert [(f.kind, f.status, f.id, f.name, f.detail, f.agenda_item) for f in facts] == [
        ("statement", "added", bahamas, "Bahamas", "party", "3"),
        ("document", "added", document, "CTOC/COP/WG.4/2021/3", "Note du Secrétariat", None),
        ("participant", "removed", m.bhutan, "Bhoutan", "observer_state", None),
        ("panellist", "removed", m.glock, "Porter Glock", "États-Unis", "3"),
    ]


# History filters

def _edited_at(drafting: Drafting, minutes: int) -> None:
    """Stamp each event `minutes` apart, from AT: event n at AT + n * minutes."""
    drafting.events = [msgspec.structs.replace(e, at=AT + timedelta(minutes=minutes * e.version)) for e in drafting.events]


def _versions(drafting: Drafting, filters: HistoryFilter) -> list[int]:
    return [event.version for event in drafting.events if matches(event, filters)]


def test_no_filter_keeps_every_event() -> None:
    drafting = ThreeDrafters()

    assert _versions(drafting, HistoryFilter()) == [1, 2, 3, 4, 5, 6]


def test_history_filters_by_actor_type_and_paragraph() -> None:
    drafting = ThreeDrafters()
    other = drafting.add_paragraph(drafting.introduction, "Autre paragraphe.")
    drafting.type(0, ["Un "], "bruno", paragraph_id=other)

    assert _versions(drafting, HistoryFilter(actors=frozenset({"bruno"}))) == [4, 8]
    assert _versions(drafting, HistoryFilter(types=frozenset({"ParagraphTextEdited"}))) == [4, 5, 6, 8]
    assert _versions(drafting, HistoryFilter(types=frozenset({"ChapterAdded", "ParagraphAdded"}))) == [2, 3, 7]
    assert _versions(drafting, HistoryFilter(paragraph_id=drafting.paragraph_id)) == [3, 4, 5, 6]
    assert _versions(drafting, HistoryFilter(paragraph_id=other, actors=frozenset({"bruno"}))) == [8]


def test_history_filters_by_chapter_through_the_report_at_its_latest_version() -> None:
    m = Meeting()
    start = m.version
    m.submit(cmd.ReplaceParagraphText(paragraph_id=m.vienna, text="À Vienne…"))  # start + 1, chapter II
    m.submit(cmd.AddSubItem(paragraph_id=m.measures, text="de former ;"))  # start + 2, chapter II, section A
    m.submit(cmd.RetitleSection(section_id=m.general, title="Générales"))  # start + 3, chapter II
    m.submit(cmd.ReplaceParagraphText(paragraph_id=m.decision, text="Dans sa décision…"))  # start + 4, chapter I
    m.submit(cmd.MoveParagraph(paragraph_id=m.decision, chapter_id=m.recommendations))  # start + 5, moved into II
    m.submit(cmd.AdoptChapter(chapter_id=m.recommendations))  # start + 6
    m.submit(cmd.ReplaceParagraphText(paragraph_id=m.first_meetings, text="À ses séances…"))  # start + 7, chapter III
    m.submit(cmd.RetitleChapter(chapter_id=m.introduction, title="Ouverture"))  # start + 8, chapter I
    filters = HistoryFilter(chapter_id=m.recommendations, chapter_members=in_chapter(m.report, m.recommendations))

    kept = [v for v in _versions(m, filters) if v > start]

    # The edit to `decision` made while it was in chapter I counts in II, where it is now.
    assert kept == [start + n for n in (1, 2, 3, 4, 5, 6)]
    assert m.events[start - 1 + 4].data.paragraph_id == m.decision
    assert in_chapter(m.report, "no such chapter") == frozenset()


def test_history_filters_by_time_since_inclusive_until_exclusive() -> None:
    drafting = ThreeDrafters()
    _edited_at(drafting, minutes=10)

    window = HistoryFilter(since=AT + timedelta(minutes=20), until=AT + timedelta(minutes=50))

    assert _versions(drafting, window) == [2, 3, 4]
    assert _versions(drafting, HistoryFilter(since=AT + timedelta(minutes=55))) == [6]
    assert _versions(drafting, HistoryFilter(until=AT + timedelta(minutes=10))) == []


def test_a_paragraph_is_found_by_its_number_or_its_id() -> None:
    m = Meeting()
    paragraphs = m.report.all_paragraphs()

    assert paragraph_by_number(m.report, "1") == paragraphs[0]
    assert paragraph_by_number(m.report, " 3. ") == paragraphs[2]
    assert paragraph_by_number(m.report, m.sessions.upper()).id == m.sessions
    for unknown in ("0", str(len(paragraphs) + 1), "deux"):
        with pytest.raises(DomainError) as missing:
            paragraph_by_number(m.report, unknown)
        assert missing.value.code == "unknown_paragraph"


# Summaries in French, the language of most reports

LINES_FR: list[tuple[Event, str]] = [
    (ev.ReportCreated(title="Projet de rapport"), "a créé « Projet de rapport »"),
    (ev.ReportRetitled(title="Rapport sur les travaux de la onzième réunion"),
     "a renommé le rapport en « Rapport sur les travaux de la onzième réunion »"),
    (ev.ReportDetailsChanged(details=DETAILS),
     "a défini les données de la réunion : organe « Groupe de travail sur la traite des personnes », cote « CTOC/COP/WG.4/2021/L.1 », langue fr"),
    (ev.ChapterAdded(chapter_id=CHAPTER, title="Introduction"), "a ajouté le chapitre « Introduction »"),
    (ev.ChapterRetitled(chapter_id=CHAPTER, title="Résumé de la Présidente"), "a renommé le chapitre b6e2d1f0 en « Résumé de la Présidente »"),
    (ev.ChapterMoved(chapter_id=CHAPTER, before=OTHER), "a déplacé le chapitre b6e2d1f0 avant a92e6fc9"),
    (ev.ChapterRemoved(chapter_id=CHAPTER), "a supprimé le chapitre b6e2d1f0"),
    (ev.SectionAdded(section_id=SECTION, chapter_id=CHAPTER, title="Déclarations"), "a ajouté la section « Déclarations » au chapitre b6e2d1f0"),
    (ev.SectionRetitled(section_id=SECTION, title="Participation"), "a renommé la section 886e9361 en « Participation »"),
    (ev.SectionMoved(section_id=SECTION, chapter_id=CHAPTER), "a déplacé la section 886e9361 dans le chapitre b6e2d1f0"),
    (ev.SectionRemoved(section_id=SECTION), "a supprimé la section 886e9361"),
    (ev.ParagraphAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text="Dans sa décision 4/4…"),
     "a ajouté le paragraphe 3f0c9a52 : « Dans sa décision 4/4… »"),
    (ev.ParagraphTextReplaced(paragraph_id=PARAGRAPH, text="Dans sa résolution 7/1…"),
     "a remplacé le texte du paragraphe 3f0c9a52 : « Dans sa résolution 7/1… »"),
    (ev.ParagraphTextEdited(paragraph_id=PARAGRAPH, revision=4, ops=[20, Delete(8), "les points 2 et 3"]),
     "a saisi dans le paragraphe 3f0c9a52 (révision 4) : suppression de 8 caractères et insertion de « les points 2 et 3 » à la position 20"),
    (ev.ParagraphMoved(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, section_id=SECTION, before=OTHER),
     "a déplacé le paragraphe 3f0c9a52 dans le chapitre b6e2d1f0, section 886e9361 avant a92e6fc9"),
    (ev.ParagraphRemoved(paragraph_id=PARAGRAPH), "a supprimé le paragraphe 3f0c9a52"),
    (ev.SubItemAdded(paragraph_id=PARAGRAPH, sub_item_id=OTHER, text="de renforcer la coopération ;"),
     "a ajouté l’alinéa a92e6fc9 au paragraphe 3f0c9a52 : « de renforcer la coopération ; »"),
    (ev.SubItemTextReplaced(paragraph_id=PARAGRAPH, sub_item_id=OTHER, text="de coopérer ;"),
     "a remplacé le texte de l’alinéa a92e6fc9 du paragraphe 3f0c9a52 : « de coopérer ; »"),
    (ev.SubItemMoved(paragraph_id=PARAGRAPH, sub_item_id=OTHER), "a déplacé l’alinéa a92e6fc9 du paragraphe 3f0c9a52 à la fin"),
    (ev.SubItemRemoved(paragraph_id=PARAGRAPH, sub_item_id=OTHER), "a supprimé l’alinéa a92e6fc9 du paragraphe 3f0c9a52"),
    (ev.PlaceholderFilled(placeholder_id=f"{PARAGRAPH}:b7ee913d:0", paragraph_id=PARAGRAPH, original="[sa/ses 2e et 3e]",
                          value="ses 2e et 3e", start=2),
     "a complété [sa/ses 2e et 3e] dans le paragraphe 3f0c9a52 par « ses 2e et 3e »"),
    (ev.AgendaItemAdded(agenda_item_id=OTHER, title="Ouverture de la réunion", parent_id=ITEM),
     "a ajouté à l’ordre du jour le point « Ouverture de la réunion » sous le point 4d1c2b3a"),
    (ev.AgendaItemRetitled(agenda_item_id=ITEM, title="Questions d’organisation"),
     "a renommé le point 4d1c2b3a de l’ordre du jour en « Questions d’organisation »"),
    (ev.AgendaItemRemoved(agenda_item_id=ITEM), "a retiré le point 4d1c2b3a de l’ordre du jour"),
    (ev.StatementRecorded(statement_id=OTHER, agenda_item_id=ITEM, category="party", delegation="Arménie"),
     "a enregistré une déclaration (Arménie, État partie) au titre du point 4d1c2b3a de l’ordre du jour"),
    (ev.StatementWithdrawn(statement_id=OTHER), "a retiré la déclaration a92e6fc9"),
    (ev.ParticipantAdded(participant_id=OTHER, category="non_member_observer_state", name="Saint-Siège"),
     "a ajouté à la liste des participants : Saint-Siège (État non membre observateur)"),
    (ev.ParticipantRemoved(participant_id=OTHER), "a retiré l’entrée a92e6fc9 de la liste des participants"),
    (ev.PanellistAdded(panellist_id=OTHER, agenda_item_id=ITEM, name="Helga Gayer", delegation="Allemagne"),
     "a ajouté à la liste des intervenants : Helga Gayer (Allemagne), au titre du point 4d1c2b3a de l’ordre du jour"),
    (ev.PanellistRemoved(panellist_id=OTHER), "a retiré l’entrée a92e6fc9 de la liste des intervenants"),
    (ev.DocumentAdded(document_id=OTHER, symbol="CTOC/COP/WG.4/2021/1", title="Ordre du jour provisoire annoté"),
     "a ajouté le document CTOC/COP/WG.4/2021/1 : « Ordre du jour provisoire annoté »"),
    (ev.DocumentRemoved(document_id=OTHER), "a retiré le document a92e6fc9"),
    (ev.RecommendationAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text="Les États parties devraient…"),
     "a ajouté la recommandation 3f0c9a52 au chapitre b6e2d1f0 : « Les États parties devraient… »"),
    (ev.ChapterAdopted(chapter_id=CHAPTER), "a adopté le chapitre b6e2d1f0"),
    (ev.ChapterReopened(chapter_id=CHAPTER, reason="une erreur de date au paragraphe 3"),
     "a rouvert le chapitre b6e2d1f0 : une erreur de date au paragraphe 3"),
    (ev.ReportAdopted(ad_referendum=True), "a adopté le rapport ad referendum"),
]


@pytest.mark.parametrize(("data", "line"), LINES_FR, ids=[event_type(data) for data, _ in LINES_FR])
def test_every_event_type_has_a_one_line_summary_in_french(data: Event, line: str) -> None:
    assert summarize(stored(data, version=1), "fr") == line


@pytest.mark.parametrize(("data", "line"), LINES, ids=[event_type(data) for data, _ in LINES])
def test_every_event_type_keeps_its_english_summary_by_default_and_when_asked(data: Event, line: str) -> None:
    event = stored(data, version=1)

    assert summarize(event) == summarize(event, "en") == line


def test_the_french_summaries_cover_every_event_type() -> None:
    assert [event_type(data) for data, _ in LINES_FR] == list(EVENT_TYPES)
    assert TEMPLATES_FR.keys() == TEMPLATES.keys() == EVENT_TYPES.keys()


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (ev.ChapterAdded(chapter_id=CHAPTER, title="Annexe", before=OTHER), "a ajouté le chapitre « Annexe » avant a92e6fc9"),
        (ev.ChapterMoved(chapter_id=CHAPTER), "a déplacé le chapitre b6e2d1f0 à la fin"),
        (ev.PanellistAdded(panellist_id=OTHER, agenda_item_id=ITEM, name="Helga Gayer"),
         "a ajouté à la liste des intervenants : Helga Gayer, au titre du point 4d1c2b3a de l’ordre du jour"),
        (ev.ReportAdopted(), "a adopté le rapport"),
        (ev.ReportDetailsChanged(details=Details()), "a défini les données de la réunion : organe —, cote —, langue fr"),
        (ev.ParagraphAdded(paragraph_id=PARAGRAPH, chapter_id=CHAPTER, text=f"Des déclarations ont été faites par : {LIST_MARK}.",
                           listing=Listing(kind="statements", agenda_item_id=ITEM, category="party")),
         "a ajouté le paragraphe 3f0c9a52 (liste des déclarations) : « Des déclarations ont été faites par : [list]. »"),
    ],
    ids=["added before", "moved last", "panellist without delegation", "not ad referendum", "no details", "listing paragraph"],
)
def test_optional_fields_show_only_when_given_in_french(data: Event, line: str) -> None:
    assert summarize(stored(data, version=1), "fr") == line


@pytest.mark.parametrize(
    ("ops", "typed"),
    [
        ([10, "de travail "], "insertion de « de travail » à la position 10"),
        ([Delete(1)], "suppression d’un caractère à la position 0"),
        ([7, " "], "insertion d’une espace à la position 7"),
        ([7, "  "], "insertion de 2 blancs à la position 7"),
        (["À Vienne, ", 9, Delete(2), "a", 3, "le", 4, "b"],
         "suppression de 2 caractères et insertion de « À Vienne, », « a », « le » et 1 autre à la position 0"),
        ([3, f"suivantes : {LIST_MARK}"], "insertion de « suivantes : [list] » à la position 3"),
        ([], "aucun changement"),
    ],
    ids=["insert", "one character deleted", "a space", "blanks", "many inserts", "the list mark", "nothing"],
)
def test_typing_is_summarised_in_french_by_what_it_deleted_and_inserted_and_where(ops: list, typed: str) -> None:
    line = summarize(stored(ev.ParagraphTextEdited(paragraph_id=PARAGRAPH, revision=2, ops=ops), version=2), "fr")

    assert line == f"a saisi dans le paragraphe 3f0c9a52 (révision 2) : {typed}"


def test_every_event_of_a_drafted_report_is_summarised_in_french_on_one_line() -> None:
    for event in Meeting().events:
        line = summarize(event, "fr")
        assert "\n" not in line and "None" not in line and "{" not in line and "_" not in line
