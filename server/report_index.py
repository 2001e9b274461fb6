"""The list of reports, read from a small summary per report instead of folding each one.

`GET /api/reports` (which the editor's home page asks for on each visit) used to fold every
report: 17 to 20 s with 1,100 of them. Each report now has a hash `report:{<id>}:summary`:
- `about`: what the listing shows of it besides its id (title, adopted, language), as JSON;
- `version`: the version `about` is known to be true at.

The append script keeps it (server/store.py), in the same atomic step as the events: it writes
`about` when the service says the events change it (ReportDescription differs before and
after), and moves `version` on with every append. A report without a summary (written before
this existed), or one whose `version` is behind its stream (appended to by a server that did not
keep it), is folded once, its summary written back with `repair`: only if no append wrote a
newer one meanwhile.

Reading: the ids a page of PAGE at a time, then one pipelined round trip for the page's
summaries and stream lengths.
"""

import logging
from collections.abc import Awaitable, Callable

import msgspec
import redis.asyncio as aioredis

from events.model import Language, Report
from server.keys import REPORT_INDEX, events_key, summary_key

log = logging.getLogger(__name__)

PAGE = 500


class ReportDescription(msgspec.Struct, frozen=True):
    """What the listing shows of a report; a change of it is written with the append."""

    title: str
    adopted: bool
    language: Language


def describe(report: Report | None) -> ReportDescription | None:
    if report is None:
        return None
    return ReportDescription(title=report.title, adopted=report.adopted, language=report.details.language)


encode_description = msgspec.json.Encoder().encode
_decode_description = msgspec.json.Decoder(ReportDescription).decode

# KEYS: the summary hash. ARGV: the description's JSON, the version it is true at. Written
# unless an append already wrote one at that version or later.
_REPAIR = """
local known = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if redis.call('HEXISTS', KEYS[1], 'about') == 1 and known >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'about', ARGV[1], 'version', ARGV[2])
return 1
"""

# id, version, description; and for a report with an event that cannot be read, its version
# (the report being described as it was before it).
Listed = tuple[str, int, ReportDescription, int | None]
# The report at its latest version, folded (from its snapshots), for those without a fresh
# summary; with the version of an event that stopped the fold, if one did.
Fold = Callable[[str], Awaitable[tuple[int, Report | None, int | None]]]


# What is listed of a report none of whose events can be read: an untitled report, as the
# service lists one whose first event cannot be read.
_UNREADABLE = ReportDescription(title="", adopted=False, language=Report(id="", title="").details.language)


def _fresh(summary: list[bytes | None] | Exception, length: int) -> ReportDescription | None:
    """The description a summary holds, if it is true at the stream's `length` and readable."""
    if isinstance(summary, Exception):
        return None
    about, version = summary
    if about is None or version is None:
        return None
    try:
        return _decode_description(about) if int(version) >= length else None
    except ValueError:  # msgspec's errors are ValueErrors: not what an append wrote
        return None


class ReportIndex:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._repair = redis.register_script(_REPAIR)

    async def reports(self, fold: Fold) -> list[Listed]:
        """Every report (id, version, description), oldest first: a round trip per PAGE for
        their ids and one for their summaries; a fold only for a report without a fresh one."""
        listed: list[Listed] = []
        start = 0
        while ids := [member.decode() for member in await self.redis.zrange(REPORT_INDEX, start, start + PAGE - 1)]:
            async with self.redis.pipeline(transaction=False) as pipe:
                for report_id in ids:
                    pipe.hmget(summary_key(report_id), "about", "version")
                    pipe.xlen(events_key(report_id))
                # A key Rapporteur did not write (WRONGTYPE) fails its own reply, not the page.
                replies = await pipe.execute(raise_on_error=False)
            for report_id, summary, length in zip(ids, replies[0::2], replies[1::2], strict=True):
                if isinstance(length, Exception):
                    log.error("report %s: its events cannot be read (%s): listed as damaged from its first event", report_id, length)
                    listed.append((report_id, 0, _UNREADABLE, 1))
                elif (description := _fresh(summary, length)) is not None:
                    listed.append((report_id, length, description, None))
                elif length:
                    repaired = await self._repaired(report_id, fold, repair=not isinstance(summary, Exception))
                    if repaired is not None:
                        listed.append(repaired)
            start += PAGE
        return listed

    async def _repaired(self, report_id: str, fold: Fold, repair: bool) -> Listed | None:
        version, report, damaged_at = await fold(report_id)
        description = describe(report)
        if description is None:
            return None
        if repair and damaged_at is None:  # else not the report now: folded again at each listing, until repaired
            await self._repair(keys=[summary_key(report_id)], args=[encode_description(description), version])
        return report_id, version, description, damaged_at
