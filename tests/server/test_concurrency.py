"""Many drafters at once, through two server processes on one Redis."""

import asyncio

import httpx

from client.api import Api
from tests.conftest import People
from tests.processes import ServerProcess


async def test_twenty_concurrent_drafters_on_two_servers_leave_a_contiguous_log(
    server: ServerProcess, second_server: ServerProcess, people: People, api: Api, new_report: str
) -> None:
    drafters = [f"drafter{index}" for index in range(20)]
    headers = {name: people.headers(name, "drafter") for name in drafters}

    async def drafter(index: int) -> list[tuple[str, int]]:
        base = (server, second_server)[index % 2].url
        acknowledged = []
        async with httpx.AsyncClient(base_url=base, headers=headers[drafters[index]], timeout=60) as http:
            for n in range(10):
                command_id = f"d{index}-{n}"
                body = {"command_id": command_id, "command": {"type": "AddChapter", "title": f"{index}/{n}"}}
                response = await http.post(f"/api/reports/{new_report}/commands", json=body)
                assert response.status_code == 200, response.text
                acknowledged.append((command_id, response.json()["version"]))
        return acknowledged

    acknowledged = [ack for acks in await asyncio.gather(*(drafter(i) for i in range(20))) for ack in acks]
    events = api.events(new_report)
    assert [e.version for e in events] == list(range(1, 202))
    by_command = {e.command_id: e for e in events}
    assert len(by_command) == 201
    for command_id, version in acknowledged:
        assert by_command[command_id].version == version
        assert by_command[command_id].actor == people.id(f"drafter{command_id[1:].split('-')[0]}")
