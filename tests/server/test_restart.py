"""`rapporteur serve` on its embedded Redis: stop it, start it again, nothing is lost."""

import re
import signal
import socket
from pathlib import Path

import redis.asyncio as aioredis

from client.api import Api
from server.accounts import Accounts
from server.embedded_redis import EmbeddedRedis
from tests.conftest import run_apart
from tests.processes import ServerProcess


def _administrator_token(data_dir: Path) -> str:
    """An administrator's API token, stored in the data directory's database before the
    first start (with the Accounts code the server uses), so that the same token can be
    shown to work again after the restart."""

    async def sign_in(redis_url: str) -> str:
        client = aioredis.Redis.from_url(redis_url)
        try:
            accounts = Accounts(client)
            user = await accounts.create_user("alice", "admin")
            invite, _ = await accounts.invite(user.id)
            return (await accounts.redeem(invite, "api"))[1]
        finally:
            await client.aclose()

    with EmbeddedRedis(data_dir) as redis:
        return run_apart(sign_in(redis.url))


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _redis_answers(output: str) -> bool:
    """Whether the embedded Redis that `serve` named in its output still answers."""
    path = re.search(r"unix://(\S+)\?db=0", output).group(1)
    with socket.socket(socket.AF_UNIX) as probe:
        return probe.connect_ex(path) == 0


def test_restart_on_the_same_data_directory_brings_every_report_back(data_dir: Path) -> None:
    token = _administrator_token(data_dir)
    with ServerProcess(data_dir=data_dir) as first:
        api = Api(first.url, token)
        report_id = api.create_report("Projet de rapport")
        for n in range(20):
            api.submit(report_id, {"type": "AddChapter", "title": f"Chapitre {n}"})
        events_before = api.events(report_id)
        text_before = api.text(report_id)
    output = first.stop()
    assert not _listening(first.port) and not _redis_answers(output), "Ctrl-C stops the service and its Redis"
    assert (data_dir / "appendonlydir").is_dir()

    with ServerProcess(data_dir=data_dir) as second:
        api = Api(second.url, token)
        assert api.me()["role"] == "admin", "the token survives the restart"
        assert api.events(report_id) == events_before
        assert api.text(report_id) == text_before
        assert [r["id"] for r in api.reports()] == [report_id]
        assert api.submit(report_id, {"type": "AddChapter", "title": "Après"})["version"] == 22
        output = second.stop(signum=signal.SIGTERM)
    assert not _listening(second.port) and not _redis_answers(output), "SIGTERM stops the service and its Redis"
    assert second.process.returncode == 0
