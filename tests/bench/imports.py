"""How long crafted drafts take to import, and how long another user waits meanwhile:
`python -m tests.bench.imports`.

First, in the pure domain, each draft of tests/events/hostile_drafts.py (each aimed at a place
of the importer that was super-linear) and an ordinary long report, at 40 KB, 1 MiB and 5 MiB
(`--sizes`): the time `import_draft` takes, in a child process stopped after `--timeout`
seconds (printed as "> T s"), and how it ended (the number of commands, or the error code: a
5 MiB paragraph is refused as `invalid_text`, more than 10,000 events as `too_many_events`).

Then against a real server (its own embedded Redis and `rapporteur serve`, as the other
benchmarks start them): each draft at `--server-sizes` is posted to /api/reports/import
while another user reads a report (GET /api/reports/{id}) every 10 ms; it prints the
import's answer and time, and that user's worst and median wait. The server's import budget
is its default (RAPPORTEUR_IMPORT_SECONDS, 30 s) unless the environment sets another.

It prints figures and asserts nothing: they depend on the machine and its load (printed).
"""

import argparse
import concurrent.futures
import os
import statistics
import subprocess
import sys
import time

import httpx

from tests.bench.service import BenchService
from tests.events.hostile_drafts import CRAFTED, long_report

# An ordinary report of 5 MiB within the 20,000 lines a draft may have: long lines, no blank ones.
DRAFTS = {**CRAFTED, "long_report": lambda size: long_report(size, width=400).replace("\n\n", "\n")}
UNITS = {"K": 1_000, "KB": 1_000, "M": 1 << 20, "MIB": 1 << 20}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def _size(text: str) -> int:
    text = text.strip().upper()
    for unit in sorted(UNITS, key=len, reverse=True):
        if text.endswith(unit):
            return int(float(text[: -len(unit)]) * UNITS[unit])
    return int(text)


def _shown(size: int) -> str:
    return f"{size / (1 << 20):g} MiB" if size >= 1 << 20 else f"{size / 1000:g} KB"


def _load() -> str:
    return "load " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def _one(name: str, size: int) -> None:
    """In the child: import one draft and print its seconds and how it ended."""
    from events.errors import DomainError
    from events.importer import import_draft
    from tests.events.builders import Ids

    text = DRAFTS[name](size)
    started = time.perf_counter()
    try:
        outcome = f"{len(import_draft(text, Ids()))} commands"
    except DomainError as error:
        outcome = error.code
    print(f"{time.perf_counter() - started:.3f} {outcome}")


def domain(names: list[str], sizes: list[int], timeout: float) -> None:
    print(f"import_draft, pure domain ({_load()})")
    print(f"{'draft':32} {'size':>9} {'seconds':>9}  outcome")
    for name in names:
        for size in sizes:
            command = [sys.executable, "-m", "tests.bench.imports", "--one", name, str(size)]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
                seconds, outcome = done.stdout.split(" ", 1)
                print(f"{name:32} {_shown(size):>9} {float(seconds):9.2f}  {outcome.strip()}", flush=True)
            except subprocess.TimeoutExpired:
                print(f"{name:32} {_shown(size):>9} {'> ' + format(timeout, 'g'):>9}  stopped", flush=True)
            except subprocess.CalledProcessError as error:
                print(f"{name:32} {_shown(size):>9} {'-':>9}  failed: {error.stderr.strip().splitlines()[-1:]}", flush=True)


def _import_while_reading(service: BenchService, drafter: str, reader: str, draft: str, timeout: float) -> str:
    with httpx.Client(base_url=service.url, timeout=timeout) as http:
        report_id = http.post("/api/reports", json={"title": "Lu pendant l’import"}, headers={"Authorization": f"Bearer {reader}"}).json()["id"]
        waits: list[float] = []
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            started = time.monotonic()
            posted = pool.submit(
                http.post, "/api/reports/import", content=draft.encode(), headers={**TEXT, "Authorization": f"Bearer {drafter}"}
            )
            while not posted.done():
                asked = time.monotonic()
                http.get(f"/api/reports/{report_id}", headers={"Authorization": f"Bearer {reader}"})
                waits.append(time.monotonic() - asked)
                time.sleep(0.01)
            try:
                answer = posted.result()
                code = answer.json().get("code", "") if answer.headers.get("content-type") == "application/json" else ""
                outcome = f"{answer.status_code} {code}".strip()
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            took = time.monotonic() - started
    if not waits:
        return f"{outcome:26} {took:8.2f}   (no read during the import)"
    return f"{outcome:26} {took:8.2f} {max(waits) * 1000:9.0f} {statistics.median(waits) * 1000:9.1f} {len(waits):6}"


def server(names: list[str], sizes: list[int], timeout: float) -> None:
    with BenchService() as service:
        drafter, reader = service.token("Importer"), service.token("Reader")
        print(f"\nPOST /api/reports/import while another user reads a report every 10 ms ({_load()})")
        # The first import starts the server's worker process: measured apart.
        print(f"{'first import (a small one)':42} {_import_while_reading(service, drafter, reader, long_report(2_000), timeout)}")
        print(f"{'draft':32} {'size':>9} {'answer':26} {'seconds':>8} {'worst ms':>9} {'p50 ms':>9} {'reads':>6}")
        for name in names:
            for size in sizes:
                line = _import_while_reading(service, drafter, reader, DRAFTS[name](size), timeout)
                print(f"{name:32} {_shown(size):>9} {line}", flush=True)
        print(f"({_load()})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.imports", description=__doc__.split("\n")[0])
    parser.add_argument("--drafts", default=",".join(DRAFTS), help="which drafts, comma-separated (default: all)")
    parser.add_argument("--sizes", default="40K,1MiB,5MiB", help="sizes for the pure domain (default: 40K,1MiB,5MiB)")
    parser.add_argument("--server-sizes", default="40K,1MiB", help="sizes posted to the server (default: 40K,1MiB)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a draft is given up (default: 120)")
    parser.add_argument("--no-server", action="store_true", help="the pure domain only")
    parser.add_argument("--one", nargs=2, metavar=("DRAFT", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        _one(args.one[0], int(args.one[1]))
        return 0
    names = [name for name in args.drafts.split(",") if name]
    unknown = [name for name in names if name not in DRAFTS]
    if unknown:
        parser.error(f"unknown drafts {unknown}; they are {', '.join(DRAFTS)}")
    domain(names, [_size(size) for size in args.sizes.split(",")], args.timeout)
    if not args.no_server:
        server(names, [_size(size) for size in args.server_sizes.split(",")], args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
