"""`python -m tests.faults`: the service under load through kill -9, a stalled Redis, a full
disk and a damaged entry; per scenario, what was acknowledged, stored, lost and duplicated.

It prints figures; it exits 1 when a scenario lost or duplicated an acknowledged edit (or an
ack named a version other than the one stored), 0 otherwise. See tests/faults/scenarios.py.
"""

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from pathlib import Path

from tests.faults.scenarios import QUICK, SCENARIOS, Outcome, Settings, run_scenario


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of: {', '.join(SCENARIOS)}")
    parser.add_argument("--quick", action="store_true", help="short phases and a 5 s stall")
    parser.add_argument("--stall", type=float, help="seconds Redis stays SIGSTOPped (default 30)")
    parser.add_argument("--full", type=float, help="seconds the disk stays full (default 5)")
    parser.add_argument("--rate", type=float, help="commands a second per client (default 5; 5 clients)")
    parser.add_argument("--recover-wait", type=float, help="seconds serve has to recover by itself (default 15)")
    parser.add_argument("--log", type=Path, metavar="DIR", help="write each scenario's acks (JSON lines) and serve's output there")
    return parser


def _settings(arguments: argparse.Namespace) -> Settings:
    settings = QUICK if arguments.quick else Settings()
    given = {"stall": arguments.stall, "full": arguments.full, "rate": arguments.rate, "recover_wait": arguments.recover_wait}
    return dataclasses.replace(settings, **{k: v for k, v in given.items() if v is not None})


HEADER = f"{'scenario':<14} {'acked':>6} {'stored':>6} {'lost':>5} {'dup':>4} {'bad ack':>7} {'recover s':>9} {'back':>5}  recovered"


def row(outcome: Outcome) -> str:
    if outcome.skipped or outcome.error or outcome.audit is None:
        return f"{outcome.name:<14} {'skipped: ' + (outcome.skipped or '') if outcome.skipped else 'FAILED TO RUN'}"
    a = outcome.audit
    times = [t for t in outcome.recover.values() if t is not None]
    recover = f"{max(times):.2f}" if times else "-"
    back = f"{len(times)}/{len(outcome.recover)}"
    return (
        f"{outcome.name:<14} {a.acked:>6} {a.stored:>6} {len(a.lost):>5} {len(a.duplicated):>4} {len(a.contradicted):>7}"
        f" {recover:>9} {back:>5}  {outcome.recovered}"
    )


def _counts(seen: dict[str, int], prefixes: tuple[str, ...]) -> str:
    chosen = sorted((what, n) for what, n in seen.items() if what.startswith(prefixes))
    return ", ".join(f"{what.split(': ', 1)[1] if ': ' in what else what} x{n}" for what, n in chosen) or "-"


def details(outcome: Outcome) -> str:
    lines = [f"{outcome.name}: {outcome.title}"]
    if outcome.error:
        lines.append(f"  error: {outcome.error}")
    if outcome.skipped:
        lines.append(f"  skipped: {outcome.skipped}")
    lines += [f"  - {note}" for note in outcome.notes]
    if outcome.audit is not None:
        a = outcome.audit
        lines.append(
            f"  stream entries {a.entries}, unreadable {a.unreadable}; applied without an ack reaching the client {a.applied_unacked}"
        )
        for label, ids in (("LOST", a.lost), ("DUPLICATED", a.duplicated), ("ACK NAMED ANOTHER VERSION", a.contradicted)):
            if ids:
                lines.append(f"  {label}: {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''}")
    if outcome.recover:
        lines.append("  first ack after the fault: " + ", ".join(
            f"{client} {'never' if t is None else f'{t:.2f} s'}" for client, t in outcome.recover.items()
        ))
    seen = outcome.seen
    lines.append(f"  live editors: {_counts(seen, ('live:', 'live log:'))}; LiveReport reconnects {outcome.reconnects}")
    lines.append(f"  http writer: {_counts(seen, ('http:',))}")
    lines.append(f"  watchers: {_counts(seen, ('watch:',))}")
    lines.append(f"  health during fault: {_counts(seen, ('health during fault:',))}; otherwise: {_counts(seen, ('health:',))}")
    return "\n".join(lines)


def write_log(directory: Path, outcome: Outcome) -> None:
    """`NAME.acks.jsonl`: one line per command (client, report, marker, version acknowledged
    or null, seconds from the first send to the ack); `NAME.serve-N.log`: each serve's output."""
    directory.mkdir(parents=True, exist_ok=True)
    if outcome.ledger is not None:
        ledger = outcome.ledger
        with open(directory / f"{outcome.name}.acks.jsonl", "w") as log:
            for command_id, sent in ledger.commands.items():
                acked_at = ledger.acked_at.get(command_id)
                line = {
                    "command_id": command_id,
                    "client": sent.client,
                    "report_id": sent.report_id,
                    "marker": sent.marker.strip(),
                    "version": ledger.acks.get(command_id),
                    "seconds_to_ack": None if acked_at is None else round(acked_at - sent.at, 4),
                    "refused": ledger.refused.get(command_id),
                }
                log.write(json.dumps(line) + "\n")
    for n, output in enumerate(outcome.serve_output):
        (directory / f"{outcome.name}.serve-{n}.log").write_text(output)


async def _run_all(names: list[str], settings: Settings, log: Path | None) -> list[Outcome]:
    outcomes = []
    for name in names:
        print(f"... {name}: {SCENARIOS[name].title}", flush=True)
        outcome = await run_scenario(name, settings)
        print(details(outcome), flush=True)
        if log is not None:
            write_log(log, outcome)
        outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    names = [name.strip() for name in arguments.scenarios.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        _parser().error(f"unknown scenario {', '.join(unknown)}; choose among {', '.join(SCENARIOS)}")
    settings = _settings(arguments)
    print(f"settings: {settings}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    outcomes = asyncio.run(_run_all(names, settings, arguments.log))
    print()
    print(HEADER)
    for outcome in outcomes:
        print(row(outcome))
    kept = all(outcome.kept for outcome in outcomes)
    print("every acknowledged edit kept once" if kept else "SOME ACKNOWLEDGED EDIT WAS LOST, DUPLICATED OR MISREPORTED (or a scenario failed to run)")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
