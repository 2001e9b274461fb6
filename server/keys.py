"""Redis key names, built only from validated ids.

Every key of one report shares the hash tag `{<report id>}`, so that a Redis Cluster puts
them in one slot and the append script, which touches several of them, stays atomic there.
"""

import re

from events.fields import UUID_PATTERN

_REPORT_ID = re.compile(UUID_PATTERN)

REPORT_INDEX = "rapporteur:reports"


def is_report_id(value: str) -> bool:
    """Also the shape of a user id."""
    return isinstance(value, str) and _REPORT_ID.fullmatch(value) is not None


def _checked(report_id: str) -> str:
    if not is_report_id(report_id):
        raise ValueError(f"not a report id: {report_id!r}")
    return report_id


def _report_key(report_id: str, kind: str) -> str:
    return f"report:{{{_checked(report_id)}}}:{kind}"


def _report_of(key: bytes | str, kind: str) -> str:
    """The report id inside a key or channel name built by `_report_key(…, kind)`."""
    text = key.decode() if isinstance(key, bytes) else key
    return text[len("report:{") : -len("}:" + kind)]


def events_key(report_id: str) -> str:
    return _report_key(report_id, "events")


def commands_key(report_id: str) -> str:
    return _report_key(report_id, "commands")


def summary_key(report_id: str) -> str:
    return _report_key(report_id, "summary")


def staging_key(report_id: str, token: str) -> str:
    """Where a new report's events wait, a page at a time, for their commit (server/store.py)."""
    return _report_key(report_id, f"staging:{token}")


def blame_key(report_id: str) -> str:
    return _report_key(report_id, "blame")


def snapshots_key(report_id: str) -> str:
    return _report_key(report_id, "snapshots")


def presence_key(report_id: str) -> str:
    return _report_key(report_id, "presence")


def presence_channel(report_id: str) -> str:
    return _report_key(report_id, "presence-updates")


def report_of_events_key(key: bytes | str) -> str:
    return _report_of(key, "events")


def report_of_presence_channel(channel: bytes | str) -> str:
    return _report_of(channel, "presence-updates")


# Accounts. A token is found by the SHA-256 of its value: the value itself is never stored.
USERS = "rapporteur:users"
ADMIN_CREATED = "rapporteur:admin-created"
_DIGEST = re.compile(r"\A[0-9a-f]{64}\Z")


def token_key(digest: str) -> str:
    if _DIGEST.fullmatch(digest) is None:
        raise ValueError(f"not a token digest: {digest!r}")
    return f"rapporteur:token:{digest}"


def _user_key(user_id: str, kind: str) -> str:
    if not is_report_id(user_id):  # user ids are UUIDs too
        raise ValueError(f"not a user id: {user_id!r}")
    return f"rapporteur:user:{user_id}:{kind}"


def user_tokens_key(user_id: str) -> str:
    return _user_key(user_id, "tokens")


def user_reports_key(user_id: str) -> str:
    """The ids of the reports a user created: their quota counts them."""
    return _user_key(user_id, "reports")


def roles_key(report_id: str) -> str:
    return _report_key(report_id, "roles")
