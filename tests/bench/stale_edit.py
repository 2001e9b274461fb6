"""What a huge edit made on an old revision costs: `python -m tests.bench.stale_edit`.

It starts its own embedded Redis and one `rapporteur serve` process (tests/bench/service.py),
writes a paragraph of 99,000 characters and types BEHIND single-character edits into it, then
sends, over HTTP, an `EditParagraphText` made on revision 0 (so BEHIND revisions behind) while
a second client asks `GET /api/health` in a loop. It prints, for each case and run, how long
the edit took to be answered (and the answer's code), and the longest and median wait of the
other client meanwhile: the time the server's event loop was held.

The cases:
- `issue`: the operation of issue 12 — 880 KB of alternating retains and deletes
  (`[1, {"d": 1}, 1, {"d": 1}, …]`, 176,000 components);
- `widest`: the widest operation a drafter may send (`MAX_OP_COMPONENTS` components of the
  same kind), as far behind as the transform budget lets it be merged: the worst case the
  server still accepts, merged on the event loop;
- `widest-stale`: the same, BEHIND revisions behind, past the budget;
- `burst`: one live connection sends the widest operation to each of BURST paragraphs of one
  report without waiting for answers (`--burst`, default 200): the report's writer decides all
  that arrived meanwhile in one batch. The time is until the last answer.

It also times, in this process, what the server does on its event loop for the costliest edits
it still merges (deciding and folding it): the widest operation as far behind as the budget
allows, and a delete made 500 keystrokes ago that each of them, typed inside it, split in two
(it grows as it is merged, and the budget stops it on the way). It prints figures and asserts
nothing about them; the load (`uptime`) is printed beside them.
"""

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
import msgspec
from websockets.asyncio.client import connect

from client.live import bearer, live_url
from events import commands as cmd
from events.decide import TRANSFORM_BUDGET, decide_and_apply
from events.errors import DomainError
from events.fields import MAX_OP_COMPONENTS
from events.model import RECENT_OPS, Report
from events.text_ops import Delete
from tests.bench.service import BenchService
from tests.events.builders import Ids
from tests.events.test_edit_paragraph_text import Typing

TEXT_LENGTH = 99_000
ISSUE_COMPONENTS = 176_000


def _load() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _alternating(components: int) -> list[Any]:
    """`[1, {"d": 1}, 1, {"d": 1}, …]`: every other character deleted, `components` long."""
    return [1 if n % 2 == 0 else {"d": 1} for n in range(components - components % 2)]


async def _command(http: httpx.AsyncClient, report_id: str, command: dict[str, Any]) -> httpx.Response:
    return await http.post(f"/api/reports/{report_id}/commands", json={"command_id": str(uuid.uuid4()), "command": command})


async def _paragraph(http: httpx.AsyncClient, behind: int) -> tuple[str, str]:
    """A report with one paragraph of TEXT_LENGTH characters edited `behind` times."""
    created = await http.post("/api/reports", json={"title": "Stale edit"})
    created.raise_for_status()
    report_id = created.json()["id"]
    chapter_id, paragraph_id = str(uuid.uuid4()), str(uuid.uuid4())
    (await _command(http, report_id, {"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"})).raise_for_status()
    added = await _command(
        http, report_id, {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": "a" * TEXT_LENGTH}
    )
    added.raise_for_status()
    for revision in range(behind):
        edit = {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": revision, "ops": [7 * revision + 1, "x"]}
        (await _command(http, report_id, edit)).raise_for_status()
    return report_id, paragraph_id


T = TypeVar("T")


async def _pinged(url: str, work: Coroutine[Any, Any, T]) -> tuple[T, float, list[float]]:
    """`work`'s result and how long it took, and the waits of a second client asking GET
    /api/health in a loop meanwhile (connected before the work starts)."""
    waits: list[float] = []

    async def timed() -> tuple[T, float]:
        started = time.perf_counter()
        result = await work
        return result, time.perf_counter() - started

    async with httpx.AsyncClient(base_url=url, timeout=600.0) as other:
        await other.get("/api/health")
        task = asyncio.create_task(timed())
        while not task.done():
            started = time.perf_counter()
            await other.get("/api/health")
            waits.append(time.perf_counter() - started)
    result, elapsed = task.result()
    return result, elapsed, waits


def _figures(elapsed: float, answer: str, waits: list[float]) -> str:
    longest = max(waits) * 1000 if waits else float("nan")
    median = statistics.median(waits) * 1000 if waits else float("nan")
    return (
        f"answered in {elapsed * 1000:8.1f} ms ({answer});"
        f" the other client waited at most {longest:7.1f} ms (median {median:.1f}, {len(waits)} pings)"
    )


async def _one(url: str, token: str, behind: int, ops: list[Any], base_revision: int) -> str:
    async with httpx.AsyncClient(base_url=url, headers=bearer(token), timeout=600.0) as http:
        report_id, paragraph_id = await _paragraph(http, behind)
        command = {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": base_revision, "ops": ops}
        response, elapsed, waits = await _pinged(url, _command(http, report_id, command))
        code = "ok" if response.status_code == 200 else f"{response.status_code} {response.json()['code']}"
    return _figures(elapsed, code, waits)


async def _burst(url: str, token: str, paragraphs: int) -> str:
    """The widest op sent to each of `paragraphs` paragraphs at once on one live connection."""
    widest = _alternating(MAX_OP_COMPONENTS)
    async with httpx.AsyncClient(base_url=url, headers=bearer(token), timeout=600.0) as http:
        created = await http.post("/api/reports", json={"title": "Burst"})
        created.raise_for_status()
        report_id = created.json()["id"]
        chapter_id = str(uuid.uuid4())
        (await _command(http, report_id, {"type": "AddChapter", "chapter_id": chapter_id, "title": "Introduction"})).raise_for_status()
        ids = [str(uuid.uuid4()) for _ in range(paragraphs)]
        for paragraph_id in ids:
            add = {"type": "AddParagraph", "chapter_id": chapter_id, "paragraph_id": paragraph_id, "text": "a" * len(widest)}
            (await _command(http, report_id, add)).raise_for_status()
    async with connect(live_url(url, report_id, batch=True), additional_headers=bearer(token), max_size=None) as socket:
        await socket.recv()  # the snapshot
        messages = [
            msgspec.json.encode(
                {
                    "type": "command",
                    "command_id": f"burst-{n}",
                    "command": {"type": "EditParagraphText", "paragraph_id": paragraph_id, "base_revision": 0, "ops": widest},
                }
            ).decode()
            for n, paragraph_id in enumerate(ids)
        ]

        async def send_and_wait() -> int:
            for message in messages:
                await socket.send(message)
            answered, refused = set(), 0
            while len(answered) < len(messages):
                received = msgspec.json.decode(await socket.recv())
                for ack in [received] if received["type"] in ("ack", "error") else received.get("acks", []):
                    answered.add(ack["command_id"])
                    refused += ack["type"] == "error"
            return refused

        refused, elapsed, waits = await _pinged(url, send_and_wait())
    return _figures(elapsed, f"{paragraphs} edits, {refused} refused", waits)


def _cases(behind: int) -> list[tuple[str, int, list[Any], int]]:
    """(name, edits typed, ops, base revision) of each case."""
    widest = _alternating(MAX_OP_COMPONENTS)
    # Each typed edit is two components: what merging the widest op past `n` of them costs.
    allowed = max(n for n in range(behind + 1) if n * (len(widest) + 2) <= TRANSFORM_BUDGET)
    return [
        ("issue", behind, _alternating(ISSUE_COMPONENTS), 0),
        ("widest", behind, widest, behind - allowed),
        ("widest-stale", behind, widest, 0),
    ]


def _timed(report: Report, command: cmd.EditParagraphText) -> tuple[list[float], str]:
    """The CPU time of what the service does on the event loop for one edit, deciding it and
    folding its event: the thread's own time, which other processes' load does not stretch."""
    times, outcome = [], "accepted"
    for _ in range(30):
        started = time.thread_time()
        try:
            decide_and_apply(report, report.id, [command], Ids(), "alice")
        except DomainError as error:
            outcome = error.code
        times.append(time.thread_time() - started)
    return times, outcome


def _worst_in_process(behind: int) -> list[str]:
    """The time deciding the costliest edits allowed takes, in this process: the widest op as
    far behind as the budget allows, and a delete that grows as it is merged past keystrokes
    typed inside it, stopped by the budget on the way."""
    typing = Typing("a" * TEXT_LENGTH)
    for revision in range(behind):
        typing.edit(revision, [7 * revision + 1, "x"])
    _, _, widest, base = _cases(behind)[1]
    scattered = Typing("a" * TEXT_LENGTH)
    for revision in range(RECENT_OPS):
        scattered.edit(revision, [2 * revision + 1, "x"])
    cases = [
        (f"widest op ({len(widest)} components) {behind - base} behind", typing, base, [c if c == 1 else Delete(1) for c in widest]),
        (f"a delete {RECENT_OPS} behind, split by each keystroke", scattered, 0, [Delete(3 * RECENT_OPS)]),
    ]
    lines = []
    for name, drafting, base, ops in cases:
        assert drafting.report is not None
        command = cmd.EditParagraphText(paragraph_id=drafting.paragraph_id, base_revision=base, ops=ops)
        times, outcome = _timed(drafting.report, command)
        lines.append(
            f"in process, {name}: CPU best {min(times) * 1000:.2f} ms, median {statistics.median(times) * 1000:.2f} ms,"
            f" worst {max(times) * 1000:.2f} ms ({outcome})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.stale_edit", description=__doc__.split("\n")[0])
    parser.add_argument("--behind", type=int, nargs="+", default=[20], help="revisions behind (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each case (default 3)")
    parser.add_argument("--burst", type=int, default=200, help="paragraphs edited at once in the burst case (default 200)")
    args = parser.parse_args(argv)
    with BenchService() as service:
        token = service.token("Stale drafter")
        for behind in args.behind:
            for line in _worst_in_process(behind):
                print(line, f"[{_load()}]", flush=True)
            for name, typed, ops, base in _cases(behind):
                for run in range(1, args.runs + 1):
                    figures = asyncio.run(_one(service.url, token, typed, ops, base))
                    print(f"{name:12} {len(ops):7} components, {typed - base:3} behind, run {run}: {figures} [{_load()}]", flush=True)
        for run in range(1, args.runs + 1):
            figures = asyncio.run(_burst(service.url, token, args.burst))
            print(f"burst        {MAX_OP_COMPONENTS:7} components, paragraphs at once, run {run}: {figures} [{_load()}]", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
