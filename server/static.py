"""The browser editor: `client/web` served as it is, plain ES modules with no build step.

`/` is the editor's page and `/web/...` its modules, styles and vendored libraries. Every
response carries a Content-Security-Policy that allows scripts from this origin only (no
inline script, no inline event handler, no `eval`), so text a drafter typed can never run as
code even if it reached the page as markup; `nosniff` keeps the browser to the media types
given here.
"""

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import client

WEB_DIR = Path(client.__file__).parent / "web"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        # 'self' covers the live WebSocket on the same host and port (ws: or wss:).
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Our own pages need their origin sent (a form posted under "no-referrer" says
    # `Origin: null`, and sign-in refuses that); no other site learns our addresses.
    "Referrer-Policy": "same-origin",
    # No build step means no hashed file names: the browser revalidates (ETag) on each load.
    "Cache-Control": "no-cache",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


def _media_type(path: str | os.PathLike[str]) -> str:
    return MEDIA_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


class _WebFiles(StaticFiles):
    """StaticFiles with media types that do not depend on the host's mimetypes tables."""

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if "content-type" in response.headers:
            response.headers["content-type"] = _media_type(full_path)
        return response


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response of the wrapped app, errors included:
    the whole application is wrapped, so no page or API answer goes out without them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (name.lower().encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()
                    if name.lower().encode() not in names
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def index(request: Request) -> Response:
    return FileResponse(WEB_DIR / "index.html", media_type=MEDIA_TYPES[".html"])


routes = [
    Route("/", index, methods=["GET", "HEAD"]),
    Mount("/web", app=_WebFiles(directory=WEB_DIR, check_dir=False), name="web"),
]
