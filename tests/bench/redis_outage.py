"""What clients see while Redis is stalled or killed, and after: a measurement, not a test.

    .venv/bin/python -m tests.bench.redis_outage [--seconds 12] [--clients 4] [--mode stop|kill]

It starts its own Redis and server; clients (each on one kept-alive HTTP connection) read a
report and submit commands in a loop while Redis is frozen (SIGSTOP) or killed for `--seconds`,
then brought back. It prints, for the outage: the answers by status, their latency (p50, max),
the keep-alive connections dropped, the lines the server logged (and tracebacks among them);
then how long after Redis was back the first request succeeded.
"""

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from server.embedded_redis import EmbeddedRedis
from tests.conftest import People, new_id
from tests.processes import ServerProcess, stalled


def _client(server: ServerProcess, headers: dict[str, str], report_id: str, stop: threading.Event, log: list) -> None:
    """Read and write in turn until stopped; record (when sent, status or error, seconds)."""
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        n = 0
        while not stop.is_set():
            n += 1
            sent = time.monotonic()
            try:
                if n % 2:
                    response = http.get(f"/api/reports/{report_id}")
                else:
                    command = {"command_id": new_id(), "command": {"type": "AddChapter", "title": f"{n}"}}
                    response = http.post(f"/api/reports/{report_id}/commands", json=command)
                outcome: object = response.status_code
            except httpx.HTTPError as error:
                outcome = type(error).__name__
            log.append((sent, outcome, time.monotonic() - sent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--mode", choices=("stop", "kill"), default="stop")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as data, EmbeddedRedis(Path(data)) as redis:
        people = People(redis.url)
        with ServerProcess(redis.url) as server:
            report_id = people.api(server, "bench").create_report("Rapport")
            log: list = []
            stop = threading.Event()
            clients = [
                threading.Thread(target=_client, args=(server, people.headers("bench"), report_id, stop, log))
                for _ in range(options.clients)
            ]
            for client in clients:
                client.start()
            time.sleep(1)
            lines_before = len(server.output_so_far().splitlines())
            assert redis.process is not None
            down = time.monotonic()
            if options.mode == "stop":
                with stalled(redis.process):  # thawed even if interrupted: a frozen Redis ignores SIGTERM
                    time.sleep(options.seconds)
            else:
                redis.process.kill()
                redis.process.wait()
                time.sleep(options.seconds)
                redis.start()  # again, on the same data
            back = time.monotonic()
            time.sleep(3)
            stop.set()
            for client in clients:
                client.join()
            said = server.output_so_far().splitlines()[lines_before:]

    # Every request that was waiting on Redis at some point of the outage.
    during = [(sent, outcome, seconds) for sent, outcome, seconds in log if sent < back and sent + seconds > down]
    latencies = sorted(seconds for _, _, seconds in during) or [0.0]
    first_ok = min((sent + seconds for sent, outcome, seconds in log if sent >= back and outcome in (200, 201)), default=None)
    print(f"Redis {'frozen' if options.mode == 'stop' else 'killed'} for {options.seconds:.0f} s, {options.clients} clients; load {os.getloadavg()[0]:.2f}")
    print(f"  answers during the outage: {dict(Counter(str(outcome) for _, outcome, _ in during))}")
    print(f"  their latency: p50 {statistics.median(latencies):.2f} s, max {latencies[-1]:.2f} s")
    print(f"  server log lines: {len(said)} (tracebacks: {sum('Traceback' in line for line in said)})")
    for line in said[:3]:
        print(f"    {line[:160]}")
    print(f"  first success {first_ok - back:.2f} s after Redis was back" if first_ok else "  no success after Redis was back")


if __name__ == "__main__":
    main()
