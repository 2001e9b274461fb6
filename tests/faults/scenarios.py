"""The faults, each on a fresh data directory with fresh processes, under the same load.

A scenario runs: load for `warmup` seconds, the fault, recovery, load for `after` seconds, a
drain of what is in flight, then the audit. Recovery is watched, not assumed: the script waits
`recover_wait` seconds for every client to get an ack again; if serve did not get there by
itself, the script restarts it on the same data directory and port (as systemd would) and
says so.
"""

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from server.keys import events_key
from tests.faults.audit import Audit, audit
from tests.faults.ledger import Ledger
from tests.faults.load import Load
from tests.faults.service import FaultService, MountRefused, Process, scratch_directory

# Not JSON, not even UTF-8: what a damaged AOF or a careless hand may leave in a stream.
DAMAGED = b'{"type": "ParagraphTextEdited", "version": \xff\xfe'


@dataclass(frozen=True)
class Settings:
    rate: float = 5.0  # commands a second, per client (4 live editors, 1 HTTP writer)
    warmup: float = 3.0  # seconds of load before the fault
    after: float = 3.0  # seconds of load once recovered
    stall: float = 30.0  # seconds Redis stays SIGSTOPped
    full: float = 5.0  # seconds the disk stays full
    recover_wait: float = 15.0  # seconds to wait for serve to recover by itself
    drain: float = 15.0  # seconds to wait for the commands in flight at the end
    tmpfs_mib: int = 32


QUICK = Settings(warmup=2.0, after=2.0, stall=5.0, full=3.0, recover_wait=10.0, drain=10.0)


@dataclass
class Outcome:
    name: str
    title: str
    audit: Audit | None = None
    recover: dict[str, float | None] = field(default_factory=dict)  # client -> seconds to its first ack
    recovered: str = ""  # "by itself", "by restart" (the script's), "no" (some client never got an ack again)
    seen: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0  # LiveReport's, all editors
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    error: str | None = None
    ledger: Ledger | None = None  # every command and ack, for --log
    serve_output: list[str] = field(default_factory=list)  # what each serve printed, in order

    @property
    def kept(self) -> bool:
        """0 lost, 0 duplicated, every ack true (a skipped scenario breaks nothing)."""
        return self.skipped is not None or (self.error is None and self.audit is not None and self.audit.kept)


@dataclass
class Run:
    """One scenario under way: what a fault acts on."""

    service: FaultService
    load: Load
    ledger: Ledger
    settings: Settings
    notes: list[str]
    restarts: int = 0

    async def restart(self, why: str) -> None:
        """Restart serve on the same data directory and port, as an operator would."""
        self.restarts += 1
        self.notes.append(why)
        if self.service.server is not None and await asyncio.to_thread(self.service.stop_server) == -signal.SIGKILL:
            self.notes.append("serve ignored SIGTERM for 20 s: killed")
        try:
            await asyncio.to_thread(self.service.start_server)
        except (RuntimeError, TimeoutError) as error:
            said = self.service.outputs[-1].strip().splitlines()[-1:] if self.service.outputs else []
            self.notes.append(f"serve did not start again: {error}{f'; it said: {said[0]}' if said else ''}")

    async def all_back(self, since: float, timeout: float) -> bool:
        """Wait until every client has had an ack after `since` (False: not within `timeout`)."""
        deadline = time.monotonic() + timeout
        while None in self.ledger.first_acks_after(since).values():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def redis(self) -> Process:
        """serve's Redis now (raises if it has none)."""
        process = self.service.redis_process()
        if process is None:
            raise RuntimeError("serve has no Redis child process")
        return process


async def _kill_server(run: Run) -> float:
    redis_before = run.redis()
    orphan = await asyncio.to_thread(run.service.kill_server)
    ended = time.monotonic()
    if orphan is not None:
        run.notes.append(f"serve's Redis (pid {orphan.pid}) outlived the kill -9 of serve: an orphan on the data directory")
    else:
        run.notes.append(f"serve's Redis (pid {redis_before.pid}) ended with serve")
    await run.restart("serve restarted by the script on the same data directory (as systemd would)")
    return ended


async def _kill_redis(run: Run) -> float:
    process = run.redis()
    process.signal(signal.SIGKILL)
    run.notes.append(f"kill -9 of serve's Redis (pid {process.pid})")
    return time.monotonic()


async def _stall_redis(run: Run) -> float:
    process = run.redis()
    process.signal(signal.SIGSTOP)
    try:
        await asyncio.sleep(run.settings.stall)
        if not process.alive():
            run.notes.append(f"the stopped Redis (pid {process.pid}) was ended by someone else meanwhile")
    finally:  # interrupted too: a frozen Redis would not end with serve
        process.signal(signal.SIGCONT)
    run.notes.append(f"Redis (pid {process.pid}) SIGSTOPped for {run.settings.stall:g} s, then SIGCONT")
    return time.monotonic()


async def _fill_disk(run: Run) -> float:
    process = run.redis()
    written = await asyncio.to_thread(run.service.fill_disk)
    run.notes.append(f"the data directory's {run.settings.tmpfs_mib} MiB tmpfs filled ({written >> 10} KiB) for {run.settings.full:g} s")
    await asyncio.sleep(run.settings.full)
    if not process.alive():
        run.notes.append(f"Redis (pid {process.pid}) exited while the disk was full")
    run.service.free_disk()
    return time.monotonic()


async def _damage_entry(run: Run) -> float:
    report_id = run.load.report_ids[0]
    redis = run.service.inspector()
    try:
        version = await damage(redis, report_id)
    finally:
        await redis.aclose()
    run.notes.append(f"a damaged entry (not JSON) written at version {version} of report A; report B is the control")
    return time.monotonic()


async def damage(redis: aioredis.Redis, report_id: str) -> int:
    """Write an undecodable entry as the next version of a report's stream (racing the appends:
    an XADD that lost the race is tried again on the new tail)."""
    key = events_key(report_id)
    while True:
        version = await redis.xlen(key) + 1
        try:
            await redis.xadd(key, {"e": DAMAGED}, id=f"{version}-0")
            return version
        except ResponseError:
            continue


@dataclass(frozen=True)
class Scenario:
    title: str
    fault: Callable[[Run], Awaitable[float]]  # does the fault; returns when it ended
    on_tmpfs: bool = False
    restartable: bool = True  # a restart of serve may bring it back


SCENARIOS: dict[str, Scenario] = {
    "kill-server": Scenario("kill -9 of serve mid-load, restarted on the same data directory", _kill_server),
    "kill-redis": Scenario("kill -9 of the embedded Redis", _kill_redis),
    "stall-redis": Scenario("SIGSTOP of the embedded Redis, then SIGCONT", _stall_redis),
    "disk-full": Scenario("the data directory's disk full, then space freed", _fill_disk, on_tmpfs=True),
    "damaged-entry": Scenario("a damaged entry in a report's stream, clients on it and on another", _damage_entry, restartable=False),
}


async def run_scenario(name: str, settings: Settings) -> Outcome:
    scenario = SCENARIOS[name]
    outcome = Outcome(name, scenario.title)
    with scratch_directory() as root:
        service = FaultService(Path(root), settings.tmpfs_mib << 20 if scenario.on_tmpfs else None)
        try:
            await asyncio.to_thread(service.__enter__)
        except MountRefused as error:
            outcome.skipped = f"cannot mount a tmpfs: {error}"
            return outcome
        except Exception as error:  # serve did not start: the next scenario may still run
            outcome.error = f"the service did not start: {type(error).__name__}: {error}"
            return outcome
        try:
            await _run(scenario, service, settings, outcome)
        except Exception as error:
            output = service.server.output_so_far() if service.server else "".join(service.outputs[-1:])
            tail = "\n".join(output.splitlines()[-15:])
            outcome.error = f"{type(error).__name__}: {error}\n  serve's last output:\n{tail}"
        finally:
            await asyncio.to_thread(service.close)
            outcome.serve_output = service.outputs
    return outcome


async def _run(scenario: Scenario, service: FaultService, settings: Settings, outcome: Outcome) -> None:
    ledger = Ledger()
    load = Load(service, ledger, settings.rate)
    run = Run(service, load, ledger, settings, outcome.notes)
    try:
        await load.start()
        await asyncio.sleep(settings.warmup)
        redis_before = service.redis_process()
        ledger.during_fault = True
        ended = await scenario.fault(run)
        back = await run.all_back(ended, settings.recover_wait)
        if not back and scenario.restartable:
            await run.restart(f"serve did not recover by itself within {settings.recover_wait:g} s: the script restarted it")
            back = await run.all_back(ended, settings.recover_wait)
        ledger.during_fault = False
        redis_after = service.redis_process()
        if not run.restarts and redis_after is not None and redis_after != redis_before:
            outcome.notes.append(f"serve started a new Redis by itself (pid {redis_after.pid})")
        outcome.recovered = "no" if not back else "by restart" if run.restarts else "by itself"
        await asyncio.sleep(settings.after)
        await load.drain(settings.drain)
    finally:
        await load.close()
    outcome.recover = ledger.first_acks_after(ended)
    outcome.ledger, outcome.seen, outcome.reconnects = ledger, ledger.seen, load.reconnects
    if ledger.in_flight:
        outcome.notes.append(f"{ledger.in_flight} commands still unanswered at the end (not acknowledged: not counted as lost)")
    if service.server is None:
        await asyncio.to_thread(service.start_server)
    redis = service.inspector()
    try:
        outcome.audit = await audit(redis, ledger, load.report_ids)
    finally:
        await redis.aclose()
