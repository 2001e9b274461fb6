"""What every HTTP endpoint shares: JSON responses, errors as `{code, message}`, parameters."""

import functools
from collections.abc import Awaitable, Callable

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from events.errors import DomainError
from events.protocol import MAX_MESSAGE_BYTES, ErrorBody
from server.keys import is_report_id
from server.service import ReportService
from server.wire import status_of

_encode = msgspec.json.Encoder().encode


class JSON(Response):
    media_type = "application/json"

    def __init__(self, content: object, status_code: int = 200) -> None:
        super().__init__(content if isinstance(content, bytes) else _encode(content), status_code)


def error_response(error: DomainError) -> JSON:
    return JSON(ErrorBody(code=error.code, message=error.message), status_of(error))


def report_id_of(request: Request | WebSocket) -> str:
    report_id = request.path_params["report_id"]
    if not is_report_id(report_id):
        raise DomainError("unknown_report", f"{report_id!r} is not a report id")
    return report_id


def int_param(request: Request | WebSocket, name: str, default: int | None = None) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise DomainError("invalid_query", f"?{name}= takes a whole number of at least 0, not {value!r}")
    return int(value)


async def read_body(request: Request, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """The request body, refused past `limit` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise DomainError("message_too_large", f"messages are limited to {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise DomainError("message_too_large", f"messages are limited to {limit} bytes")
    return bytes(body)


def service_of(request: Request | WebSocket) -> ReportService:
    return request.app.state.service


Endpoint = Callable[[Request], Awaitable[Response]]


def handles_domain_errors(endpoint: Endpoint) -> Endpoint:
    """A DomainError raised anywhere in the endpoint becomes its status and `{code, message}`."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as error:
            return error_response(error)

    return wrapper


