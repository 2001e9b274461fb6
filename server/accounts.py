"""Users, their tokens and their roles per report, in Redis.

A token is 32 random bytes, shown once to the person it belongs to; Redis keeps only its
SHA-256, so a copy of the database signs nobody in. Three kinds:

- invite: one-time, expires unused after INVITE_TTL; redeemed for one of the two others;
- session: the browser's cookie, expires after SESSION_TTL;
- api: the CLI's and scripts' `Authorization: Bearer`, until revoked.

Revoking a user deletes every token they hold and marks them revoked; their id stays in the
log, and their name in `rapporteur:users`, so history still says who did what.
"""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import WatchError

from events.access import Role, UserView, role_in_report
from events.errors import DomainError
from server.keys import (
    ADMIN_CREATED,
    USERS,
    is_report_id,
    roles_key,
    token_key,
    user_tokens_key,
)

INVITE_TTL = timedelta(days=7)
SESSION_TTL = timedelta(days=14)
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200

TokenKind = Literal["invite", "session", "api"]


class UserLimits(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The limits an administrator set for one user (server/quotas.py has their meaning);
    a field left None takes the server's default."""

    reports: int | None = None
    connections: int | None = None
    requests_per_second: int | None = None
    mib_per_minute: int | None = None


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None
    # Users stored before limits existed read back with none of their own.
    limits: UserLimits = msgspec.field(default_factory=UserLimits)

    def view(self) -> UserView:
        return UserView(
            id=self.id, name=self.name, role=self.role, created_at=self.created_at.isoformat(), revoked=self.revoked_at is not None
        )


class _Token(msgspec.Struct, frozen=True, kw_only=True):
    user: str
    kind: TokenKind
    created_at: datetime


_user = msgspec.json.Decoder(User).decode
log = logging.getLogger(__name__)
_token = msgspec.json.Decoder(_Token).decode
_encode = msgspec.json.Encoder().encode


def _decoded_token(raw: bytes | None) -> _Token | None:
    if raw is None:
        return None
    try:
        return _token(raw)
    except msgspec.DecodeError:
        return None


def _readable_user(user_id: str, raw: bytes | None) -> User | None:
    """A user record as stored, or None if there is none, or none this server can read (damaged,
    or written by another version): that user is signed out, not every request or the recheck
    of every live connection checked with them made to fail."""
    if raw is None:
        return None
    try:
        return _user(raw)
    except msgspec.DecodeError as error:  # ValidationError (the wrong shape) included
        log.warning("the record of user %s cannot be read (%s): they cannot sign in until it is repaired", user_id, error)
        return None


def _live_admin(user: User) -> bool:
    return user.role == "admin" and user.revoked_at is None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _new_token() -> str:
    """32 random bytes, URL-safe, never starting with "-": one token in 64 did, and a command
    line then read it as an option (`rapporteur --token -Kwb…`: "expected one argument")."""
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


class Accounts:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    # Users

    async def create_user(self, name: str, role: Role) -> User:
        user = User(id=str(uuid.uuid4()), name=name, role=role, created_at=_now())
        await self.redis.hset(USERS, user.id, _encode(user))
        return user

    async def user(self, user_id: str) -> User | None:
        if not is_report_id(user_id):
            return None
        raw = await self.redis.hget(USERS, user_id)
        return None if raw is None else _user(raw)

    async def existing_user(self, user_id: str) -> User:
        user = await self.user(user_id)
        if user is None:
            raise DomainError("unknown_user", f"there is no user {user_id!r}")
        return user

    async def users(self) -> list[User]:
        users = [_user(raw) for raw in (await self.redis.hgetall(USERS)).values()]
        return sorted(users, key=lambda user: (user.created_at, user.id))

    async def names(self) -> dict[str, str]:
        """Every user's current display name, by id: what history and blame show."""
        return {user.id: user.name for user in await self.users()}

    async def change(self, user_id: str, name: str | None, role: Role | None) -> User:
        return await self._rewrite(user_id, lambda user: msgspec.structs.replace(user, name=name or user.name, role=role or user.role))

    async def set_limits(self, user_id: str, change: Callable[[UserLimits], UserLimits]) -> User:
        return await self._rewrite(user_id, lambda user: msgspec.structs.replace(user, limits=change(user.limits)))

    async def revoke(self, user_id: str) -> User:
        revoked = await self._rewrite(user_id, lambda user: msgspec.structs.replace(user, revoked_at=user.revoked_at or _now()))
        digests = await self.redis.smembers(user_tokens_key(user_id))
        async with self.redis.pipeline(transaction=True) as pipe:
            for each in digests:
                pipe.delete(token_key(each.decode()))
            pipe.delete(user_tokens_key(user_id))
            await pipe.execute()
        return revoked

    async def _rewrite(self, user_id: str, change: Callable[[User], User]) -> User:
        """Change one user, never leaving the service without a live administrator: the check
        and the write are one transaction (WATCH), so two administrators revoking each other
        at once cannot both succeed."""
        while True:
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(USERS)
                    users = {k.decode(): _user(v) for k, v in (await pipe.hgetall(USERS)).items()}
                    if user_id not in users:
                        raise DomainError("unknown_user", f"there is no user {user_id!r}")
                    changed = change(users[user_id])
                    leaves = _live_admin(users[user_id]) and not _live_admin(changed)
                    if leaves and not any(_live_admin(u) for u in users.values() if u.id != user_id):
                        raise DomainError("last_admin", "this is the last administrator: make another one first")
                    pipe.multi()
                    pipe.hset(USERS, user_id, _encode(changed))
                    await pipe.execute()
                    return changed
                except WatchError:
                    continue

    # Tokens

    async def _mint(self, user: User, kind: TokenKind, ttl: timedelta | None) -> str:
        token = _new_token()
        key = token_key(digest(token))
        record = _encode(_Token(user=user.id, kind=kind, created_at=_now()))
        tokens = user_tokens_key(user.id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, record, ex=ttl)
            pipe.sadd(tokens, digest(token))
            await pipe.execute()
        await self._forget_dead_tokens(tokens)
        return token

    async def _forget_dead_tokens(self, tokens: str) -> None:
        """Drop the digests of used invites and expired sessions from a user's set, so it
        only ever holds what revoking them must delete."""
        digests = [each.decode() for each in await self.redis.smembers(tokens)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for each in digests:
                pipe.exists(token_key(each))
            alive = await pipe.execute()
        dead = [each for each, exists in zip(digests, alive, strict=True) if not exists]
        if dead:
            await self.redis.srem(tokens, *dead)

    async def invite(self, user_id: str) -> tuple[str, datetime]:
        """A new one-time sign-in token for the user, and when it expires."""
        user = await self.existing_user(user_id)
        if user.revoked_at is not None:
            raise DomainError("user_revoked", f"{user.name} was revoked; create a new user instead")
        return await self._mint(user, "invite", INVITE_TTL), _now() + INVITE_TTL

    async def redeem(self, invite: str, kind: Literal["session", "api"]) -> tuple[User, str]:
        """Use an invite, once, for a session or an API token."""
        record = await self._record(invite)
        # Used only if it is an invite (a session offered as one is left alone), and only
        # by the first of two simultaneous redemptions.
        if record is not None and record.kind == "invite" and await self._record(invite, consume=True) is None:
            record = None
        user = None if record is None or record.kind != "invite" else await self.user(record.user)
        if user is None or user.revoked_at is not None:
            raise DomainError("unauthenticated", "this sign-in link was used, has expired or was revoked; ask an administrator for a new one")
        return user, await self._mint(user, kind, SESSION_TTL if kind == "session" else None)

    async def invited(self, invite: str) -> User | None:
        """Whom an unused invite is for, without using it."""
        record = await self._record(invite)
        return None if record is None or record.kind != "invite" else await self.user(record.user)

    async def authenticate(self, token: str) -> User | None:
        """The live user a session or API token belongs to (never an invite)."""
        return (await self.authenticate_all([token])).get(token)

    async def authenticate_all(self, tokens: Collection[str]) -> dict[str, User]:
        """The live users that session or API tokens belong to, by token, in two round trips
        whatever their number: what the recheck of open connections asks, and (for one token)
        every request, so that the recheck closes exactly what signing in refuses."""
        tokens = [token for token in set(tokens) if 0 < len(token) <= MAX_TOKEN_LENGTH]
        if not tokens:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            for token in tokens:
                pipe.get(token_key(digest(token)))
            records = dict(zip(tokens, map(_decoded_token, await pipe.execute()), strict=True))
        signed_in = {token: record.user for token, record in records.items() if record is not None and record.kind != "invite"}
        user_ids = sorted(set(signed_in.values()))
        if not user_ids:
            return {}
        users = {
            user.id: user
            for user_id, raw in zip(user_ids, await self.redis.hmget(USERS, user_ids), strict=True)
            if (user := _readable_user(user_id, raw)) is not None and user.revoked_at is None
        }
        return {token: users[user_id] for token, user_id in signed_in.items() if user_id in users}

    async def sign_out(self, token: str) -> None:
        if 0 < len(token) <= MAX_TOKEN_LENGTH:
            await self.redis.delete(token_key(digest(token)))

    async def _record(self, token: str, consume: bool = False) -> _Token | None:
        if not 0 < len(token) <= MAX_TOKEN_LENGTH:
            return None
        key = token_key(digest(token))
        return _decoded_token(await (self.redis.getdel(key) if consume else self.redis.get(key)))

    # Roles per report

    async def role_in(self, user: User, report_id: str) -> Role:
        granted = await self.redis.hget(roles_key(report_id), user.id)
        return role_in_report(user.role, granted.decode() if granted else None)  # type: ignore[arg-type]

    async def roles_in(self, pairs: Collection[tuple[User, str]]) -> dict[tuple[str, str], Role]:
        """`role_in` for many (user, report) pairs in one round trip, by (user id, report id)."""
        pairs = list({(user.id, report_id): (user, report_id) for user, report_id in pairs}.values())
        async with self.redis.pipeline(transaction=False) as pipe:
            for user, report_id in pairs:
                pipe.hget(roles_key(report_id), user.id)
            granted = await pipe.execute()
        return {
            (user.id, report_id): role_in_report(user.role, grant.decode() if grant else None)  # type: ignore[arg-type]
            for (user, report_id), grant in zip(pairs, granted, strict=True)
        }

    async def grants(self, report_id: str) -> dict[str, Role]:
        return {k.decode(): v.decode() for k, v in (await self.redis.hgetall(roles_key(report_id))).items()}  # type: ignore[misc]

    async def grant(self, report_id: str, user_id: str, role: Role | None) -> None:
        """Give the user `role` in the report, or (None) take the grant back."""
        await self.existing_user(user_id)
        if role is None:
            await self.redis.hdel(roles_key(report_id), user_id)
        else:
            await self.redis.hset(roles_key(report_id), user_id, role)

    # The first administrator

    async def first_admin_invite(self, name: str = "Administrator") -> str | None:
        """On a fresh database, create the first administrator and return their one-time
        sign-in token; None when there are users already. Safe with several processes
        starting at once: one of them creates the administrator."""
        if await self.redis.hlen(USERS) or not await self.redis.set(ADMIN_CREATED, "1", nx=True):
            return None
        admin = await self.create_user(name, "admin")
        token, _ = await self.invite(admin.id)
        return token

    async def admin_invite(self) -> str:
        """A new one-time sign-in token for the first live administrator (a lost link)."""
        admins = [user for user in await self.users() if user.role == "admin" and user.revoked_at is None]
        if not admins:
            admins = [await self.create_user("Administrator", "admin")]
        token, _ = await self.invite(admins[0].id)
        return token
