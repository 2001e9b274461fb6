"""A listing paragraph added without words reads the secretariat's standard sentence."""

from events.listings import render_paragraph_text
from events.model import LIST_MARK, AgendaItem, Chapter, Details, Listing, Paragraph, Report, Statement


def _report(language: str, text: str = LIST_MARK) -> Report:
    paragraph = Paragraph(id="p", text=text, listing=Listing(kind="statements", agenda_item_id="a2", category="party"))
    return Report(
        id="r",
        title="Projet de rapport",
        details=Details(language=language),
        chapters=(Chapter(id="c", title="Déclarations", paragraphs=(paragraph,)),),
        agenda=(AgendaItem(id="a1", title="Questions d’organisation"), AgendaItem(id="a2", title="Stratégies efficaces")),
        statements=tuple(
            Statement(id=f"s{n}", agenda_item_id="a2", category="party", delegation=name)
            for n, name in enumerate(["Chine", "États-Unis", "Arménie"])
        ),
    )


def test_the_statements_paragraph_reads_the_standard_french_sentence() -> None:
    report = _report("fr")
    assert render_paragraph_text(report, report.chapters[0].paragraphs[0]) == (
        "Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes et "
        "représentants des États parties suivants : Arménie, Chine et États-Unis."
    )


def test_the_statements_paragraph_reads_the_standard_english_sentence() -> None:
    report = _report("en")
    assert render_paragraph_text(report, report.chapters[0].paragraphs[0]) == (
        "Under agenda item 2, statements were made by the representatives of the following States parties: "
        "Arménie, Chine and États-Unis."
    )


def test_the_drafters_own_words_replace_the_standard_sentence() -> None:
    report = _report("fr", f"Ont pris la parole : {LIST_MARK}.")
    assert render_paragraph_text(report, report.chapters[0].paragraphs[0]) == "Ont pris la parole : Arménie, Chine et États-Unis."
