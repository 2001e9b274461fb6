"""Costly reads, and what another user waits meanwhile: `python -m tests.bench.reads`.

It starts its own embedded Redis and server (tests/bench/service.py), writes through the
service itself (in this process, on the same Redis):
- REPORTS small reports (its creation, a chapter and 20 paragraphs each), for the listing;
- a crafted report for the checks: STATEMENTS agenda items, as many statements listings, and as
  many statements by delegations not listed as present (each statement looked its listing and
  agenda item up among all of them: quadratic);
- a report of PARAGRAPHS paragraphs, rendered as DOCX;
- a report of HISTORY events (paragraphs typed over and over), for blame and a diff across it;

then times, through HTTP, each read RUNS times (printing the median and the worst) while
another user asks `GET /api/me` every 20 ms, and prints that user's worst wait: what the read
held the server's event loop. `uptime`'s load is printed beside the figures.

`--code DIR` runs the server from another checkout (`--code ../main`: the figures before a
change); the reports are written by this checkout's service either way (the stored events are
the same).
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import redis.asyncio as aioredis

from events.access import Actor
from events.commands import (
    AddAgendaItem,
    AddChapter,
    AddParagraph,
    AddParticipant,
    Command,
    CreateReport,
    RecordStatement,
    ReplaceParagraphText,
)
from events.model import Listing
from server.service import ReportService
from server.store import EventStore
from tests import processes
from tests.bench.service import BenchService
from tests.waits import OtherUser

CHAIR = Actor(id="bench", role="chair")
BATCH = 5_000  # commands per append: one command or import appends at most 10,000 events


def _id() -> str:
    import uuid

    return str(uuid.uuid4())


async def _write(service: ReportService, report_id: str, commands: list[Command]) -> int:
    version = 0
    for start in range(0, len(commands), BATCH):
        version = (await service.handle_all(report_id, _id(), commands[start : start + BATCH], CHAIR)).version
    return version


def _paragraph_text(n: int) -> str:
    return f"Au titre du point {n % 9 + 1}, le Groupe de travail a pris note du rapport du Secrétariat [sic] et l’a adopté."


async def _small_reports(service: ReportService, count: int) -> None:
    for n in range(count):
        chapter = _id()
        commands: list[Command] = [CreateReport(title=f"Rapport {n}"), AddChapter(chapter_id=chapter, title="Travaux")]
        commands += [AddParagraph(chapter_id=chapter, text=_paragraph_text(k)) for k in range(20)]
        await _write(service, _id(), commands)


async def _crafted_for_checks(service: ReportService, statements: int) -> str:
    report_id, chapter = _id(), _id()
    items = [_id() for _ in range(statements)]
    commands: list[Command] = [CreateReport(title="Rapport piégé"), AddChapter(chapter_id=chapter, title="Déclarations")]
    commands += [AddParticipant(category="party", name="Chili")]
    commands += [AddAgendaItem(agenda_item_id=item, title=f"Point {n}") for n, item in enumerate(items)]
    commands += [
        AddParagraph(chapter_id=chapter, text="Ont fait des déclarations :", listing=Listing(kind="statements", agenda_item_id=item, category="party"))
        for item in items
    ]
    commands += [RecordStatement(agenda_item_id=item, category="party", delegation=f"Ruritanie {n}") for n, item in enumerate(reversed(items))]
    await _write(service, report_id, commands)
    return report_id


async def _long_report(service: ReportService, paragraphs: int) -> str:
    report_id, chapter = _id(), _id()
    commands: list[Command] = [CreateReport(title="Rapport long"), AddChapter(chapter_id=chapter, title="Travaux")]
    commands += [AddParagraph(chapter_id=chapter, text=_paragraph_text(n)) for n in range(paragraphs)]
    await _write(service, report_id, commands)
    return report_id


async def _long_history(service: ReportService, events: int) -> str:
    report_id, chapter = _id(), _id()
    ids = [_id() for _ in range(50)]
    commands: list[Command] = [CreateReport(title="Historique long"), AddChapter(chapter_id=chapter, title="Travaux")]
    commands += [AddParagraph(paragraph_id=p, chapter_id=chapter, text=_paragraph_text(n)) for n, p in enumerate(ids)]
    commands += [ReplaceParagraphText(paragraph_id=ids[n % len(ids)], text=f"{_paragraph_text(n)} ({n})") for n in range(events - len(commands))]
    await _write(service, report_id, commands)
    return report_id


async def _write_all(redis_url: str, args: argparse.Namespace) -> dict[str, str]:
    client = aioredis.Redis.from_url(redis_url)
    store = EventStore(client)
    try:
        service = ReportService(store)
        started = time.monotonic()
        await _small_reports(service, args.reports)
        reports = {
            "checks": await _crafted_for_checks(service, args.statements),
            "docx": await _long_report(service, args.paragraphs),
            "history": await _long_history(service, args.history),
        }
        print(f"written in {time.monotonic() - started:.0f} s", flush=True)
        return reports
    finally:
        await store.aclose()
        await client.aclose()


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _measure(name: str, url: str, headers: dict[str, str], other: dict[str, str], ask: Callable[[httpx.Client], httpx.Response], runs: int) -> None:
    times, worst_waits, statuses = [], [], set()
    with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
        for _ in range(runs):
            with OtherUser(url, other) as waiting:
                time.sleep(0.1)
                started = time.monotonic()
                response = ask(http)
                times.append(time.monotonic() - started)
                time.sleep(0.1)
            statuses.add(response.status_code if response.status_code == 200 else f"{response.status_code} {response.json().get('code')}")
            worst_waits.append(waiting.worst)
    print(
        f"{name:<44} {statistics.median(times):8.3f} s (worst {max(times):7.3f})   "
        f"other user's worst wait {max(worst_waits) * 1000:8.0f} ms   {','.join(map(str, sorted(statuses, key=str)))}   load {_load()}",
        flush=True,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.reads", description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1_100, help="small reports, for the listing")
    parser.add_argument("--statements", type=int, default=9_000, help="agenda items, listings and statements of the crafted report")
    parser.add_argument("--paragraphs", type=int, default=10_000, help="paragraphs of the report rendered as DOCX")
    parser.add_argument("--history", type=int, default=100_000, help="events of the report blamed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, help="the checkout whose server is measured (default: this one)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.code is not None:
        processes.ROOT = args.code.resolve()  # where ServerProcess runs `rapporteur serve` from
    with BenchService() as bench:
        token, other = bench.token("Reader", "viewer"), bench.token("Other", "viewer")
        headers, other_headers = {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {other}"}
        reports = asyncio.run(_write_all(bench.redis.url, args))
        url = bench.url
        count = args.reports + len(reports)
        checks, docx, history = reports["checks"], reports["docx"], reports["history"]
        httpx.get(f"{url}/api/reports/{docx}/render?format=txt&at=10", headers=headers, timeout=600)  # worker processes started
        print(f"load before measuring: {_load()}", flush=True)
        _measure(f"GET /api/reports ({count} reports)", url, headers, other_headers, lambda h: h.get("/api/reports"), args.runs)
        _measure(f"GET /checks ({args.statements} statements)", url, headers, other_headers, lambda h: h.get(f"/api/reports/{checks}/checks"), args.runs)
        _measure(f"GET /render?format=docx ({args.paragraphs} paragraphs)", url, headers, other_headers, lambda h: h.get(f"/api/reports/{docx}/render?format=docx"), args.runs)
        _measure(f"GET /blame ({args.history} events)", url, headers, other_headers, lambda h: h.get(f"/api/reports/{history}/blame"), args.runs)
        _measure(f"GET /diff?from=1 ({args.history} events)", url, headers, other_headers, lambda h: h.get(f"/api/reports/{history}/diff?from=1"), args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
