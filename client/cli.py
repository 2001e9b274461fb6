"""`rapporteur …`: run the service, or work on a report through its HTTP API.

Chapters and agenda items are named as drafters read them (« II », « 2 », « 1a »).
"""

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from client import credentials
from client.api import Api, ApiError
from events.access import ROLES
from events.envelope import StoredEvent
from events.errors import DomainError
from events.fields import UUID_PATTERN
from events.history import Change, HeadingDiff, Words, by_author
from events.model import ParticipantCategory, SpeakerCategory
from events.references import (
    agenda_item_by_number,
    chapter_by_number,
    paragraph_by_number,
)

DEFAULT_URL = "http://127.0.0.1:8000"
SPEAKER_CATEGORIES = get_args(SpeakerCategory)
PARTICIPANT_CATEGORIES = get_args(ParticipantCategory)


def _serve(api: Api, args: argparse.Namespace) -> None:
    from server.serve import ServeError, serve

    try:
        serve(args.host, args.port, args.redis, args.data, tuple(args.allow_origin), args.admin_link)
    except ServeError as error:
        print(f"rapporteur serve: {error}", file=sys.stderr)
        raise SystemExit(1) from None


def _login(api: Api, args: argparse.Namespace) -> None:
    signed_in, user = Api.sign_in(args.invite_url)
    assert signed_in.token is not None
    credentials.save(signed_in.base_url, signed_in.token)
    print(f"signed in to {signed_in.base_url} as {user['name']} ({user['role']})")


def _logout(api: Api, args: argparse.Namespace) -> None:
    """A token the service no longer knows (revoked, expired) is forgotten here all the same."""
    try:
        api.sign_out()
    except ApiError as error:
        if error.code != "unauthenticated":
            raise
    credentials.forget(api.base_url)
    print(f"signed out of {api.base_url}")


def _whoami(api: Api, args: argparse.Namespace) -> None:
    me = api.me(args.report)
    in_report = f", {me['report_role']} in this report" if me.get("report_role") else ""
    print(f"{me['name']} ({me['role']}{in_report}) {me['id']}")


def _user_id(api: Api, who: str) -> str:
    """A user named by id or by their display name (which must then be unique)."""
    if _UUID.match(who.lower()):
        return who.lower()
    found = [user["id"] for user in api.users() if user["name"].casefold() == who.casefold() and not user["revoked"]]
    if len(found) != 1:
        raise DomainError("unknown_user", f"{len(found) or 'no'} users are named {who!r}: give the id (rapporteur user list)")
    return found[0]


def _invitation(invitation: dict[str, Any]) -> None:
    user = invitation["user"]
    print(f"{user['name']} ({user['role']}) {user['id']}")
    print(f"sign-in link, works once, until {invitation['expires_at']}:")
    print(f"  {invitation['url']}")


def _user_add(api: Api, args: argparse.Namespace) -> None:
    _invitation(api.add_user(args.name, args.role))


def _user_list(api: Api, args: argparse.Namespace) -> None:
    for user in api.users():
        state = "  revoked" if user["revoked"] else ""
        print(f"{user['id']}  {user['role']:<8} {user['name']}{state}")


def _user_invite(api: Api, args: argparse.Namespace) -> None:
    _invitation(api.invite(_user_id(api, args.user)))


def _user_change(api: Api, args: argparse.Namespace) -> None:
    user = api.change_user(_user_id(api, args.user), name=args.name, role=args.role)
    print(f"{user['id']}  {user['role']:<8} {user['name']}")


def _user_revoke(api: Api, args: argparse.Namespace) -> None:
    user = api.revoke(_user_id(api, args.user))
    print(f"revoked {user['name']} {user['id']}: their tokens and sessions no longer sign in")


def _grant(api: Api, args: argparse.Namespace) -> None:
    role = None if args.role == "none" else args.role
    grants = api.grant(args.report_id, _user_id(api, args.user), role)
    _print_grants(api, grants)


def _roles(api: Api, args: argparse.Namespace) -> None:
    _print_grants(api, api.grants(args.report_id))


def _print_grants(api: Api, grants: dict[str, str]) -> None:
    for user_id, role in grants.items():
        print(f"{user_id}  {role:<8} {api.name_of(user_id)}")


def _create(api: Api, args: argparse.Namespace) -> None:
    print(api.create_report(args.title))


def _import(api: Api, args: argparse.Namespace) -> None:
    print(api.import_draft(Path(args.file).read_text(encoding="utf-8"), args.language))


def _reports(api: Api, args: argparse.Namespace) -> None:
    for report in api.reports():
        damaged = f"  [damaged: version {report['damaged_at']} cannot be read]" if report.get("damaged_at") else ""
        print(f"{report['id']}  v{report['version']:<6} {report['title']}{damaged}")


def _doctor(api: Api, args: argparse.Namespace) -> int:
    """Exits 1 when the stream holds damaged entries, so that scripts can check every report."""
    diagnosis = api.doctor(args.report_id)
    print(f"report {diagnosis.report_id}: {diagnosis.entries} entries, readable up to version {diagnosis.readable_up_to}")
    for entry in diagnosis.damaged:
        print(f"  version {entry.version}  entry {entry.entry_id}  {entry.problem}")
    if diagnosis.more:
        print(f"  … and more after version {diagnosis.damaged[-1].version}")
    if not diagnosis.damaged:
        print("  every entry reads as the event at its place")
        return 0
    if all(entry.newer for entry in diagnosis.damaged):
        print("These events were written by a newer version of Rapporteur: run that version (or a later one) again.")
    else:
        print(
            "Restore the stream from a backup taken before the damage, or cut the report back to its "
            f"{diagnosis.readable_up_to} readable events with deploy/cut-report.lua (deploy/README.md, \"A damaged report\")."
        )
    return 1


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


def _event_line(api: Api, event: StoredEvent, summary: str) -> str:
    return f"{event.version:>6}  {_time(event.at)}  {api.name_of(event.actor):<16} {event.type:<22} {summary}"


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
            print(_event_line(api, event, summary))
        left = None if left is None else left - len(page)


def _changed(api: Api, change: Change | None) -> str:
    if change is None:
        return "no recorded change"
    return f"v{change.version} by {api.name_of(change.actor)} at {_time(change.at)} ({change.type})"


def _by_author(api: Api, words: list[Words]) -> str:
    return " | ".join(f"{api.name_of(group.author)}: {group.text}" for group in words)


def _blame(api: Api, args: argparse.Namespace) -> None:
    blamed = api.blame(args.report_id, at=args.at)
    print(f"version {blamed.version}")
    for paragraph in blamed.paragraphs:
        print(f"{paragraph.number:>4}. last changed {_changed(api, paragraph.last_change)}")
        print(f"      {_by_author(api, by_author(paragraph.words))}")
        for item in paragraph.sub_items:
            print(f"      - {item.text}  ({_changed(api, item.last_change)})")
    for statement in blamed.statements:
        print(f"statement: {statement.delegation} ({statement.category}), agenda item {statement.agenda_item}: {_changed(api, statement.recorded)}")
    for fill in blamed.fills:
        where = f"paragraph {fill.paragraph}" if fill.paragraph else "a removed paragraph"
        print(f"fill: {fill.original} -> « {fill.value} » in {where}: {_changed(api, fill.recorded)}")
    for adoption in blamed.adoptions:
        what = "the report" if adoption.chapter_id is None else f"chapter {adoption.chapter or adoption.chapter_id[:8]}"
        print(f"{adoption.recorded.type}: {what}: {_changed(api, adoption.recorded)}")


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
            print(f"  - {api.name_of(words.author)}: {words.text}")
        for words in paragraph.inserted:
            print(f"  + {api.name_of(words.author)}: {words.text}")
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
    parser.add_argument(
        "--url", default=os.environ.get("RAPPORTEUR_URL") or credentials.last_url() or DEFAULT_URL,
        help="the service (env RAPPORTEUR_URL; default: the last one you signed in to)",
    )
    parser.add_argument(
        "--token", default=os.environ.get("RAPPORTEUR_TOKEN"),
        help="your API token (env RAPPORTEUR_TOKEN; default: the one `rapporteur login` saved for the URL)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[Api, argparse.Namespace], int | None], help: str, report: bool = True) -> argparse.ArgumentParser:
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
    serve.add_argument("--allow-origin", action="append", default=[], help="another site whose pages may use a signed-in browser here (https://host); repeat for several")
    serve.add_argument("--admin-link", action="store_true", help="print a new one-time sign-in link for the administrator (a lost first link)")

    command("login", _login, "sign in with an invite link; the token is saved for this service", report=False).add_argument("invite_url")
    command("logout", _logout, "sign out: the saved token stops working", report=False)
    command("whoami", _whoami, "who you are signed in as", report=False).add_argument("--report", help="also your role in this report")
    user = commands.add_parser("user", help="manage users (administrators)", description="manage users (administrators)")
    users = user.add_subparsers(dest="user_command", required=True)

    def user_command(name: str, handler: Callable[[Api, argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        sub = users.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    added = user_command("add", _user_add, "create a user and print their one-time sign-in link")
    added.add_argument("name")
    added.add_argument("--role", choices=ROLES, default="drafter", help="their role in every report without a grant of its own")
    user_command("list", _user_list, "list the users")
    user_command("invite", _user_invite, "print a new one-time sign-in link for a user").add_argument("user", help="id or name")
    changed = user_command("change", _user_change, "rename (or anonymise) a user, or change their default role")
    changed.add_argument("user", help="id or name")
    changed.add_argument("--name")
    changed.add_argument("--role", choices=ROLES)
    user_command("revoke", _user_revoke, "revoke a user: every token and session of theirs stops working").add_argument("user", help="id or name")
    granted = command("grant", _grant, "give a user a role in one report (none: take it back)")
    granted.add_argument("user", help="id or name")
    granted.add_argument("role", choices=(*ROLES, "none"))
    command("roles", _roles, "list the roles granted in a report")

    command("create", _create, "create a report and print its id", report=False).add_argument("title")
    imported = command("import", _import, "import a draft in the seed's text form and print the new report's id", report=False)
    imported.add_argument("file")
    imported.add_argument("--language", choices=("fr", "en"), default="fr")
    command("reports", _reports, "list the reports", report=False)
    command("doctor", _doctor, "list the entries of a report's stream that cannot be read, and why (administrators)")
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
        status = args.handler(Api(args.url, args.token or credentials.token_for(args.url)), args)
    except (ApiError, DomainError) as error:
        print(f"rapporteur: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"rapporteur: {error}", file=sys.stderr)
        return 2
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
