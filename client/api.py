"""A small synchronous client of the HTTP API, for the CLI and for scripts.

Standard library only (urllib): the CLI needs no event loop for one request. Errors from
the server arrive as `ApiError` with the server's stable code.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from events.envelope import StoredEvent, decode_event
from events.history import Blame, Diff
from events.model import Report
from events.protocol import Diagnosis, HistoryPage, ReportView

_report_view = msgspec.json.Decoder(ReportView)
_blame = msgspec.json.Decoder(Blame)
_diff = msgspec.json.Decoder(Diff)
_history_page = msgspec.json.Decoder(HistoryPage)
_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
_diagnosis = msgspec.json.Decoder(Diagnosis)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.status = status
        self.code = code
        self.message = message


class Api:
    """The service at `base_url`, as the user whose API `token` this is (None: signed out,
    enough only for `sign_in`)."""

    def __init__(self, base_url: str, token: str | None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._names: dict[str, str] | None = None

    @classmethod
    def sign_in(cls, invite_url: str, timeout: float = 30.0) -> tuple["Api", dict[str, Any]]:
        """Use a one-time invite link (`…/signin?invite=…`) for an API token: an Api signed
        in as its user, and the user."""
        parts = urllib.parse.urlsplit(invite_url)
        invite = urllib.parse.parse_qs(parts.query).get("invite", [""])[0]
        if not parts.scheme or not parts.netloc or not invite:
            raise ApiError(0, "invalid_invite", f"not an invite link: {invite_url!r} (it looks like http://host/signin?invite=…)")
        api = cls(f"{parts.scheme}://{parts.netloc}", None, timeout)
        signed_in = json.loads(api._request("POST", "/api/signin", {"invite": invite}))
        api.token = signed_in["token"]
        return api, signed_in["user"]

    def _request(
        self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None, content_type: str = "application/json"
    ) -> bytes:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else body if isinstance(body, bytes) else msgspec.json.encode(body)
        request = urllib.request.Request(url, data=data, method=method)
        if self.token is not None:
            request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                detail = json.loads(payload)
                raise ApiError(error.code, detail["code"], detail["message"]) from None
            except (ValueError, KeyError, TypeError):
                raise ApiError(error.code, "http_error", payload.decode(errors="replace")) from None

    def create_report(self, title: str, report_id: str | None = None) -> str:
        body = {"title": title, "report_id": report_id, "command_id": str(uuid.uuid4())}
        return json.loads(self._request("POST", "/api/reports", {k: v for k, v in body.items() if v}))["id"]

    def reports(self) -> list[dict[str, Any]]:
        return json.loads(self._request("GET", "/api/reports"))

    def report(self, report_id: str, at: int | None = None) -> tuple[int, Report]:
        view = _report_view.decode(self._request("GET", f"/api/reports/{report_id}", query={"at": at}))
        return view.version, view.report

    def doctor(self, report_id: str) -> Diagnosis:
        """Administrators: the entries of the report's stream that cannot be read."""
        return _diagnosis.decode(self._request("GET", f"/api/reports/{report_id}/doctor"))

    def text(self, report_id: str, at: int | None = None) -> str:
        return self._request("GET", f"/api/reports/{report_id}/text", query={"at": at}).decode()

    def events(self, report_id: str, after: int = 0, limit: int | None = None) -> list[StoredEvent]:
        raw = self._request("GET", f"/api/reports/{report_id}/events", query={"after": after, "limit": limit})
        return [decode_event(item) for item in _raw_list.decode(raw)]

    def blame(self, report_id: str, at: int | None = None) -> Blame:
        return _blame.decode(self._request("GET", f"/api/reports/{report_id}/blame", query={"at": at}))

    def diff(self, report_id: str, from_version: int, to_version: int | None = None) -> Diff:
        return _diff.decode(self._request("GET", f"/api/reports/{report_id}/diff", query={"from": from_version, "to": to_version}))

    def history(
        self,
        report_id: str,
        *,
        actor: str | None = None,
        types: Iterable[str] = (),
        paragraph: str | None = None,
        chapter: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> tuple[list[tuple[StoredEvent, str]], int | None]:
        """One page of the events that pass the filters, each with its summary in the report's
        language, and the version to ask `after` for the next page (None: no more)."""
        query = {
            "actor": actor,
            "type": ",".join(types) or None,
            "paragraph": paragraph,
            "chapter": chapter,
            "since": since.isoformat() if isinstance(since, datetime) else since,
            "until": until.isoformat() if isinstance(until, datetime) else until,
            "after": after,
            "limit": limit,
        }
        page = _history_page.decode(self._request("GET", f"/api/reports/{report_id}/history", query=query))
        return [(decode_event(entry.event), entry.summary) for entry in page.events], page.next_after

    def import_draft(self, text: str, language: str = "fr") -> str:
        raw = self._request("POST", "/api/reports/import", text.encode(), query={"language": language}, content_type="text/plain; charset=utf-8")
        return json.loads(raw)["id"]

    def render(self, report_id: str, fmt: str = "txt", at: int | None = None) -> bytes:
        return self._request("GET", f"/api/reports/{report_id}/render", query={"format": fmt, "at": at})

    def placeholders(self, report_id: str) -> list[dict[str, Any]]:
        return json.loads(self._request("GET", f"/api/reports/{report_id}/placeholders"))

    def checks(self, report_id: str) -> list[dict[str, Any]]:
        return json.loads(self._request("GET", f"/api/reports/{report_id}/checks"))

    def submit(self, report_id: str, command: dict[str, Any], *, command_id: str | None = None, expected_version: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"command_id": command_id or str(uuid.uuid4()), "command": command}
        if expected_version is not None:
            body["expected_version"] = expected_version
        return json.loads(self._request("POST", f"/api/reports/{report_id}/commands", body))

    # Who is who

    def me(self, report_id: str | None = None) -> dict[str, Any]:
        return json.loads(self._request("GET", "/api/me", query={"report": report_id}))

    def names(self) -> dict[str, str]:
        """Every user's display name by id (fetched once): how to show an event's actor."""
        if self._names is None:
            self._names = json.loads(self._request("GET", "/api/people"))
        return self._names

    def name_of(self, actor: str) -> str:
        """The actor's current display name; an actor from before accounts is its own name."""
        return self.names().get(actor, actor)

    def sign_out(self) -> None:
        self._request("POST", "/api/signout")

    # Administration

    def users(self) -> list[dict[str, Any]]:
        return json.loads(self._request("GET", "/api/users"))

    def add_user(self, name: str, role: str = "drafter") -> dict[str, Any]:
        """A new user and their one-time invite link (`url`)."""
        return json.loads(self._request("POST", "/api/users", {"name": name, "role": role}))

    def change_user(self, user_id: str, *, name: str | None = None, role: str | None = None) -> dict[str, Any]:
        body = {k: v for k, v in {"name": name, "role": role}.items() if v is not None}
        return json.loads(self._request("PATCH", f"/api/users/{user_id}", body))

    def invite(self, user_id: str) -> dict[str, Any]:
        return json.loads(self._request("POST", f"/api/users/{user_id}/invite", b""))

    def revoke(self, user_id: str) -> dict[str, Any]:
        return json.loads(self._request("DELETE", f"/api/users/{user_id}"))

    def grants(self, report_id: str) -> dict[str, str]:
        return json.loads(self._request("GET", f"/api/reports/{report_id}/roles"))

    def grant(self, report_id: str, user_id: str, role: str | None) -> dict[str, str]:
        """Give the user `role` in the report, or take their grant back (None)."""
        if role is None:
            return json.loads(self._request("DELETE", f"/api/reports/{report_id}/roles/{user_id}"))
        return json.loads(self._request("PUT", f"/api/reports/{report_id}/roles/{user_id}", {"role": role}))
