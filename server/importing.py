"""Importing a draft: parsed and decided in a worker process, within a budget, then appended.

Parsing a long draft and deciding its thousands of commands is seconds of pure Python: on the
event loop (or in a thread, which holds the GIL all the same) every other drafter would wait
as long. A worker process (server.workers) does both; the loop only decodes its answer and
appends it. Past the budget the worker is killed and the import refused with
`import_too_costly`: nothing is appended. HTTP and the command line (which calls HTTP) come
through `import_report`, the one way in.
"""

import asyncio
import re
import uuid

import msgspec

from events.access import Actor
from events.catalogue import EVENT_TYPES, Event, event_type
from events.commands import Command
from events.decide import decide_and_apply
from events.evolve import apply
from events.errors import DomainError
from events.importer import import_draft
from events.model import Language, Report
from server.service import CommandResult, Decided, ReportService
from server.snapshots import encode_snapshot, snapshot_due
from server.workers import OverBudget, Workers, budget_from_environment

# Seconds one import may take in its worker (parse and decide): a draft at the size limits
# takes a few. The variable exists for tests and for slow machines.
BUDGET_VARIABLE = "RAPPORTEUR_IMPORT_SECONDS"
DEFAULT_BUDGET_SECONDS = 30.0
# What the fork server imports once, so that each new worker starts ready.
PRELOAD = ["server.importing"]


class _Imported(msgspec.Struct, frozen=True):
    """What the worker sends back, in parts that the event loop decodes a slice at a time
    (decoding the answer for a 5 MiB draft in one call held the loop 25 to 65 ms): the
    commands (for the role check) in chunks, the events they decide on no report (each
    encoded apart, as events are not tagged), the report they make, and its snapshots,
    encoded (folding and encoding them on the loop held it 15 to 45 ms each, a dozen times)."""

    commands: list[msgspec.Raw]
    event_types: list[str]
    events: list[msgspec.Raw]
    report: msgspec.Raw
    snapshots: list[tuple[int, bytes]]


# Commands or events decoded between two yields to the event loop: a few milliseconds of work.
_SLICE = 500
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(_Imported).decode
_decode_commands = msgspec.msgpack.Decoder(list[Command]).decode
_decode_report = msgspec.msgpack.Decoder(Report).decode
_EVENT_DECODERS = {name: msgspec.msgpack.Decoder(cls) for name, cls in EVENT_TYPES.items()}


async def _decoded(imported: _Imported) -> tuple[list[Command], Decided]:
    """The worker's answer as the service takes it, decoded without holding the loop long."""
    commands: list[Command] = []
    for chunk in imported.commands:
        commands += _decode_commands(chunk)
        await asyncio.sleep(0)
    events: list[Event] = []
    for start in range(0, len(imported.events), _SLICE):
        parts = zip(imported.event_types[start : start + _SLICE], imported.events[start : start + _SLICE], strict=True)
        events += [_EVENT_DECODERS[name].decode(raw) for name, raw in parts]
        await asyncio.sleep(0)
    return commands, Decided(events, _decode_report(imported.report), tuple(imported.snapshots))


def budget_seconds() -> float:
    """The budget from the environment (RAPPORTEUR_IMPORT_SECONDS), or the default."""
    return budget_from_environment(BUDGET_VARIABLE, DEFAULT_BUDGET_SECONDS)


def _new_id() -> str:
    return str(uuid.uuid4())


def parse_and_decide(text: str, language: Language, report_id: str, actor_id: str, snapshot_every: int | None) -> bytes:
    """In the worker: the draft's commands and their events on a new report, encoded, with the
    snapshots the service stores every `snapshot_every` versions.

    The commands are held to the limits of the wire, as any command is (a paragraph of at most
    100,000 characters, a title of at most 2,000…): `invalid_text` names the first too long."""
    commands = import_draft(text, _new_id, language)
    try:
        msgspec.msgpack.decode(_encode(commands), type=list[Command])
    except msgspec.ValidationError as error:
        raise DomainError("invalid_text", f"the draft holds more than a report may: {_which(commands, error)}") from None
    events, report = decide_and_apply(None, report_id, commands, _new_id, actor_id)
    assert report is not None, "an import starts with CreateReport"
    return _encode(
        _Imported(
            commands=[msgspec.Raw(_encode(commands[at : at + _SLICE])) for at in range(0, len(commands), _SLICE)],
            event_types=[event_type(event) for event in events],
            events=[msgspec.Raw(_encode(event)) for event in events],
            report=msgspec.Raw(_encode(report)),
            snapshots=_snapshots(report_id, actor_id, events, snapshot_every),
        )
    )


def _snapshots(report_id: str, actor_id: str, events: list[Event], every: int | None) -> list[tuple[int, bytes]]:
    """The report at each version where the service stores a snapshot, folded and encoded here."""
    snapshots = []
    report = None
    for version, event in enumerate(events, start=1):
        report = apply(report, event, report_id, actor_id)
        if snapshot_due(every, version):
            snapshots.append((version, encode_snapshot(version, report)))
    return snapshots


def _which(commands: list[Command], error: msgspec.ValidationError) -> str:
    """« Expected `str` of length <= 100000 - at `$[3].text` » said of the draft's part."""
    found = re.search(r"^(.*) - at `\$\[(\d+)\]\.?(.*)`$", str(error))
    if found is None:
        return str(error)
    command = commands[int(found[2])]
    return f"{found[1]}, in {found[3] or 'the'} of {type(command).__name__} {_quoted(command)}"


def _quoted(command: Command) -> str:
    text = next((value for value in msgspec.structs.astuple(command) if isinstance(value, str) and len(value) > 40), "")
    return f"« {text[:60]}… »" if text else ""


async def import_report(
    service: ReportService, workers: Workers, report_id: str, text: str, language: Language, actor: Actor, seconds: float
) -> CommandResult:
    """The draft `text` as the new report `report_id`, appended in one go; DomainError
    `not_a_report`, `import_too_costly`, `too_many_events`… with nothing appended."""
    try:
        encoded = await workers.run_long(
            seconds, parse_and_decide, text, language, report_id, actor.id, service.snapshots.every
        )
    except OverBudget:
        raise DomainError(
            "import_too_costly",
            f"importing this draft took more than its budget of {seconds:g} s (other imports ahead of it included):"
            " try again later, or split it or simplify it",
        ) from None
    commands, decided = await _decoded(_decode(encoded))
    return await service.handle_all(report_id, f"import-{report_id}", commands, actor, expected_version=0, decided=decided)
