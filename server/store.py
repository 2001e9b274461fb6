"""The event store: one Redis stream per report, appended to by one Lua script.

Guarantees, all enforced inside Redis by the atomic scripts:
- versions are 1, 2, 3… with no gap; the stream entry id of version V is `V-0`;
- an append states the version it was decided on, and fails if anything came first;
- a command id is applied at most once: a retry gets the original versions back;
- a new report's many events (an import) are staged in pages and appear together, or not at all.
Streams are never trimmed: the log is the report.
"""

import hashlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

from events.envelope import StoredEvent, encode_event, read_stored
from events.errors import CorruptEvent
from server.keys import REPORT_INDEX, commands_key, events_key, staging_key, summary_key
from server.pipelined import PipelinedConnection

# KEYS: events stream, command ids hash, summary hash (server/report_index.py). ARGV: expected
# version, the report's new description for the listing (or '' if unchanged), then for each
# command: its id, its number of events n, its n events' JSON. All commands or none: if any was
# applied already, nothing is written and their ranges come back; if the stream moved, nothing
# either. The summary moves on with the events: its version is always the stream's length
# (once it exists: a report from before summaries gets one from the listing). It is a cache: a
# summary key Redis refuses to write (not a hash) is passed over (pcall), the events being
# written already, and the listing folds that report instead.
# The listing's summary after an append of events up to `version`; ARGV[2]: the description.
_SUMMARY = """
if ARGV[2] ~= '' then
  redis.pcall('HSET', KEYS[3], 'about', ARGV[2], 'version', version)
elseif redis.call('EXISTS', KEYS[3]) == 1 then
  redis.pcall('HSET', KEYS[3], 'version', version)
end
"""

_APPEND = """
local expected = tonumber(ARGV[1])
local applied = {}
local i = 3
while i <= #ARGV do
  local range = redis.call('HGET', KEYS[2], ARGV[i])
  if range then
    applied[#applied + 1] = ARGV[i]
    applied[#applied + 1] = range
  end
  i = i + 2 + tonumber(ARGV[i + 1])
end
if #applied > 0 then return {'duplicate', applied} end
local current = redis.call('XLEN', KEYS[1])
if current ~= expected then return {'conflict', tostring(current)} end
local version = expected
i = 3
while i <= #ARGV do
  local first = version + 1
  for k = 1, tonumber(ARGV[i + 1]) do
    version = version + 1
    redis.call('XADD', KEYS[1], string.format('%d-0', version), 'e', ARGV[i + 1 + k])
  end
  redis.call('HSET', KEYS[2], ARGV[i], string.format('%d:%d', first, version))
  i = i + 2 + tonumber(ARGV[i + 1])
end
""" + _SUMMARY + """
return {'ok', tostring(version)}
"""

# KEYS: a staging stream of the report (a key of its own, with its hash tag). ARGV: the version
# of the page's first event, then the page's events' JSON. Writes them as entries `V-0`, and
# skips those already there (a page sent again after a lost connection); refuses a page that
# would leave a gap (-1: the staging stream expired or was lost). The staging stream expires an
# hour after its last page: an import given up halfway leaves nothing behind for long.
_STAGE = """
local first = tonumber(ARGV[1])
local staged = redis.call('XLEN', KEYS[1])
if staged < first - 1 then return -1 end
for k = 2, #ARGV do
  local version = first + k - 2
  if version > staged then
    redis.call('XADD', KEYS[1], string.format('%d-0', version), 'e', ARGV[k])
  end
end
redis.call('EXPIRE', KEYS[1], 3600)
return redis.call('XLEN', KEYS[1])
"""

# KEYS: as _APPEND's, then the staging stream. ARGV: the command's id, its number of events n,
# the report's description. The commit of a staged append: the same checks as _APPEND's (the
# command id not applied, the report still without events), then the staging stream becomes the
# report's stream in one step (RENAME: O(1), however many events). ['unstaged', k]: only k of
# the n events are staged (it expired meanwhile), nothing is done.
_COMMIT_STAGED = """
local range = redis.call('HGET', KEYS[2], ARGV[1])
if range then
  redis.call('DEL', KEYS[4])
  return {'duplicate', {ARGV[1], range}}
end
local current = redis.call('XLEN', KEYS[1])
if current ~= 0 then
  redis.call('DEL', KEYS[4])
  return {'conflict', tostring(current)}
end
local version = tonumber(ARGV[2])
local staged = redis.call('XLEN', KEYS[4])
if staged ~= version then return {'unstaged', tostring(staged)} end
redis.call('RENAME', KEYS[4], KEYS[1])
redis.call('PERSIST', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], string.format('1:%d', version))
""" + _SUMMARY.replace("ARGV[2]", "ARGV[3]") + """
return {'ok', tostring(version)}
"""


# KEYS: events stream. ARGV: first entry id, last entry id (or '+'), most entries (always a
# number: a script runs alone in Redis, so an unbounded one on a long stream would stall every
# client of the server). Only each event's JSON comes back, without its entry id and field name:
# a fifth of the reply elements to parse, which is most of what reading a long history costs.
# An entry that is not the one field `e` (not written by the append script) comes back empty:
# damaged.
_READ = """
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2], 'COUNT', ARGV[3])
local events = {}
for i, entry in ipairs(entries) do
  local fields = entry[2]
  if #fields == 2 and fields[1] == 'e' then events[i] = fields[2] else events[i] = '' end
end
return events
"""


RawEvent = tuple[int, bytes]

# Events per read script call: about a millisecond of Redis's time (and a few hundred KB of
# reply) however long the stream, so a million-event history never blocks the other clients.
READ_PAGE = 1_000


@dataclass(frozen=True)
class Appended:
    """The versions `first..last` now hold the command's events; `duplicate` if a retry.
    `stored`: the events just written, as stored (version, JSON), for live delivery."""

    first: int
    last: int
    duplicate: bool = False
    stored: tuple[RawEvent, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Conflict:
    current: int


@dataclass(frozen=True)
class Duplicates:
    """Some of the commands were applied before: nothing was written; their versions."""

    applied: dict[str, Appended]


class _Stamp(msgspec.Struct):
    """Only the time of a stored event: decoding skips the rest."""

    at: datetime


_decode_stamp = msgspec.json.Decoder(_Stamp).decode


class _Script:
    """A Lua script run by its digest on the appends' pipelined connection."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()


_APPEND_SCRIPT = _Script(_APPEND)
_STAGE_SCRIPT = _Script(_STAGE)
_COMMIT_STAGED_SCRIPT = _Script(_COMMIT_STAGED)
# A new report's events (an import) past this many are staged a page at a time, then committed
# in one step: one script call writing 6,000 events (5 MiB) held Redis, and every client of
# every report with it, about 65 ms; a page holds it a few.
STAGE_PAGE = 500


class EventStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        """Appends go through a pipelined connection of their own (server/pipelined.py), made
        like `redis`'s; everything else through `redis`. `aclose()` closes the former."""
        self.redis = redis
        self._appends = PipelinedConnection(redis.connection_pool)
        self._read = redis.register_script(_READ)

    async def aclose(self) -> None:
        await self._appends.aclose()

    async def _run(self, script: _Script, keys: list[str], args: list[object]) -> Any:
        """A script, by its digest; loaded first if this Redis does not know it yet (a fresh
        or restarted server). Sent once more if the connection was lost on the way: each
        script is safe to run twice (the append applies a command id once, so a second copy
        can only say `duplicate`; a staged page skips what is already staged)."""
        lost = loaded = 0
        while True:
            try:
                return await self._appends.call("EVALSHA", script.sha, len(keys), *keys, *args)
            except NoScriptError:
                loaded += 1
                if loaded > 1:
                    raise  # loaded, and still unknown: not a Redis that keeps scripts
                await self._appends.call("SCRIPT", "LOAD", script.source)
            except RedisConnectionError:
                lost += 1
                if lost > 1:
                    raise

    async def append(
        self, report_id: str, command_id: str, expected_version: int, events: list[StoredEvent], description: bytes = b""
    ) -> Appended | Conflict:
        """Append a command's events atomically, or report why not (a retry of a command
        already applied gets its original versions, `duplicate`)."""
        outcome = await self.append_commands(report_id, expected_version, [(command_id, events)], description)
        if isinstance(outcome, Duplicates):
            return outcome.applied[command_id]
        return outcome

    async def append_commands(
        self,
        report_id: str,
        expected_version: int,
        commands: list[tuple[str, list[StoredEvent]]],
        description: bytes = b"",
    ) -> "Appended | Conflict | Duplicates":
        """Append the events of several commands, in order, in one atomic script call: one
        round trip and one fsync for all the edits that arrived together. A new report's
        thousands of events (an import) are staged a page at a time and committed in one step
        instead (`_append_staged`), just as atomic for every reader.

        The events must already carry versions expected_version + 1, + 2… across the
        commands; the script checks that the stream is still at expected_version, and that
        none of the command ids was applied, before writing any of them. `description`: the
        report's description for the listing after these events (server/report_index.py),
        when they change it; written with them.
        """
        keys = [events_key(report_id), commands_key(report_id), summary_key(report_id)]
        if expected_version == 0 and len(commands) == 1 and len(commands[0][1]) > STAGE_PAGE:
            outcome, detail, stored = await self._append_staged(report_id, keys, *commands[0], description)
        else:
            args: list[object] = [expected_version, description]
            stored = []
            version = expected_version
            for command_id, events in commands:
                args += [command_id, len(events)]
                for event in events:
                    version += 1
                    if event.version != version:
                        raise ValueError("events must be numbered right after expected_version")
                    stored.append((version, encode_event(event)))
                    args.append(stored[-1][1])
            outcome, detail = await self._run(_APPEND_SCRIPT, keys, args)
        if outcome == b"conflict":
            return Conflict(current=int(detail))
        if expected_version == 0:
            # Outside the script (the index is in another cluster slot), and on retries too,
            # so that a crash between the two is repaired by the client's retry.
            await self.redis.zadd(REPORT_INDEX, {report_id: commands[0][1][0].at.timestamp()}, nx=True)
        if outcome == b"duplicate":
            return Duplicates(
                applied={
                    detail[k].decode(): Appended(*(int(part) for part in detail[k + 1].split(b":")), duplicate=True)
                    for k in range(0, len(detail), 2)
                }
            )
        return Appended(first=expected_version + 1, last=int(detail), stored=tuple(stored))

    async def _append_staged(
        self, report_id: str, keys: list[str], command_id: str, events: list[StoredEvent], description: bytes
    ) -> tuple[bytes, Any, list[RawEvent]]:
        """A new report's many events: staged a page at a time in a stream of their own, each
        page encoded just before it is sent, then made the report's stream in one step. Until
        then nobody sees any of them; a staging stream given up is dropped an hour later."""
        if any(event.version != version for version, event in enumerate(events, start=1)):
            raise ValueError("events must be numbered right after expected_version")
        staging = staging_key(report_id, secrets.token_hex(8))
        stored: list[RawEvent] = []
        for first in range(0, len(events), STAGE_PAGE):
            page = [(event.version, encode_event(event)) for event in events[first : first + STAGE_PAGE]]
            if await self._run(_STAGE_SCRIPT, [staging], [first + 1, *(raw for _, raw in page)]) == -1:
                raise RedisConnectionError(f"the staged events of report {report_id} were lost before their commit")
            stored += page
        outcome, detail = await self._run(_COMMIT_STAGED_SCRIPT, [*keys, staging], [command_id, len(events), description])
        if outcome == b"unstaged":
            raise RedisConnectionError(f"only {int(detail)} of the {len(events)} staged events of report {report_id} were left")
        return outcome, detail, stored

    async def applied(self, report_id: str, command_id: str) -> Appended | None:
        """The versions a command already produced, if it was applied."""
        detail = await self.redis.hget(commands_key(report_id), command_id)
        if detail is None:
            return None
        first, last = (int(part) for part in detail.split(b":"))
        return Appended(first=first, last=last, duplicate=True)

    async def version(self, report_id: str) -> int:
        return await self.redis.xlen(events_key(report_id))

    async def read_raw(self, report_id: str, after: int = 0, upto: int | None = None, limit: int | None = None) -> list[RawEvent]:
        """Events after version `after` (up to `upto`, at most `limit`), as stored JSON, oldest
        first, read READ_PAGE at a time (see `pages`).

        Versions have no gap, so the n-th event read is version `after + n`.
        """
        events: list[RawEvent] = []
        async for page in self.pages(report_id, after, upto, limit):
            events += page
        return events

    async def pages(
        self, report_id: str, after: int = 0, upto: int | None = None, limit: int | None = None
    ) -> AsyncIterator[list[RawEvent]]:
        """The events `read_raw` returns, one page of at most READ_PAGE after the other: one
        bounded script call each, so that Redis serves others between them, and a caller that
        folds them as they come holds one page at a time. CorruptEvent if the report's key is
        no stream (not written by Rapporteur)."""
        left = limit
        key = events_key(report_id)
        last = "+" if upto is None else f"{upto}-0"
        while left is None or left > 0:
            count = READ_PAGE if left is None else min(READ_PAGE, left)
            try:
                page = await self._read(keys=[key], args=[f"{after + 1}-0", last, count])
            except ResponseError as error:
                if not str(error).startswith("WRONGTYPE"):
                    raise
                # Damaged data, as an unreadable entry is: that report's problem alone, said so.
                raise CorruptEvent(report_id, after + 1, f"the key {key} is not a stream") from None
            if page:
                yield list(enumerate(page, start=after + 1))
            if len(page) < count:
                return
            after += len(page)
            if left is not None:
                left -= len(page)

    async def read(self, report_id: str, after: int = 0, upto: int | None = None, limit: int | None = None) -> list[StoredEvent]:
        """Decoded, at their types' current schemas; CorruptEvent at the first that cannot be."""
        return [read_stored(raw, report_id, version) for version, raw in await self.read_raw(report_id, after, upto, limit)]

    async def read_checked(self, report_id: str, after: int = 0, upto: int | None = None, limit: int | None = None) -> list[RawEvent]:
        """`read_raw`, each event checked to be readable (CorruptEvent otherwise): for what
        forwards stored bytes to clients, which would choke on a damaged entry."""
        events = await self.read_raw(report_id, after, upto, limit)
        for version, raw in events:
            read_stored(raw, report_id, version)
        return events

    async def entries(self, report_id: str, after_id: bytes, count: int) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """At most `count` entries of the stream after the entry id `after_id` (b"0-0": from
        the first), as Redis holds them, ids and field names included: what `rapporteur
        doctor` examines, whatever ids a damaged stream holds."""
        return await self.redis.xrange(events_key(report_id), min=b"(" + after_id, max="+", count=count)

    async def time_of(self, report_id: str, version: int) -> datetime | None:
        """When version `version` was appended (its event's `at`, in UTC), if it exists."""
        entries = await self.redis.xrange(events_key(report_id), min=f"{version}-0", max=f"{version}-0")
        if not entries:
            return None
        try:
            at = _decode_stamp(entries[0][1][b"e"]).at
        except (KeyError, ValueError) as error:  # msgspec's errors are ValueErrors
            raise CorruptEvent(report_id, version, f"no time can be read from it: {error!r}") from None
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)

    async def version_at_time(self, report_id: str, when: datetime, latest: int | None = None) -> int:
        """The last version appended at or before `when` (0 if none), of the `latest` there are.

        A binary search over the versions, one single-entry XRANGE per step: about log2(latest)
        round trips. Events are stamped by the servers' clocks in the order they are appended,
        so their times rise with their versions (a clock set back makes the answer one of the
        versions around that time).
        """
        low, high = 0, await self.version(report_id) if latest is None else latest
        while low < high:
            middle = (low + high + 1) // 2
            at = await self.time_of(report_id, middle)
            if at is not None and at <= when:
                low = middle
            else:
                high = middle - 1
        return low

    async def report_ids(self) -> list[str]:
        """Every report, oldest first."""
        return [member.decode() for member in await self.redis.zrange(REPORT_INDEX, 0, -1)]
