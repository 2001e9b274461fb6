"""Who changed what, and when: blame, diff and filtered history of a report.

Each endpoint is one call into events.history around the same service the commands use:
`service.report(report_id, at=V)` for the report at a version, `service.store` for its events.
"""


import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.catalogue import EVENT_TYPES
from events.envelope import read_stored
from events.errors import DomainError
from events.history import HistoryFilter, in_chapter, matches
from events.model import Report
from events.protocol import HistoryEntry, HistoryPage
from events.summary import summarize
from server import read_jobs
from server.auth import accounts_of
from server.http import (
    JSON,
    handles_domain_errors,
    in_worker,
    int_param,
    report_id_of,
    service_of,
    time_param,
)

DEFAULT_HISTORY_PAGE = 100
MAX_HISTORY_PAGE = 1_000
# Events read from the store at a time while looking for those that match (a few ms of the
# event loop to decode), and at most per request: a filter that matches nothing in a long
# history is answered with `next_after` every SCAN_LIMIT events, never after a scan of it all.
SCAN_PAGE = 1_000
SCAN_LIMIT = 20_000


@handles_domain_errors
async def get_blame(request: Request) -> Response:
    report_id = report_id_of(request)
    service = service_of(request)
    version, report = await service.report(report_id, at=int_param(request, "at"))
    redis_url = request.app.state.redis_url
    return JSON(await in_worker(request, read_jobs.blame, redis_url, report_id, read_jobs.encode_report(report), version))


@handles_domain_errors
async def get_diff(request: Request) -> Response:
    """`?from=V1&to=V2`: from the report at V1 to the report at V2 (now, without `to`)."""
    report_id = report_id_of(request)
    service = service_of(request)
    first, last = int_param(request, "from"), int_param(request, "to")
    if first is None:
        raise DomainError("invalid_query", "?from= names the version to compare from")
    if last is not None and first > last:
        raise DomainError("invalid_query", f"?from={first} is after ?to={last}")
    last, after = await service.report(report_id, at=last)
    if first > last:
        raise DomainError("invalid_query", f"?from={first} is after the report's version {last}")
    # Version 0 is the report before its first event: nothing in it yet.
    _, before = await service.report(report_id, at=first) if first else (0, Report(id=report_id, title=""))
    encoded = read_jobs.encode_report(before), read_jobs.encode_report(after)
    return JSON(await in_worker(request, read_jobs.diff_of, *encoded, first, last))


def _types_param(request: Request) -> frozenset[str]:
    """`?type=A&type=B` or `?type=A,B`: event type names."""
    types = frozenset(name.strip() for value in request.query_params.getlist("type") for name in value.split(",") if name.strip())
    unknown = sorted(types - EVENT_TYPES.keys())
    if unknown:
        raise DomainError("invalid_query", f"?type= takes event types such as ParagraphTextEdited; unknown: {', '.join(unknown)}")
    return types


def _limit(request: Request) -> int:
    limit = int_param(request, "limit", DEFAULT_HISTORY_PAGE)
    if not limit:
        raise DomainError("invalid_query", "?limit= is at least 1")
    return min(limit, MAX_HISTORY_PAGE)


async def _actors(request: Request, asked: str | None) -> frozenset[str]:
    """`?actor=`: a user's id, or their current display name (any case), which stands for
    every user of that name; a name from before accounts matches itself."""
    if asked is None:
        return frozenset()
    wanted = asked.strip().casefold()
    named = {user_id for user_id, name in (await accounts_of(request).names()).items() if name.casefold() == wanted}
    return frozenset({asked, *named})


@handles_domain_errors
async def get_history(request: Request) -> Response:
    """The events after `?after=` that pass the filters, oldest first, at most `?limit=`.

    The log is read in pages of SCAN_PAGE events from `after` until `limit` events matched,
    SCAN_LIMIT events were read, or the log (as it was when the request came) ends. `next_after`
    is where to continue: the version of the last event read, or None once nothing is left.
    """
    report_id = report_id_of(request)
    service = service_of(request)
    version, report = await service.report(report_id)
    query = request.query_params
    chapter_id = query.get("chapter")
    filters = HistoryFilter(
        actors=await _actors(request, query.get("actor")),
        types=_types_param(request),
        paragraph_id=query.get("paragraph"),
        chapter_id=chapter_id,
        chapter_members=in_chapter(report, chapter_id) if chapter_id else frozenset(),
        since=time_param(request, "since"),
        until=time_param(request, "until"),
    )
    after, limit = int_param(request, "after", 0) or 0, _limit(request)
    language = report.details.language
    found: list[HistoryEntry] = []
    scan_end = min(version, after + SCAN_LIMIT)
    while after < scan_end and len(found) < limit:
        page = await service.store.read_raw(report_id, after=after, upto=scan_end, limit=SCAN_PAGE)
        if not page:
            break
        for stored_version, raw in page:
            after = stored_version
            event = read_stored(raw, report_id, stored_version)
            if matches(event, filters):
                found.append(HistoryEntry(event=msgspec.Raw(raw), summary=summarize(event, language)))
                if len(found) == limit:
                    break
    return JSON(HistoryPage(events=found, next_after=after if after < version else None))


routes = [
    Route("/api/reports/{report_id}/blame", get_blame, methods=["GET"]),
    Route("/api/reports/{report_id}/diff", get_diff, methods=["GET"]),
    Route("/api/reports/{report_id}/history", get_history, methods=["GET"]),
]
