"""`rapporteur …`: run the service, or talk to one over its HTTP API."""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from client.api import Api, ApiError
from events.summary import summarize

DEFAULT_URL = "http://127.0.0.1:8000"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapporteur", description=__doc__)
    parser.add_argument("--url", default=os.environ.get("RAPPORTEUR_URL", DEFAULT_URL), help="the service (env RAPPORTEUR_URL)")
    parser.add_argument(
        "--as", dest="drafter", default=os.environ.get("RAPPORTEUR_DRAFTER") or getpass.getuser(),
        help="the drafter you are (env RAPPORTEUR_DRAFTER; default: your login)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--redis", default=os.environ.get("REDIS_URL"), help="use this Redis (env REDIS_URL) instead of an embedded one")
    serve.add_argument("--data", type=Path, default=Path("rapporteur-data"), help="the embedded Redis's data directory")

    create = commands.add_parser("create", help="create a report and print its id")
    create.add_argument("title")

    commands.add_parser("reports", help="list the reports")

    show = commands.add_parser("show", help="print a report as text")
    show.add_argument("report_id")
    show.add_argument("--at", type=int, help="as it was at this version")

    events = commands.add_parser("events", help="print a report's events, one per line")
    events.add_argument("report_id")
    events.add_argument("--after", type=int, default=0)
    events.add_argument("--limit", type=int)

    submit = commands.add_parser("submit", help="submit one command given as JSON, e.g. '{\"type\": \"AddChapter\", \"title\": \"Introduction\"}'")
    submit.add_argument("report_id")
    submit.add_argument("command_json")
    submit.add_argument("--expected-version", type=int)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from server.serve import serve

        serve(args.host, args.port, args.redis, args.data)
        return 0
    api = Api(args.url, args.drafter)
    try:
        if args.command == "create":
            print(api.create_report(args.title))
        elif args.command == "reports":
            for report in api.reports():
                print(f"{report['id']}  v{report['version']:<6} {report['title']}")
        elif args.command == "show":
            sys.stdout.write(api.text(args.report_id, at=args.at))
        elif args.command == "events":
            for event in api.events(args.report_id, after=args.after, limit=args.limit):
                at = event.at.strftime("%Y-%m-%d %H:%M:%S")
                print(f"{event.version:>6}  {at}  {event.actor:<16} {event.type:<22} {summarize(event)}")
        elif args.command == "submit":
            result = api.submit(args.report_id, json.loads(args.command_json), expected_version=args.expected_version)
            print(f"version {result['version']}: {len(result['events'])} event(s)")
    except ApiError as error:
        print(f"rapporteur: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"rapporteur: cannot reach {args.url}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
