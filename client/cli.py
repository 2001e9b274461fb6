"""`rapporteur …`: run the service, or work on a report through its HTTP API.

Chapters and agenda items are named as drafters read them (« II », « 2 », « 1a »).
"""

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

from client.api import Api, ApiError
from events.errors import DomainError
from events.model import ParticipantCategory, SpeakerCategory
from events.references import agenda_item_by_number, chapter_by_number
from events.summary import summarize

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


def _events(api: Api, args: argparse.Namespace) -> None:
    for event in api.events(args.report_id, after=args.after, limit=args.limit):
        at = event.at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{event.version:>6}  {at}  {event.actor:<16} {event.type:<22} {summarize(event)}")


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
    events = command("events", _events, "print a report's events, one per line")
    events.add_argument("--after", type=int, default=0)
    events.add_argument("--limit", type=int)
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
