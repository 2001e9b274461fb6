"""`rapporteur …`: run the service, or work on a report through its HTTP API.

Chapters and agenda items are named as drafters read them (« II », « 2 », « 1a »).
"""

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from client.api import Api, ApiError
from events.envelope import StoredEvent
from events.errors import DomainError
from events.fields import UUID_PATTERN
from events.history import Change, HeadingDiff, Words, by_author
from events.model import ParticipantCategory, SpeakerCategory
from events.references import agenda_item_by_number, chapter_by_number, paragraph_by_number

DEFAULT_URL = "http://127.0.0.1:8000"
SPEAKER_CATEGORIES = get_args(SpeakerCategory)
PARTICIPANT_CATEGORIES = get_args(ParticipantCategory)


def _serve(api: Api, args: argparse.Namespace) -> None:
    from server.serve import serve

    serve(args.host, args.port, args.redis, args.data)


def _create(api: Api, args: argparse.Namespace) -> None:
    print(api.create_report(args.title))


def _import(api: Api, args: argparse.Namespace) -> None:
    print(api.import_draft(Path(args.file).read_text(encoding="utf-8"), args.language))


def _reports(api: Api, args: argparse.Namespace) -> None:
    for report in api.reports():
        print(f"{report['id']}  v{report['version']:<6} {report['title']}")


def _show(api: Api, args: argparse.Namespace) -> None:
    sys.stdout.write(api.text(args.report_id, at=args.at))


def _render(api: Api, args: argparse.Namespace) -> None:
    body = api.render(args.report_id, args.format, at=args.at)
    if args.output:
        Path(args.output).write_bytes(body)
    elif args.format == "docx":
        raise SystemExit("rapporteur: a DOCX goes to a file: add --output FILE")
    else:
        sys.stdout.write(body.decode())


def _time(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def _event_line(event: StoredEvent, summary: str) -> str:
    return f"{event.version:>6}  {_time(event.at)}  {event.actor:<16} {event.type:<22} {summary}"


# Larger pages than /history gives would be cut to its maximum anyway.
HISTORY_PAGE = 1_000
_UUID = re.compile(UUID_PATTERN)


def _paragraph_id(api: Api, report_id: str, paragraph: str | None) -> str | None:
    """A paragraph's number now (« 12 ») or its id, which may name one since removed."""
    if paragraph is None:
        return None
    if _UUID.match(paragraph.lower()):
        return paragraph.lower()
    return paragraph_by_number(api.report(report_id)[1], paragraph).id


def _chapter_id(api: Api, report_id: str, chapter: str | None) -> str | None:
    """A chapter's numeral now (« II ») or its id, which may name one since removed."""
    if chapter is None:
        return None
    if _UUID.match(chapter.lower()):
        return chapter.lower()
    return chapter_by_number(api.report(report_id)[1], chapter).id


def _events(api: Api, args: argparse.Namespace) -> None:
    """Through /history, page after page, with a summary in the report's language."""
    filters = {
        "actor": args.actor,
        "types": args.type,
        "paragraph": _paragraph_id(api, args.report_id, args.paragraph),
        "chapter": _chapter_id(api, args.report_id, args.chapter),
        "since": args.since,
        "until": args.until,
    }
    after: int | None = args.after
    left = args.limit
    while after is not None and (left is None or left > 0):
        page, after = api.history(args.report_id, after=after, limit=min(left or HISTORY_PAGE, HISTORY_PAGE), **filters)
        for event, summary in page:
            print(_event_line(event, summary))
        left = None if left is None else left - len(page)


def _changed(change: Change | None) -> str:
    if change is None:
        return "no recorded change"
    return f"v{change.version} by {change.actor} at {_time(change.at)} ({change.type})"


def _by_author(words: list[Words]) -> str:
    return " | ".join(f"{group.author}: {group.text}" for group in words)


def _blame(api: Api, args: argparse.Namespace) -> None:
    blamed = api.blame(args.report_id, at=args.at)
    print(f"version {blamed.version}")
    for paragraph in blamed.paragraphs:
        print(f"{paragraph.number:>4}. last changed {_changed(paragraph.last_change)}")
        print(f"      {_by_author(by_author(paragraph.words))}")
        for item in paragraph.sub_items:
            print(f"      - {item.text}  ({_changed(item.last_change)})")
    for statement in blamed.statements:
        print(f"statement: {statement.delegation} ({statement.category}), agenda item {statement.agenda_item}: {_changed(statement.recorded)}")
    for fill in blamed.fills:
        where = f"paragraph {fill.paragraph}" if fill.paragraph else "a removed paragraph"
        print(f"fill: {fill.original} -> « {fill.value} » in {where}: {_changed(fill.recorded)}")
    for adoption in blamed.adoptions:
        what = "the report" if adoption.chapter_id is None else f"chapter {adoption.chapter or adoption.chapter_id[:8]}"
        print(f"{adoption.recorded.type}: {what}: {_changed(adoption.recorded)}")


def _number(before: object, after: object) -> str:
    """« 5 », « 5 (was 4) », or « (was 4) » for what is gone."""
    if after is None:
        return f"(was {before})"
    return f"{after}" if before is None or before == after else f"{after} (was {before})"


def _heading_line(heading: HeadingDiff) -> str:
    name = "the report" if heading.kind == "report" else f"{heading.kind} {_number(heading.number_before, heading.number_after)}"
    titles = {
        "retitled": f" « {heading.before} » -> « {heading.after} »",
        "added": f" « {heading.after} »",
        "removed": f" « {heading.before} »",
    }
    return f"{name}: {heading.status}{titles.get(heading.status, '')}"


def _diff(api: Api, args: argparse.Namespace) -> None:
    changes = api.diff(args.report_id, args.from_version, args.to_version)
    print(f"from version {changes.from_version} to version {changes.to_version}")
    for heading in changes.headings:
        print(_heading_line(heading))
    for paragraph in changes.paragraphs:
        print(f"paragraph {_number(paragraph.number_before, paragraph.number_after)}: {paragraph.status}")
        for words in paragraph.deleted:
            print(f"  - {words.author}: {words.text}")
        for words in paragraph.inserted:
            print(f"  + {words.author}: {words.text}")
        for item in paragraph.sub_items:
            print(f"  sub-item {item.status}: " + " -> ".join(f"« {t} »" for t in (item.before, item.after) if t is not None))
    for fact in changes.facts:
        item = f", agenda item {fact.agenda_item}" if fact.agenda_item else ""
        detail = f" ({fact.detail})" if fact.detail else ""
        print(f"{fact.kind} {fact.status}: {fact.name}{detail}{item}")


def _placeholders(api: Api, args: argparse.Namespace) -> None:
    for placeholder in api.placeholders(args.report_id):
        print(f"{placeholder['paragraph']:>4}. {placeholder['text']:<24} {placeholder['id']}  … {placeholder['context']} …")


def _check(api: Api, args: argparse.Namespace) -> None:
    findings = api.checks(args.report_id)
    for finding in findings:
        where = f"paragraph {finding['paragraph']}" if finding["paragraph"] else "report"
        print(f"{finding['code']:<28} {where:<14} {finding['message']}")
    print(f"{len(findings)} finding(s)")


def _submit_and_say(api: Api, report_id: str, command: dict[str, Any], expected_version: int | None = None) -> None:
    result = api.submit(report_id, command, expected_version=expected_version)
    print(f"version {result['version']}: {len(result['events'])} event(s)")


def _submit(api: Api, args: argparse.Namespace) -> None:
    _submit_and_say(api, args.report_id, json.loads(args.command_json), args.expected_version)


def _fill(api: Api, args: argparse.Namespace) -> None:
    _submit_and_say(api, args.report_id, {"type": "FillPlaceholder", "placeholder_id": args.placeholder_id, "value": args.value})


def _statement(api: Api, args: argparse.Namespace) -> None:
    item = agenda_item_by_number(api.report(args.report_id)[1], args.item)
    command = {"type": "RecordStatement", "agenda_item_id": item.id, "category": args.category, "delegation": args.delegation, "person": args.person}
    _submit_and_say(api, args.report_id, command)


def _participant(api: Api, args: argparse.Namespace) -> None:
    _submit_and_say(api, args.report_id, {"type": "AddParticipant", "category": args.category, "name": args.name})


def _adopt(api: Api, args: argparse.Namespace) -> None:
    report = api.report(args.report_id)[1]
    for number in args.chapters:
        _submit_and_say(api, args.report_id, {"type": "AdoptChapter", "chapter_id": chapter_by_number(report, number).id})


def _reopen(api: Api, args: argparse.Namespace) -> None:
    chapter = chapter_by_number(api.report(args.report_id)[1], args.chapter)
    _submit_and_say(api, args.report_id, {"type": "ReopenChapter", "chapter_id": chapter.id, "reason": args.reason})


def _adopt_report(api: Api, args: argparse.Namespace) -> None:
    _submit_and_say(api, args.report_id, {"type": "AdoptReport", "ad_referendum": args.ad_referendum})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapporteur", description=__doc__)
    parser.add_argument("--url", default=os.environ.get("RAPPORTEUR_URL", DEFAULT_URL), help="the service (env RAPPORTEUR_URL)")
    parser.add_argument(
        "--as", dest="drafter", default=os.environ.get("RAPPORTEUR_DRAFTER") or getpass.getuser(),
        help="the drafter you are (env RAPPORTEUR_DRAFTER; default: your login)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[Api, argparse.Namespace], None], help: str, report: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        if report:
            sub.add_argument("report_id")
        return sub

    serve = command("serve", _serve, "run the service", report=False)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--redis", default=os.environ.get("REDIS_URL"), help="use this Redis (env REDIS_URL) instead of an embedded one")
    serve.add_argument("--data", type=Path, default=Path("rapporteur-data"), help="the embedded Redis's data directory")

    command("create", _create, "create a report and print its id", report=False).add_argument("title")
    imported = command("import", _import, "import a draft in the seed's text form and print the new report's id", report=False)
    imported.add_argument("file")
    imported.add_argument("--language", choices=("fr", "en"), default="fr")
    command("reports", _reports, "list the reports", report=False)
    command("show", _show, "print a report as text").add_argument("--at", type=int, help="as it was at this version")
    rendered = command("render", _render, "render a report as txt, md, html or docx")
    rendered.add_argument("--format", choices=("txt", "md", "html", "docx"), default="txt")
    rendered.add_argument("--at", type=int, help="as it was at this version")
    rendered.add_argument("--output", "-o", help="write to this file")
    events = command("events", _events, "print a report's events, one per line, those that pass every filter given")
    events.add_argument("--after", type=int, default=0, help="only the events after this version")
    events.add_argument("--limit", type=int, help="at most this many events")
    events.add_argument("--actor", help="only the events of this drafter")
    events.add_argument("--type", action="append", default=[], help="only events of this type (ParagraphTextEdited); repeat for several")
    events.add_argument("--paragraph", help="only the events of this paragraph: its number now (12) or its id")
    events.add_argument("--chapter", help="only the events in this chapter: its number now (II) or its id")
    events.add_argument("--since", help="only the events at or after this time (ISO 8601, UTC unless it says)")
    events.add_argument("--until", help="only the events before this time")
    blame = command("blame", _blame, "who wrote each word of each paragraph, and who last changed it")
    blame.add_argument("--at", type=int, help="as it was at this version")
    diff = command("diff", _diff, "what changed between two versions: paragraphs and their words, headings, facts")
    diff.add_argument("--from", dest="from_version", type=int, required=True)
    diff.add_argument("--to", dest="to_version", type=int, help="default: the current version")
    command("placeholders", _placeholders, "list the placeholders left to fill")
    command("check", _check, "list the consistency findings")
    fill = command("fill", _fill, "fill a placeholder (ids from `rapporteur placeholders`)")
    fill.add_argument("placeholder_id")
    fill.add_argument("value")
    statement = command("statement", _statement, "record a statement under an agenda item")
    statement.add_argument("item", help="the agenda item's number: 2, or 1a for a sub-item")
    statement.add_argument("category", choices=SPEAKER_CATEGORIES)
    statement.add_argument("delegation")
    statement.add_argument("--person", default="")
    participant = command("participant", _participant, "add a participant to a participation list")
    participant.add_argument("category", choices=PARTICIPANT_CATEGORIES)
    participant.add_argument("name")
    command("adopt", _adopt, "adopt chapters by their numbers: I II IV V").add_argument("chapters", nargs="+")
    reopen = command("reopen", _reopen, "reopen an adopted chapter")
    reopen.add_argument("chapter")
    reopen.add_argument("--reason", required=True)
    command("adopt-report", _adopt_report, "adopt the report").add_argument("--ad-referendum", action="store_true")
    submit = command("submit", _submit, "submit one command given as JSON, e.g. '{\"type\": \"AddChapter\", \"title\": \"Introduction\"}'")
    submit.add_argument("command_json")
    submit.add_argument("--expected-version", type=int)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.handler(Api(args.url, args.drafter), args)
    except (ApiError, DomainError) as error:
        print(f"rapporteur: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"rapporteur: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
