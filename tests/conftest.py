"""Shared fixtures: one real redis-server for the session, servers started on demand.

Nothing here depends on anything already running on the machine: every process is started
on a free port and stopped at the end, even when a test fails.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from client.api import Api
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
async def store(redis: aioredis.Redis) -> EventStore:
    return EventStore(redis)


@pytest.fixture(scope="session")
def server(redis_url: str) -> Iterator[ServerProcess]:
    with ServerProcess(redis_url) as process:
        yield process


@pytest.fixture(scope="session")
def second_server(redis_url: str) -> Iterator[ServerProcess]:
    with ServerProcess(redis_url) as process:
        yield process


@pytest.fixture
def api(server: ServerProcess) -> Api:
    return Api(server.url, "alice")


@pytest.fixture
def new_report(api: Api) -> str:
    return api.create_report("Projet de rapport")


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
