"""Who may give which command, on every path a command takes: each role (viewer, drafter,
chair, admin) against each command type, over HTTP and over the live WebSocket.

Every case runs on a report of its own, imported by an administrator from a small draft that
holds one of everything a command can name (chapters, sections, paragraphs with sub-items
and placeholders, agenda items, statements, panellists, participants, documents), so that
each command is valid and only the role decides whether it is applied. An accepted command
is stored with the user's id as its actor; a refused one is answered `forbidden` and leaves
the report at the version it was.
"""

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from client.api import Api, ApiError
from client.live import bearer, live_url
from events.access import ROLES, Role, at_least, needed_for
from events.commands import COMMAND_TYPES
from events.model import Paragraph, Report, Section
from server.auth import RECHECK_SECONDS
from tests.conftest import People, new_id
from tests.events.builders import PRODUCES, placeholder_id
from tests.processes import ServerProcess

# One of everything a command can name, in the seed's text form.
DRAFT = """Projet de rapport

I. Introduction

1. Dans sa décision 4/4, la Conférence des Parties a créé un groupe de travail sur la traite des personnes.

II. Recommandations

A. Recommandations générales

2. Le Groupe de travail a recommandé à la Conférence des Parties d’envisager d’adopter les mesures suivantes :
a) De renforcer la coopération internationale ;
b) De former les agents des services de détection et de répression.

III. Organisation de la réunion

A. Déclarations

3. À [sa/ses 2e et 3e] séance[s], tenue[s] le[s] [12 et 13] octobre 2021, le Groupe de travail a examiné le point 2 de l’ordre du jour.

4. Sous la conduite de la Présidente, le débat consacré au point 2 a été animé par les personnes suivantes : Helga Gayer (Allemagne), Porter Glock (États-Unis).

5. Au titre du point 2 de l’ordre du jour, des déclarations ont été faites par les représentantes et représentants des Parties au Protocole suivantes : Arménie, Australie et Bahamas.

B. Adoption de l’ordre du jour

6. À sa 1re séance, le 12 octobre 2021, le Groupe de travail a adopté par consensus l’ordre du jour ci-après :
1. Questions d’organisation :
a) Ouverture de la réunion ;
b) Adoption de l’ordre du jour.
2. Stratégies efficaces pour lutter contre la traite.
3. Questions diverses.

C. Participation

7. Les États énumérés ci-après, parties au Protocole relatif à la traite des personnes, étaient représentés à la réunion : Afghanistan, Albanie et Algérie.

D. Documentation

8. Le Groupe de travail était saisi des documents suivants :
a) Ordre du jour provisoire annoté (CTOC/COP/WG.4/2021/1) ;
b) Document d’information établi par le Secrétariat (CTOC/COP/WG.4/2021/2).
"""

# One user per role, for the whole session; names of their own so no other test shares them.
USERS: dict[Role, str] = {role: f"Roles matrix {role}" for role in ROLES}
ADMIN = "Roles matrix preparer"


class Draft:
    """The imported draft's items, by what they are in the report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.introduction, self.recommendations, self.organisation = report.chapters

    @property
    def general(self) -> Section:
        return self.recommendations.sections[0]

    def section(self, title: str) -> Section:
        return next(s for s in self.organisation.sections if s.title == title)

    @property
    def decision(self) -> Paragraph:
        return self.introduction.paragraphs[0]

    @property
    def measures(self) -> Paragraph:
        return self.general.paragraphs[0]

    @property
    def sessions(self) -> Paragraph:
        return self.section("Déclarations").paragraphs[0]

    def agenda_item(self, title: str) -> str:
        return next(item.id for item in self.report.agenda if item.title == title)


class Example(NamedTuple):
    """A valid command of one type on the imported draft, and what must come before it."""

    command: Callable[[Draft], dict[str, Any]]
    given: Callable[[Draft], list[dict[str, Any]]] = lambda d: []


EXAMPLES: dict[str, Example] = {
    "CreateReport": Example(lambda d: {"title": "Projet de rapport"}),
    "RetitleReport": Example(lambda d: {"title": "Rapport sur les travaux de la onzième réunion"}),
    "SetReportDetails": Example(
        lambda d: {"details": {"body": "Groupe de travail sur la traite des personnes", "venue": "Vienne", "language": "fr"}}
    ),
    "AddChapter": Example(lambda d: {"title": "Questions diverses"}),
    "RetitleChapter": Example(lambda d: {"chapter_id": d.introduction.id, "title": "Introduction et mandat"}),
    "MoveChapter": Example(lambda d: {"chapter_id": d.organisation.id, "before": d.recommendations.id}),
    "RemoveChapter": Example(lambda d: {"chapter_id": d.introduction.id}),
    "AddSection": Example(lambda d: {"chapter_id": d.introduction.id, "title": "Mandat"}),
    "RetitleSection": Example(lambda d: {"section_id": d.general.id, "title": "Recommandations d’ordre général"}),
    "MoveSection": Example(
        lambda d: {
            "section_id": d.section("Participation").id,
            "chapter_id": d.organisation.id,
            "before": d.section("Déclarations").id,
        }
    ),
    "RemoveSection": Example(lambda d: {"section_id": d.general.id}),
    "AddParagraph": Example(lambda d: {"chapter_id": d.introduction.id, "text": "Dans sa résolution 7/1…"}),
    "ReplaceParagraphText": Example(
        lambda d: {"paragraph_id": d.decision.id, "text": "Dans sa décision 4/4, la Conférence des Parties a reconnu…"}
    ),
    "EditParagraphText": Example(
        lambda d: {
            "paragraph_id": d.decision.id,
            "base_revision": d.decision.revision,
            "ops": [len(d.decision.text), " Il s’est réuni dix fois."],
        }
    ),
    "MoveParagraph": Example(lambda d: {"paragraph_id": d.decision.id, "chapter_id": d.recommendations.id}),
    "RemoveParagraph": Example(lambda d: {"paragraph_id": d.decision.id}),
    "AddSubItem": Example(lambda d: {"paragraph_id": d.measures.id, "text": "De sensibiliser le public ;"}),
    "ReplaceSubItemText": Example(
        lambda d: {"paragraph_id": d.measures.id, "sub_item_id": d.measures.items[0].id, "text": "De coopérer ;"}
    ),
    "MoveSubItem": Example(
        lambda d: {"paragraph_id": d.measures.id, "sub_item_id": d.measures.items[1].id, "before": d.measures.items[0].id}
    ),
    "RemoveSubItem": Example(lambda d: {"paragraph_id": d.measures.id, "sub_item_id": d.measures.items[1].id}),
    "FillPlaceholder": Example(
        lambda d: {"placeholder_id": placeholder_id(d.sessions.id, "[sa/ses 2e et 3e]"), "value": "ses 2e et 3e"}
    ),
    "AddAgendaItem": Example(lambda d: {"title": "Adoption du rapport"}),
    "RetitleAgendaItem": Example(
        lambda d: {"agenda_item_id": d.agenda_item("Questions diverses"), "title": "Autres questions"}
    ),
    "RemoveAgendaItem": Example(lambda d: {"agenda_item_id": d.agenda_item("Questions diverses")}),
    "RecordStatement": Example(
        lambda d: {
            "agenda_item_id": d.agenda_item("Stratégies efficaces pour lutter contre la traite"),
            "category": "party",
            "delegation": "Canada",
        }
    ),
    "WithdrawStatement": Example(lambda d: {"statement_id": d.report.statements[0].id}),
    "AddParticipant": Example(lambda d: {"category": "party", "name": "Argentine"}),
    "RemoveParticipant": Example(lambda d: {"participant_id": d.report.participants[0].id}),
    "AddPanellist": Example(
        lambda d: {
            "agenda_item_id": d.agenda_item("Stratégies efficaces pour lutter contre la traite"),
            "name": "Alexandra Gelber",
            "delegation": "États-Unis",
        }
    ),
    "RemovePanellist": Example(lambda d: {"panellist_id": d.report.panellists[0].id}),
    "AddDocument": Example(lambda d: {"symbol": "CTOC/COP/WG.4/2021/3", "title": "Document d’information"}),
    "RemoveDocument": Example(lambda d: {"document_id": d.report.documents[0].id}),
    "AddRecommendation": Example(
        lambda d: {"chapter_id": d.recommendations.id, "section_id": d.general.id, "text": "Les États parties devraient…"}
    ),
    "AdoptChapter": Example(lambda d: {"chapter_id": d.introduction.id}),
    "ReopenChapter": Example(
        lambda d: {"chapter_id": d.introduction.id, "reason": "une erreur de date"},
        given=lambda d: [{"type": "AdoptChapter", "chapter_id": d.introduction.id}],
    ),
    "AdoptReport": Example(lambda d: {"ad_referendum": False}),
}


def test_there_is_an_example_of_every_command() -> None:
    assert set(EXAMPLES) == COMMAND_TYPES


@pytest.fixture(scope="module")
def preparer(server: ServerProcess, people: People) -> Api:
    api = people.api(server, ADMIN, "admin")
    # A report prepared for each case of the matrix, as fast as the machine allows: no person's pace.
    people.set_limits(ADMIN, requests_per_second=1_000)
    return api


@pytest.fixture(scope="module")
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


class Prepared(NamedTuple):
    report_id: str
    version: int
    command: dict[str, Any]


def prepare(preparer: Api, command_type: str) -> Prepared:
    """A fresh report on which `command_type`'s example is valid, and that command."""
    report_id = preparer.import_draft(DRAFT)
    _, report = preparer.report(report_id)
    example = EXAMPLES[command_type]
    draft = Draft(report)
    for given in example.given(draft):
        preparer.submit(report_id, given)
    version, _ = preparer.report(report_id)
    return Prepared(report_id, version, {"type": command_type, **example.command(draft)})


def _matrix() -> list[Any]:
    cases = [
        pytest.param(role, command_type, transport, id=f"{role}-{command_type}-{transport}")
        for role in ROLES
        for command_type in sorted(COMMAND_TYPES)
        for transport in ("http", "ws")
    ]
    return cases + [pytest.param(role, "import", "http", id=f"{role}-import-http") for role in ROLES]


def allowed(role: Role, command_type: str) -> bool:
    """What the rule says (events.access); an import is a sequence of drafting commands."""
    return at_least(role, needed_for("AddParagraph" if command_type == "import" else command_type))


def assert_forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "forbidden" and body["message"]


# Over HTTP

def _create_over_http(http: httpx.Client, preparer: Api, headers: dict[str, str], role: Role, user_id: str) -> None:
    report_id = new_id()
    response = http.post("/api/reports", json={"title": "Projet de rapport", "report_id": report_id}, headers=headers)
    if allowed(role, "CreateReport"):
        assert response.status_code == 201, response.text
        assert [(e["type"], e["actor"]) for e in response.json()["events"]] == [("ReportCreated", user_id)]
        assert [e.actor for e in preparer.events(report_id)] == [user_id]
    else:
        assert_forbidden(response)
        with pytest.raises(ApiError) as missing:
            preparer.report(report_id)
        assert missing.value.code == "unknown_report"


def _import_over_http(http: httpx.Client, preparer: Api, headers: dict[str, str], role: Role, user_id: str) -> None:
    before = {report["id"] for report in preparer.reports()}
    response = http.post(
        "/api/reports/import", content=DRAFT.encode(), headers={**headers, "Content-Type": "text/plain; charset=utf-8"}
    )
    if allowed(role, "import"):
        assert response.status_code == 201, response.text
        events = preparer.events(response.json()["id"])
        assert len(events) == response.json()["version"] > 30
        assert {e.actor for e in events} == {user_id}
    else:
        assert_forbidden(response)
        assert {report["id"] for report in preparer.reports()} == before


def _command_over_http(
    http: httpx.Client, preparer: Api, headers: dict[str, str], role: Role, user_id: str, command_type: str
) -> None:
    prepared = prepare(preparer, command_type)
    response = http.post(
        f"/api/reports/{prepared.report_id}/commands",
        json={"command_id": new_id(), "command": prepared.command},
        headers=headers,
    )
    if allowed(role, command_type):
        assert response.status_code == 200, response.text
        stored = preparer.events(prepared.report_id, after=prepared.version)
        assert [(e.type, e.actor) for e in stored] == [(PRODUCES[command_type], user_id)]
        assert [e["actor"] for e in response.json()["events"]] == [user_id]
    else:
        assert_forbidden(response)
        assert preparer.report(prepared.report_id)[0] == prepared.version
        assert preparer.events(prepared.report_id, after=prepared.version) == []


# Over the WebSocket

async def _receive(socket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def answer(socket: ClientConnection, command: dict[str, Any], command_id: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Send a command; its ack or error, and the events that came before it."""
    command_id = command_id or new_id()
    await socket.send(json.dumps({"type": "command", "command_id": command_id, "command": command}))
    events = []
    while True:
        message = await _receive(socket)
        if message["type"] == "event":
            events.append(message["event"])
        elif message["type"] in ("ack", "error") and message.get("command_id") == command_id:
            return message, events


async def still_usable(socket: ClientConnection, version: int) -> None:
    """The socket answers a replay after a refusal: the refusal did not close it."""
    request_id = new_id()
    await socket.send(json.dumps({"type": "replay", "from_version": 0, "to_version": version, "request_id": request_id}))
    while True:
        message = await _receive(socket)
        if message["type"] == "replay_page" and message["request_id"] == request_id and message["done"]:
            assert message["to_version"] == version
            return


async def _command_over_websocket(
    server: ServerProcess, preparer: Api, token: str, role: Role, user_id: str, command_type: str
) -> None:
    prepared = prepare(preparer, command_type)
    url = live_url(server.url, prepared.report_id, after=prepared.version)
    async with connect(url, additional_headers=bearer(token)) as socket:
        reply, events = await answer(socket, prepared.command)
        if allowed(role, command_type) and command_type == "CreateReport":
            # A live socket is always on a report that exists: past the role check, the
            # rule itself refuses to create it again.
            assert (reply["type"], reply["code"]) == ("error", "report_exists")
            await still_usable(socket, prepared.version)
        elif allowed(role, command_type):
            assert reply["type"] == "ack", reply
            assert reply["version"] == prepared.version + 1
            assert [(e["type"], e["actor"]) for e in events] == [(PRODUCES[command_type], user_id)]
        else:
            assert (reply["type"], reply["code"]) == ("error", "forbidden"), reply
            assert reply["message"] and events == []
            await still_usable(socket, prepared.version)
    if allowed(role, command_type) and command_type != "CreateReport":
        assert [e.actor for e in preparer.events(prepared.report_id, after=prepared.version)] == [user_id]
    else:
        assert preparer.report(prepared.report_id)[0] == prepared.version


@pytest.mark.parametrize(("role", "command_type", "transport"), _matrix())
async def test_a_role_gives_exactly_the_commands_it_allows(
    server: ServerProcess, people: People, preparer: Api, http: httpx.Client, role: Role, command_type: str, transport: str
) -> None:
    name = USERS[role]
    token, user_id = people.token(name, role), people.id(name, role)
    headers = people.headers(name, role)
    if transport == "ws":
        await _command_over_websocket(server, preparer, token, role, user_id, command_type)
    elif command_type == "CreateReport":
        _create_over_http(http, preparer, headers, role, user_id)
    elif command_type == "import":
        _import_over_http(http, preparer, headers, role, user_id)
    else:
        _command_over_http(http, preparer, headers, role, user_id, command_type)


# Roles per report

def _adopt(http: httpx.Client, report_id: str, chapter_id: str, headers: dict[str, str]) -> httpx.Response:
    return http.post(
        f"/api/reports/{report_id}/commands",
        json={"command_id": new_id(), "command": {"type": "AdoptChapter", "chapter_id": chapter_id}},
        headers=headers,
    )


def _add_chapter(http: httpx.Client, report_id: str, headers: dict[str, str]) -> httpx.Response:
    return http.post(
        f"/api/reports/{report_id}/commands",
        json={"command_id": new_id(), "command": {"type": "AddChapter", "title": "Questions diverses"}},
        headers=headers,
    )


def test_a_viewer_granted_drafter_on_one_report_edits_that_report_only(
    people: People, preparer: Api, http: httpx.Client
) -> None:
    granted, other = preparer.create_report("Projet de rapport"), preparer.create_report("Autre rapport")
    name = "Roles viewer granted drafter"
    headers, user_id = people.headers(name, "viewer"), people.id(name, "viewer")
    assert preparer.grant(granted, user_id, "drafter") == {user_id: "drafter"}

    response = _add_chapter(http, granted, headers)
    assert response.status_code == 200, response.text
    assert [e.actor for e in preparer.events(granted, after=1)] == [user_id]
    assert http.get("/api/me", params={"report": granted}, headers=headers).json()["report_role"] == "drafter"

    assert_forbidden(_add_chapter(http, other, headers))
    assert preparer.report(other)[0] == 1
    assert http.get("/api/me", params={"report": other}, headers=headers).json()["report_role"] == "viewer"


def test_a_chair_granted_viewer_on_one_report_cannot_adopt_there_but_can_elsewhere(
    people: People, preparer: Api, http: httpx.Client
) -> None:
    lowered, other = preparer.import_draft(DRAFT), preparer.import_draft(DRAFT)
    name = "Roles chair granted viewer"
    headers, user_id = people.headers(name, "chair"), people.id(name, "chair")
    preparer.grant(lowered, user_id, "viewer")
    version, report = preparer.report(lowered)

    assert_forbidden(_adopt(http, lowered, report.chapters[0].id, headers))
    assert_forbidden(_add_chapter(http, lowered, headers))
    assert preparer.report(lowered)[0] == version

    _, elsewhere = preparer.report(other)
    response = _adopt(http, other, elsewhere.chapters[0].id, headers)
    assert response.status_code == 200, response.text
    assert response.json()["events"][0]["actor"] == user_id

    preparer.grant(lowered, user_id, None)
    assert _adopt(http, lowered, report.chapters[0].id, headers).status_code == 200


def test_an_admin_granted_viewer_stays_an_admin(people: People, preparer: Api, http: httpx.Client) -> None:
    report_id = preparer.create_report("Projet de rapport")
    name = "Roles admin granted viewer"
    headers, user_id = people.headers(name, "admin"), people.id(name, "admin")
    preparer.grant(report_id, user_id, "viewer")
    assert _add_chapter(http, report_id, headers).status_code == 200


async def _poll_until(socket: ClientConnection, command: Callable[[], dict[str, Any]], outcome: str) -> list[str]:
    """Send `command` until its reply is `outcome` ("ack", or an error code), at most
    RECHECK_SECONDS and a margin from now; the replies seen, in order."""
    deadline = time.monotonic() + RECHECK_SECONDS + 5
    seen: list[str] = []
    while time.monotonic() < deadline:
        reply, _ = await answer(socket, command())
        seen.append("ack" if reply["type"] == "ack" else reply["code"])
        if seen[-1] == outcome:
            return seen
        await asyncio.sleep(0.2)
    return seen


async def test_a_role_change_reaches_an_open_websocket_within_the_recheck_time(
    server: ServerProcess, people: People, preparer: Api
) -> None:
    """A drafter lowered to viewer is refused, and a viewer raised to drafter accepted, on the
    sockets they already have open, once the server rechecks their sign-in."""
    report_id = preparer.create_report("Projet de rapport")
    lowered, raised = "Roles drafter lowered live", "Roles viewer raised live"

    def add() -> dict[str, Any]:
        return {"type": "AddChapter", "title": "Questions diverses"}

    async def lower() -> list[str]:
        async with connect(live_url(server.url, report_id), additional_headers=bearer(people.token(lowered, "drafter"))) as socket:
            await _receive(socket)
            reply, _ = await answer(socket, add())
            assert reply["type"] == "ack"
            preparer.grant(report_id, people.id(lowered), "viewer")
            seen = await _poll_until(socket, add, "forbidden")
            await still_usable(socket, 1)
            return seen

    async def raise_() -> list[str]:
        async with connect(live_url(server.url, report_id), additional_headers=bearer(people.token(raised, "viewer"))) as socket:
            await _receive(socket)
            reply, _ = await answer(socket, add())
            assert reply["code"] == "forbidden"
            preparer.grant(report_id, people.id(raised), "drafter")
            return await _poll_until(socket, add, "ack")

    lowered_replies, raised_replies = await asyncio.gather(lower(), raise_())
    assert lowered_replies[-1] == "forbidden" and set(lowered_replies[:-1]) <= {"ack"}
    assert raised_replies[-1] == "ack" and set(raised_replies[:-1]) <= {"forbidden"}
    actors = {e.actor for e in preparer.events(report_id, after=1)}
    assert actors == {people.id(lowered), people.id(raised)}
