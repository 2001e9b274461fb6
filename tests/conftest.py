"""Shared fixtures: one real redis-server for the session, servers started on demand.

Nothing here depends on anything already running on the machine: every process is started
on a free port and stopped at the end, even when a test fails.
"""

import asyncio
import concurrent.futures
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import pytest
import redis.asyncio as aioredis

from client.api import Api
from events.access import Role
from server.accounts import Accounts
from server.embedded_redis import EmbeddedRedis
from server.store import EventStore
from tests.processes import ServerProcess


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(redis_server: EmbeddedRedis) -> str:
    return redis_server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def store(redis: aioredis.Redis) -> AsyncIterator[EventStore]:
    store = EventStore(redis)
    yield store
    await store.aclose()


@pytest.fixture(scope="session")
def server(redis_url: str) -> Iterator[ServerProcess]:
    with ServerProcess(redis_url) as process:
        yield process


@pytest.fixture(scope="session")
def second_server(redis_url: str) -> Iterator[ServerProcess]:
    with ServerProcess(redis_url) as process:
        yield process


T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a loop of its own, from sync or async tests alike."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class People:
    """The test database's users, each created on first use by name, with the same Accounts
    code the server and `rapporteur user add` use. A name is one user for the whole session,
    and the session's tests create reports as no person does (hundreds for "alice"): each
    may create SESSION_REPORTS; their other limits are the server's defaults."""

    SESSION_REPORTS = 100_000

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._users: dict[str, tuple[str, str]] = {}

    async def _create(self, name: str, role: Role) -> tuple[str, str]:
        client = aioredis.Redis.from_url(self.redis_url)
        try:
            accounts = Accounts(client)
            user = await accounts.create_user(name, role)
            await accounts.set_limits(user.id, lambda limits: msgspec.structs.replace(limits, reports=self.SESSION_REPORTS))
            invite, _ = await accounts.invite(user.id)
            _, token = await accounts.redeem(invite, "api")
            return user.id, token
        finally:
            await client.aclose()

    def _user(self, name: str, role: Role) -> tuple[str, str]:
        if name not in self._users:
            self._users[name] = run_apart(self._create(name, role))
        return self._users[name]

    def set_limits(self, name: str, **limits: int) -> None:
        """Raise (or lower) some limits of the user `name`, as `rapporteur user limits` does."""

        async def change() -> None:
            client = aioredis.Redis.from_url(self.redis_url)
            try:
                await Accounts(client).set_limits(self.id(name), lambda own: msgspec.structs.replace(own, **limits))
            finally:
                await client.aclose()

        run_apart(change())

    def token(self, name: str, role: Role = "chair") -> str:
        """An API token of the user `name` (created with `role` the first time)."""
        return self._user(name, role)[1]

    def id(self, name: str, role: Role = "chair") -> str:
        return self._user(name, role)[0]

    def headers(self, name: str, role: Role = "chair") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(name, role)}"}

    def api(self, server: ServerProcess, name: str, role: Role = "chair") -> Api:
        return Api(server.url, self.token(name, role))


@pytest.fixture(scope="session")
def people(redis_url: str) -> People:
    return People(redis_url)


@pytest.fixture
def api(server: ServerProcess, people: People) -> Api:
    return people.api(server, "alice")


@pytest.fixture
def new_report(api: Api) -> str:
    return api.create_report("Projet de rapport")


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
