"""Who may do what: the four roles, the role each command needs, and the bodies of the
user-administration API.

Pure, like the rest of `events/`: the server looks a user's role up in Redis and asks
`refusal` here, on every path a command can take (HTTP, WebSocket, import, CLI), so the rule
lives in one place. Roles are ordered; each can do everything the ones before it can:

- viewer: read the report, its history and renderings, replay, be present;
- drafter: also every command that edits the report;
- chair: also adopt and reopen chapters, and adopt the report;
- admin: also manage users and grant roles per report.
"""

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from events.errors import DomainError
from events.fields import MAX_DRAFTER_LENGTH

Role = Literal["viewer", "drafter", "chair", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "drafter", "chair", "admin")

# The commands that decide for the meeting rather than draft: only its chair gives them.
CHAIR_COMMANDS = frozenset({"AdoptChapter", "ReopenChapter", "AdoptReport"})

# A display name: printable, one line, as it appears in history and blame.
DisplayName = Annotated[
    str, Meta(min_length=1, max_length=MAX_DRAFTER_LENGTH, pattern=r"\A[^\x00-\x1f\x7f-\x9f]*\S[^\x00-\x1f\x7f-\x9f]*\Z")
]


def at_least(role: Role, needed: Role) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def needed_for(command_type: str) -> Role:
    return "chair" if command_type in CHAIR_COMMANDS else "drafter"


def role_in_report(default: Role, granted: Role | None) -> Role:
    """A grant on a report replaces the user's default role there, up or down; an admin
    stays an admin everywhere, so that no grant can lock the administrators out."""
    if default == "admin":
        return "admin"
    return granted or default


def refusal(role: Role, command_types: list[str]) -> DomainError | None:
    """Why `role` may not give these commands, or None when it may."""
    for command_type in command_types:
        needed = needed_for(command_type)
        if not at_least(role, needed):
            return DomainError(
                "forbidden", f"{command_type} needs the {needed} role in this report; you are a {role} here"
            )
    return None


def check_admin(role: Role, what: str = "manages users and roles") -> None:
    if role != "admin":
        raise DomainError("forbidden", f"only an administrator {what}")


class Actor(msgspec.Struct, frozen=True):
    """The authenticated user behind a request, with their role in the report at hand.
    `id` is what events record as their `actor`; names live beside, and may change."""

    id: str
    role: Role


class UserView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    role: Role
    created_at: str
    revoked: bool = False


class NewUser(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: DisplayName
    role: Role = "drafter"


class UserChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Rename (or anonymise) a user, or change their default role. History keeps their id,
    so it shows the new name everywhere at once."""

    name: DisplayName | None = None
    role: Role | None = None


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    """A one-time sign-in link; `expires_at` is when it stops working if unused."""

    user: UserView
    url: str
    expires_at: str


class SignIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Exchange an invite for an API token (the CLI and scripts; the browser gets a cookie)."""

    invite: Annotated[str, Meta(min_length=1, max_length=200)]


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    user: UserView
    token: str


class Grant(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    role: Role


class Me(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user, and their role in a report when one was asked about."""

    id: str
    name: str
    role: Role
    report_role: Role | None = None
