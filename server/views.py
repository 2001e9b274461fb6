"""The report's documents and findings: renderings, placeholders, checks, and the import.

Each endpoint is one call into the pure domain (events.render, events.placeholders,
events.checks, and events.importer in a worker process) around the same service the commands use.
"""

import base64
import hashlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.access import refusal
from events.errors import DomainError
from events.placeholders import numbered_placeholders
from events.protocol import PlaceholderView
from events.render.html import STYLE
from server import importing, read_jobs
from server.auth import actor_of, user_of
from server.http import JSON, asked_report, handles_domain_errors, in_worker, read_body, service_of
from server.quotas import quotas_of

MAX_DRAFT_BYTES = 5 * 1024 * 1024
# Ten times a long report: beyond, parsing and deciding would take seconds of CPU.
MAX_DRAFT_LINES = 20_000
LANGUAGES = ("fr", "en")

# format (rendered by read_jobs.RENDERERS) -> (media type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "txt": ("text/plain; charset=utf-8", "txt"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


# The HTML export carries its own stylesheet inline: allowed by its hash, and nothing else
# (no script at all), whatever a paragraph holds.
_EXPORT_STYLE = base64.b64encode(hashlib.sha256(f"\n{STYLE}".encode()).digest()).decode()
EXPORT_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_EXPORT_STYLE}'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@handles_domain_errors
async def render(request: Request) -> Response:
    name = request.query_params.get("format", "txt")
    if name not in FORMATS:
        raise DomainError("invalid_query", f"?format= is one of {', '.join(FORMATS)}, not {name!r}")
    media_type, extension = FORMATS[name]
    version, report = await asked_report(request)
    body = await in_worker(request, read_jobs.render, name, read_jobs.encode_report(report))
    filename = f"report-{report.id[:8]}-v{version}.{extension}"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    if name == "html":
        headers["Content-Security-Policy"] = EXPORT_POLICY
    return Response(body, media_type=media_type, headers=headers)


@handles_domain_errors
async def placeholders(request: Request) -> Response:
    _, report = await asked_report(request)
    return JSON(
        [
            PlaceholderView(id=p.id, paragraph=number, text=p.text, context=p.context)
            for number, p in numbered_placeholders(report)
        ]
    )


@handles_domain_errors
async def checks(request: Request) -> Response:
    _, report = await asked_report(request)
    return JSON(await in_worker(request, read_jobs.checks, read_jobs.encode_report(report)))


@handles_domain_errors
async def import_report(request: Request) -> Response:
    """A draft in the seed's form, as text/plain, becomes one new report in one append."""
    service = service_of(request)
    report_id = service.new_id()
    actor = await actor_of(request, report_id)
    refused = refusal(actor.role, ["CreateReport"])  # before parsing 5 MB for nothing
    if refused is not None:
        raise refused
    language = request.query_params.get("language", "fr")
    if language not in LANGUAGES:
        raise DomainError("invalid_query", f"?language= is one of {', '.join(LANGUAGES)}, not {language!r}")
    async with quotas_of(request).new_report(user_of(request), report_id):  # before reading 5 MB for nothing
        try:
            text = (await read_body(request, MAX_DRAFT_BYTES)).decode("utf-8")
        except UnicodeDecodeError as error:
            raise DomainError("invalid_encoding", f"send the draft as UTF-8 text: {error}") from None
        if text.count("\n") > MAX_DRAFT_LINES:
            raise DomainError("message_too_large", f"a draft has at most {MAX_DRAFT_LINES} lines")
        state = request.app.state
        result = await importing.import_report(service, state.workers, report_id, text, language, actor, state.import_seconds)
    return JSON({"id": report_id, "version": result.version}, 201)


routes = [
    Route("/api/reports/import", import_report, methods=["POST"]),
    Route("/api/reports/{report_id}/render", render, methods=["GET"]),
    Route("/api/reports/{report_id}/placeholders", placeholders, methods=["GET"]),
    Route("/api/reports/{report_id}/checks", checks, methods=["GET"]),
]
