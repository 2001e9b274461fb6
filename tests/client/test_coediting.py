"""Two drafters typing in one paragraph at once, each on their own connection and server:
neither waits for the other, and both end with the server's text and their own words in it.
"""

import asyncio
import contextlib
import random
from collections.abc import Callable

import pytest

from client.api import Api
from client.coediting import ParagraphEditor
from client.live import CommandRefused, LiveReport
from events import text_ops
from events.commands import EditParagraphText
from events.envelope import StoredEvent
from events.errors import DomainError
from events.evolve import evolve
from events.model import RECENT_OPS, Paragraph, Report
from events.protocol import Ack, for_clients
from events.text_ops import Op
from tests.conftest import People
from tests.events.builders import Drafting, created
from tests.processes import ServerProcess
from tests.proxy import CuttableProxy

SENTENCE = "Le Groupe de travail a examiné le point 2 de l’ordre du jour."
TYPED = "À sa 3e séance, Le Groupe a adopté le point 2 de l’ordre du jour et le point 3 (CTOC/COP/WG.4/2021/2)."


class Typist:
    """A drafter at the keyboard: a caret that their typing moves and others' edits carry along."""

    def __init__(self, editor: ParagraphEditor, rng: random.Random) -> None:
        self.editor, self.caret, self.rng, self.keystrokes = editor, 0, rng, 0
        editor.on_remote_edit = self._follow

    def _follow(self, op: Op) -> None:
        self.caret = text_ops.transform_position(self.caret, op)

    async def keystroke(self) -> None:
        self.keystrokes += 1
        await asyncio.sleep(self.rng.uniform(0, 0.003))

    def click_after(self, words: str) -> None:
        self.caret = self.editor.text.index(words) + len(words)

    async def type(self, text: str) -> None:
        for character in text:
            self.editor.insert(self.caret, character)
            self.caret += 1
            await self.keystroke()

    async def backspace(self, count: int) -> None:
        for _ in range(count):
            self.caret -= 1
            self.editor.delete(self.caret, 1)
            await self.keystroke()

    async def delete_forward(self, count: int) -> None:
        for _ in range(count):
            self.editor.delete(self.caret, 1)
            await self.keystroke()


def paragraph_in(report: Report, paragraph_id: str) -> Paragraph:
    """The paragraph as clients see it: without the past operations only the server keeps
    (`for_clients`), so that a client's fold and the server's view compare whole."""
    return next(p for p in for_clients(report).all_paragraphs() if p.id == paragraph_id)


def authored(paragraph: Paragraph) -> list[tuple[str, str]]:
    runs, start = [], 0
    for run in paragraph.authors:
        runs.append((run.author, paragraph.text[start : start + run.length]))
        start += run.length
    return runs


def new_paragraph(server: ServerProcess, people: People, text: str = SENTENCE) -> tuple[Api, str, str]:
    """A report whose chapter « Résumé » holds one paragraph written by the secretariat."""
    secretariat = people.api(server, "secretariat")
    report_id = secretariat.create_report("Projet de rapport")
    (chapter,) = secretariat.submit(report_id, {"type": "AddChapter", "title": "Résumé"})["events"]
    added = secretariat.submit(
        report_id, {"type": "AddParagraph", "chapter_id": chapter["data"]["chapter_id"], "text": text}
    )["events"]
    return secretariat, report_id, added[0]["data"]["paragraph_id"]


async def settled(api: Api, report_id: str, lives: list[LiveReport], editors: list[ParagraphEditor]) -> Report:
    """Wait until no edit is in flight anywhere and every client holds the server's last version."""
    await asyncio.gather(*(editor.settled(30) for editor in editors))
    version, report = await asyncio.to_thread(api.report, report_id)
    await asyncio.gather(*(live.wait_for_version(version, 30) for live in lives))
    return report


@pytest.mark.parametrize("dropping", [False, True], ids=["steady", "dropping-connections"])
async def test_two_drafters_typing_at_once_end_with_the_same_text_and_both_their_words(
    server: ServerProcess, second_server: ServerProcess, people: People, dropping: bool
) -> None:
    """Alice writes the opening and rewords « examiné »; Bruno strikes « de travail » and
    completes the end; keystrokes interleave and nobody waits for an acknowledgement. With
    `dropping`, Bruno's connection is cut again and again while he types."""
    api, report_id, paragraph_id = new_paragraph(server, people)
    rng = random.Random(4242)
    async with contextlib.AsyncExitStack() as stack:
        proxy = await stack.enter_async_context(CuttableProxy(second_server.port))
        alice_live = await stack.enter_async_context(LiveReport(server.url, report_id, people.token("alice")))
        bruno_url = proxy.url if dropping else second_server.url
        bruno_live = await stack.enter_async_context(LiveReport(bruno_url, report_id, people.token("bruno"), reconnect_delay=0.01))
        alice = Typist(ParagraphEditor(alice_live, paragraph_id), random.Random(rng.random()))
        bruno = Typist(ParagraphEditor(bruno_live, paragraph_id), random.Random(rng.random()))

        async def alice_types() -> None:
            await alice.type("À sa 3e séance, ")
            alice.click_after("examiné")
            await alice.backspace(len("examiné"))
            await alice.type("adopté")

        async def bruno_types() -> None:
            bruno.click_after("Groupe")
            await bruno.delete_forward(len(" de travail"))
            bruno.click_after("du jour")
            await bruno.type(" et le point 3 (CTOC/COP/WG.4/2021/2)")

        async def cut_now_and_then() -> None:
            for _ in range(5):
                await asyncio.sleep(rng.uniform(0.01, 0.04))
                proxy.cut()

        await asyncio.gather(alice_types(), bruno_types(), *([cut_now_and_then()] if dropping else []))
        report = await settled(api, report_id, [alice_live, bruno_live], [alice.editor, bruno.editor])

        paragraph = paragraph_in(report, paragraph_id)
        assert paragraph.text == TYPED
        assert alice.editor.text == bruno.editor.text == TYPED
        assert alice.editor.revision == bruno.editor.revision == paragraph.revision
        assert paragraph_in(alice_live.report, paragraph_id) == paragraph_in(bruno_live.report, paragraph_id) == paragraph
        assert authored(paragraph) == [
            (people.id("alice"), "À sa 3e séance, "),
            (people.id("secretariat"), "Le Groupe a "),
            (people.id("alice"), "adopté"),
            (people.id("secretariat"), " le point 2 de l’ordre du jour"),
            (people.id("bruno"), " et le point 3 (CTOC/COP/WG.4/2021/2)"),
            (people.id("secretariat"), "."),
        ]
        if dropping:
            assert bruno_live.reconnects >= 1
    # Each edit was applied once, resent or not, and there are no more edits than keystrokes.
    events = await asyncio.to_thread(api.events, report_id)
    edits = [e.command_id for e in events if e.type == "ParagraphTextEdited"]
    assert len(set(edits)) == len(edits) <= alice.keystrokes + bruno.keystrokes


async def test_one_connection_serves_an_editor_per_paragraph(server: ServerProcess, people: People) -> None:
    api, report_id, first = new_paragraph(server, people, "Premier paragraphe.")
    chapter_id = (await asyncio.to_thread(api.report, report_id))[1].chapters[0].id
    second = api.submit(report_id, {"type": "AddParagraph", "chapter_id": chapter_id, "text": "Second paragraphe."})
    second_id = second["events"][0]["data"]["paragraph_id"]
    async with (
        LiveReport(server.url, report_id, people.token("alice")) as alice,
        LiveReport(server.url, report_id, people.token("bruno")) as bruno,
    ):
        alice_first, alice_second = ParagraphEditor(alice, first), ParagraphEditor(alice, second_id)
        bruno_first, bruno_second = ParagraphEditor(bruno, first), ParagraphEditor(bruno, second_id)

        alice_first.insert(0, "Le ")
        bruno_second.insert(len("Second paragraphe"), ", enfin")
        alice_second.delete(0, len("Second "))
        bruno_first.delete(len("Premier paragraphe"), 1)

        await settled(api, report_id, [alice, bruno], [alice_first, alice_second, bruno_first, bruno_second])
        assert alice_first.text == bruno_first.text == "Le Premier paragraphe"
        assert alice_second.text == bruno_second.text == "paragraphe, enfin."


async def test_a_refused_edit_gives_the_editor_the_reports_text_back(server: ServerProcess, people: People) -> None:
    api, report_id, paragraph_id = new_paragraph(server, people)
    chapter_id = (await asyncio.to_thread(api.report, report_id))[1].chapters[0].id
    async with LiveReport(server.url, report_id, people.token("alice")) as live:
        refusals = []
        editor = ParagraphEditor(live, paragraph_id, on_refused=refusals.append)
        editor.insert(0, "Hier, ")
        await editor.settled(10)
        version = api.submit(report_id, {"type": "AdoptChapter", "chapter_id": chapter_id})["version"]
        await live.wait_for_version(version)

        editor.insert(0, "X")
        editor.insert(1, "Y")  # buffered behind the refused one: dropped with it
        await editor.settled(10)

        assert [refused.code for refused in refusals] == ["chapter_adopted"]
        assert editor.refusal is refusals[0]
        assert editor.text == "Hier, " + SENTENCE == paragraph_in(live.report, paragraph_id).text
        assert not editor.pending

        version = api.submit(report_id, {"type": "ReopenChapter", "chapter_id": chapter_id, "reason": "correction"})["version"]
        await live.wait_for_version(version)
        editor.insert(0, "Z")
        await editor.settled(10)
        assert paragraph_in((await asyncio.to_thread(api.report, report_id))[1], paragraph_id).text == "ZHier, " + SENTENCE


async def test_text_replaced_or_filled_meanwhile_is_merged_into_what_is_being_typed(server: ServerProcess, people: People) -> None:
    api, report_id, paragraph_id = new_paragraph(server, people, "À [sa/ses 2e et 3e] séance[s], le Groupe a examiné le point 3.")
    (placeholder, *_) = api.placeholders(report_id)
    async with LiveReport(server.url, report_id, people.token("alice")) as live:
        editor = ParagraphEditor(live, paragraph_id)
        end = len("À [sa/ses 2e et 3e] séance[s], le Groupe a examiné le point 3")
        for n, character in enumerate(" de l’ordre du jour"):  # one op in flight, the rest buffered
            editor.insert(end + n, character)
        # Blocking the event loop on purpose: these reach the server before the typing does.
        api.submit(report_id, {"type": "FillPlaceholder", "placeholder_id": placeholder["id"], "value": "sa 2e"})
        api.submit(
            report_id,
            {"type": "ReplaceParagraphText", "paragraph_id": paragraph_id, "text": "À sa 2e séance[s], le Groupe a adopté le point 3."},
        )
        report = await settled(api, report_id, [live], [editor])

        merged = "À sa 2e séance[s], le Groupe a adopté le point 3 de l’ordre du jour."
        assert editor.text == paragraph_in(report, paragraph_id).text == paragraph_in(live.report, paragraph_id).text == merged
        # The fill, the replacement, then the first keystroke and the 18 buffered behind it.
        assert editor.revision == paragraph_in(report, paragraph_id).revision == 4


async def test_typing_goes_on_when_another_drafter_comes_and_goes(server: ServerProcess, people: People) -> None:
    """Others' comings and goings (presence messages) reach every connection; they must not break it."""
    api, report_id, paragraph_id = new_paragraph(server, people)
    async with LiveReport(server.url, report_id, people.token("alice")) as live:
        editor = ParagraphEditor(live, paragraph_id)
        async with LiveReport(server.url, report_id, people.token("bruno")):
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.2)  # bruno's « presence_left » reaches alice meanwhile

        editor.insert(0, "Hier, ")
        await editor.settled(10)

        assert live.reconnects == 0
        assert paragraph_in((await asyncio.to_thread(api.report, report_id))[1], paragraph_id).text == "Hier, " + SENTENCE


async def test_an_editor_whose_paragraph_is_removed_stops_taking_edits(server: ServerProcess, people: People) -> None:
    api, report_id, paragraph_id = new_paragraph(server, people)
    async with LiveReport(server.url, report_id, people.token("alice")) as live:
        editor = ParagraphEditor(live, paragraph_id)
        editor.insert(0, "Hier, ")
        await editor.settled(10)
        version = api.submit(report_id, {"type": "RemoveParagraph", "paragraph_id": paragraph_id})["version"]
        await live.wait_for_version(version)

        assert editor.removed
        with pytest.raises(CommandRefused) as refused:
            editor.insert(0, "X")
        assert refused.value.code == "unknown_paragraph"
        assert editor.text == "Hier, " + SENTENCE


# The protocol step by step, with the test as the server and the network

class ScriptedConnection:
    """Stands in for a LiveReport: the test decides when events, acks and refusals arrive."""

    def __init__(self, drafting: Drafting) -> None:
        self.report, self.report_id = drafting.report, drafting.report_id
        self.sent: list[tuple[str, EditParagraphText, asyncio.Future[Ack]]] = []
        self._listeners: list[Callable[[StoredEvent], None]] = []

    def listen(self, listener: Callable[[StoredEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def send(self, command: EditParagraphText, *, command_id: str) -> "asyncio.Future[Ack]":
        future = asyncio.get_running_loop().create_future()
        self.sent.append((command_id, command, future))
        return future

    def receive(self, events: list[StoredEvent]) -> None:
        for event in events:
            self.report = evolve(self.report, event)
            for listener in list(self._listeners):
                listener(event)


async def test_an_edit_too_old_to_merge_is_sent_again_on_the_editors_revision_under_its_command_id() -> None:
    """Bruno's keystroke is lost with his connection while others commit more ops than a
    paragraph keeps; resent after reconnecting, it is refused as too old. By then he has
    caught up, so he sends it again, transformed, under the same id: it applies once."""
    server = created()
    chapter = server.add_chapter("Résumé")
    paragraph_id = server.add_paragraph(chapter, "abc")
    bruno = ScriptedConnection(server)
    editor = ParagraphEditor(bruno, paragraph_id)  # type: ignore[arg-type]

    editor.insert(3, "X")
    (command_id, first, refused), = bruno.sent
    others = [
        event
        for n in range(RECENT_OPS + 1)
        for event in server.submit(EditParagraphText(paragraph_id=paragraph_id, base_revision=n, ops=["a"]), command_id=f"alice-{n}")
    ]
    with pytest.raises(DomainError) as too_old:
        server.submit(first, command_id=command_id)
    bruno.receive(others)  # the catch-up after reconnecting
    refused.set_exception(CommandRefused(too_old.value.code, too_old.value.message))
    await asyncio.sleep(0)

    (again_id, again, acknowledged) = bruno.sent[-1]
    assert (again_id, again.base_revision, again.ops) == (command_id, RECENT_OPS + 1, [RECENT_OPS + 4, "X"])
    bruno.receive(server.submit(again, command_id=again_id))
    acknowledged.set_result(Ack(command_id=command_id, version=server.version))
    await editor.settled(1)

    assert editor.refusal is None
    assert editor.text == "a" * (RECENT_OPS + 1) + "abcX" == paragraph_in(server.report, paragraph_id).text
    assert editor.revision == RECENT_OPS + 2
