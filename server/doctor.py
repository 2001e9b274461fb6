"""`rapporteur doctor REPORT_ID`: the entries of a report's stream that cannot be read, and why.

Every reader of the log stops at a damaged entry with `corrupt_event` (the versions before it
stay readable); this finds all of them at once, for an operator to repair (deploy/README.md,
"A damaged report"). Each entry is checked as every reader checks it (`read_stored`: it
decodes, and claims its place), and for what only the raw entry shows: the append script
writes version V as the entry `V-0` with the one field `e`. The stream is read a page at a
time, and each page is checked off the event loop, so that examining a long history holds up
no drafter.
"""

import asyncio

from redis.exceptions import ResponseError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.access import check_admin
from events.envelope import read_stored
from events.errors import CorruptEvent, DomainError
from events.protocol import DamagedEntry, Diagnosis
from server.auth import user_of
from server.http import JSON, handles_domain_errors, report_id_of, service_of
from server.keys import events_key
from server.store import EventStore

DOCTOR_PAGE = 1_000
MAX_LISTED = 1_000

Entry = tuple[bytes, dict[bytes, bytes]]


def examine_entry(report_id: str, version: int, entry_id: bytes, fields: dict[bytes, bytes]) -> DamagedEntry | None:
    """What is wrong with the entry at place `version` of the report's stream, if anything."""

    def damaged(problem: str, newer: bool = False) -> DamagedEntry:
        return DamagedEntry(version=version, entry_id=entry_id.decode(errors="replace"), problem=problem, newer=newer)

    if entry_id != f"{version}-0".encode():
        return damaged(f"the entry id should be {version}-0: the stream has a gap, or an entry Rapporteur did not write")
    if list(fields) != [b"e"]:
        return damaged(f"the entry should hold the one field 'e', not {', '.join(repr(f.decode(errors='replace')) for f in fields)}")
    try:
        read_stored(fields[b"e"], report_id, version)
    except CorruptEvent as error:
        return damaged(error.problem, error.newer)
    return None


def _examine_page(report_id: str, first_version: int, page: list[Entry]) -> list[DamagedEntry]:
    found = (examine_entry(report_id, version, entry_id, fields) for version, (entry_id, fields) in enumerate(page, first_version))
    return [entry for entry in found if entry is not None]


async def diagnose(store: EventStore, report_id: str) -> Diagnosis:
    """Every damaged entry of the report's stream (the first MAX_LISTED), read in pages."""
    try:
        entries = await store.version(report_id)
    except ResponseError as error:  # WRONGTYPE: the key holds something else than a stream
        problem = f"the key {events_key(report_id)} is not a stream ({error}): none of the report's events can be read"
        return Diagnosis(
            report_id=report_id, entries=0, readable_up_to=0, damaged=[DamagedEntry(version=1, entry_id="", problem=problem)], more=False
        )
    if entries == 0:
        raise DomainError("unknown_report", "this report does not exist")
    damaged: list[DamagedEntry] = []
    more = False
    after_id, version = b"0-0", 1
    while page := await store.entries(report_id, after_id, DOCTOR_PAGE):
        found = await asyncio.to_thread(_examine_page, report_id, version, page)
        room = MAX_LISTED - len(damaged)
        more = more or len(found) > room
        damaged += found[:room]
        after_id, version = page[-1][0], version + len(page)
    readable_up_to = damaged[0].version - 1 if damaged else entries
    return Diagnosis(report_id=report_id, entries=entries, readable_up_to=readable_up_to, damaged=damaged, more=more)


@handles_domain_errors
async def doctor(request: Request) -> Response:
    check_admin(user_of(request).role, "examines a report's stream")
    return JSON(await diagnose(service_of(request).store, report_id_of(request)))


routes = [Route("/api/reports/{report_id}/doctor", doctor, methods=["GET"])]
