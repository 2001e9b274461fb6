"""`rapporteur serve` on its embedded Redis: stop it, start it again, nothing is lost."""

import re
import signal
import socket
from pathlib import Path

from client.api import Api
from tests.processes import ServerProcess


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_restart_on_the_same_data_directory_brings_every_report_back(data_dir: Path) -> None:
    with ServerProcess(data_dir=data_dir) as first:
        api = Api(first.url, "alice")
        report_id = api.create_report("Projet de rapport")
        for n in range(20):
            api.submit(report_id, {"type": "AddChapter", "title": f"Chapitre {n}"})
        events_before = api.events(report_id)
        text_before = api.text(report_id)
    output = first.stop()
    redis_port = int(re.search(r"redis://127\.0\.0\.1:(\d+)", output).group(1))
    assert not _listening(first.port) and not _listening(redis_port), "Ctrl-C stops the service and its Redis"
    assert (data_dir / "appendonlydir").is_dir()

    with ServerProcess(data_dir=data_dir) as second:
        api = Api(second.url, "alice")
        assert api.events(report_id) == events_before
        assert api.text(report_id) == text_before
        assert [r["id"] for r in api.reports()] == [report_id]
        assert api.submit(report_id, {"type": "AddChapter", "title": "Après"})["version"] == 22
        output = second.stop(signum=signal.SIGTERM)
    redis_port = int(re.search(r"redis://127\.0\.0\.1:(\d+)", output).group(1))
    assert not _listening(second.port) and not _listening(redis_port), "SIGTERM stops the service and its Redis"
    assert second.process.returncode == 0
