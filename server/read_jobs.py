"""What the costly read endpoints compute in a worker process (server/workers.py).

Renderings, checks, blame and diff are pure Python over the whole report: seconds for a long
one, during which the event loop would serve nobody else. The endpoint loads the report (from
its snapshot and the few events after it), encodes it with msgpack (a few milliseconds for
10,000 paragraphs), and a worker decodes it, computes, and sends back the bytes of the answer.
Blame reads the log itself in the worker, from its newest checkpoint (server/blame_checkpoints.py)
a page at a time: its events never pass through the server's loop.
"""

import asyncio
from collections.abc import Callable

import msgspec
import redis.asyncio as aioredis

from events.checks import check
from events.history import BlameLog, diff
from events.model import Report
from events.render.docx import render_docx
from events.render.html import render_html
from events.render.markdown import render_markdown
from events.render.text import render_text
from server.blame_checkpoints import BlameCheckpoints
from server.outage import REDIS_TIMEOUT_SECONDS
from server.store import EventStore
from server.workers import budget_from_environment

# How long a costly read may take, waiting for a free worker included, before it is answered
# 503 `too_costly`; the variable sets another.
BUDGET_VARIABLE = "RAPPORTEUR_READ_BUDGET"
DEFAULT_BUDGET_SECONDS = 10.0

# Every module a job needs, imported once by the forkserver that starts the workers.
PRELOAD = ("server.read_jobs",)

RENDERERS: dict[str, Callable[[Report], str | bytes]] = {
    "txt": render_text,
    "md": render_markdown,
    "html": render_html,
    "docx": render_docx,
}

_encode_report = msgspec.msgpack.Encoder().encode
_decode_report = msgspec.msgpack.Decoder(Report).decode
_encode_json = msgspec.json.Encoder().encode


def budget_seconds() -> float:
    """The budget from the environment (RAPPORTEUR_READ_BUDGET), or the default."""
    return budget_from_environment(BUDGET_VARIABLE, DEFAULT_BUDGET_SECONDS)


def encode_report(report: Report) -> bytes:
    """The report as a job receives it: msgpack, cheaper to make and to send than a pickle."""
    return _encode_report(report)


def render(format_name: str, report: bytes) -> bytes:
    body = RENDERERS[format_name](_decode_report(report))
    return body.encode() if isinstance(body, str) else body


def checks(report: bytes) -> bytes:
    return _encode_json(check(_decode_report(report)))


def diff_of(before: bytes, after: bytes, from_version: int, to_version: int) -> bytes:
    return _encode_json(diff(_decode_report(before), _decode_report(after), from_version=from_version, to_version=to_version))


def blame(redis_url: str, report_id: str, report: bytes, version: int) -> bytes:
    """The blame of the report at `version`."""
    return _encode_json(asyncio.run(_blame_log(redis_url, report_id, version)).blame(_decode_report(report)))


async def _blame_log(redis_url: str, report_id: str, version: int) -> BlameLog:
    # Bounded as the server's own calls are: a stalled Redis is `redis_unavailable` within
    # REDIS_TIMEOUT_SECONDS (raised here, raised again by the server), not a spent read budget.
    redis = aioredis.Redis.from_url(
        redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )
    store = EventStore(redis)
    try:
        return await blame_log(store, BlameCheckpoints(redis), report_id, version)
    finally:
        await store.aclose()
        await redis.aclose()


async def blame_log(store: EventStore, checkpoints: BlameCheckpoints, report_id: str, version: int) -> BlameLog:
    """What blame needs of the log up to `version`: from the newest checkpoint at or below it,
    the events after it read a page at a time, a checkpoint stored at each multiple of N read."""
    log = await checkpoints.nearest(report_id, version)
    async for page in store.pages(report_id, after=log.version, upto=version):
        for event_version, raw in page:
            log.record_stored(raw, report_id, event_version)
            if checkpoints.due(event_version):
                await checkpoints.save(report_id, log)
    return log
