"""The periodic recheck of every open live connection's sign-in and role.

A revoked user, or a session signed out, must stop receiving a report's events even if their
socket never sends anything; a role changed must take effect on the sockets already open.
One task per process does it for all its connections: they are spread over SLICES groups,
and every RECHECK_SECONDS / SLICES one group is checked, so each connection is checked once
per RECHECK_SECONDS and the work is even over time. A group costs three Redis round trips
whatever its size (its tokens, their users, their roles, each fetched at once), and a token
shared by several connections (tabs of one browser) is looked up once: a thousand idle
connections cost six round trips a second.
"""

import asyncio
import contextlib
import logging
from typing import Protocol

from events.errors import DomainError
from server.accounts import Accounts
from server.auth import RECHECK_SECONDS, SignedInSocket
from server.outage import REDIS_DOWN, Outage

log = logging.getLogger(__name__)

SLICES = 10


class Rechecked(Protocol):
    """A live connection, as the recheck sees it."""

    signed_in: SignedInSocket

    def signed_out(self, error: DomainError) -> None:
        """Its sign-in no longer holds: tell the client why, close, leave."""


class Recheck:
    def __init__(self, accounts: Accounts, outage: Outage, period: float = RECHECK_SECONDS, slices: int = SLICES) -> None:
        """`outage`: told when Redis does not answer; the connections then keep the sign-in
        they had until it does."""
        self.accounts = accounts
        self.outage = outage
        self.period = period
        self._slices: list[set[Rechecked]] = [set() for _ in range(slices)]
        self._slice_of: dict[Rechecked, int] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, connection: Rechecked) -> None:
        """Recheck this connection from now on, in the group that has the fewest."""
        index = min(range(len(self._slices)), key=lambda i: len(self._slices[i]))
        self._slices[index].add(connection)
        self._slice_of[connection] = index

    def forget(self, connection: Rechecked) -> None:
        index = self._slice_of.pop(connection, None)
        if index is not None:
            self._slices[index].discard(connection)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sign-in-recheck")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        index = 0
        while True:
            await asyncio.sleep(self.period / len(self._slices))
            group = list(self._slices[index])
            index = (index + 1) % len(self._slices)
            if not group:
                continue
            try:
                await self.check(group)
            except REDIS_DOWN as error:
                self.outage.lost(error)
            except Exception:
                log.exception("rechecking the sign-in of live connections failed")

    async def check(self, group: list[Rechecked]) -> None:
        """Close the connections whose token no longer signs anyone in; give the others their
        user and role as they are now."""
        users = await self.accounts.authenticate_all([connection.signed_in.token for connection in group])
        valid = []
        for connection in group:
            user = users.get(connection.signed_in.token)
            if user is None:
                connection.signed_out(
                    DomainError("unauthenticated", "this session was signed out, revoked or has expired: sign in again")
                )
            else:
                valid.append((connection, user))
        roles = await self.accounts.roles_in([(user, connection.signed_in.report_id) for connection, user in valid])
        for connection, user in valid:
            connection.signed_in.rechecked(user, roles[(user.id, connection.signed_in.report_id)])
