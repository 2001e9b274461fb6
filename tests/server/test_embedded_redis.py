"""The embedded Redis of `rapporteur serve`: supervised, locked to one serve, private, and
honest about damage to its files. Real `serve` processes, real Redis servers, killed for real."""

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis
from websockets.sync.client import connect as connect_sync

from client.api import Api, ApiError
from server.data_dir import PID_FILE, make_private, running_redis
from server.embedded_redis import EmbeddedRedis, find_redis_server, server_arguments
from tests.processes import ServerProcess

ON_LINUX = sys.platform.startswith("linux")
# Finding processes by their working directory, and their sockets, reads /proc.
linux_only = pytest.mark.skipif(not ON_LINUX, reason="reads processes from /proc")


def _administrator(server: ServerProcess) -> Api:
    """Signed in with the one-time link the first `serve` of a data directory prints."""
    link = re.search(r"Sign in as the administrator \(this link works once\): (\S+)", server.output_so_far())
    assert link, server.output_so_far()
    return Api.sign_in(link.group(1))[0]


def _newest_incremental_aof(data_dir: Path) -> Path:
    """The file of the append-only directory that Redis appends to (Valkey 9's multi-part AOF)."""
    return max((data_dir / "appendonlydir").glob("*.incr.aof"), key=lambda path: path.stat().st_mtime)


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} after {timeout}s")
        time.sleep(0.05)


def _redis_serving(data_dir: Path) -> int | None:
    """The live Redis process that runs in `data_dir` (Redis works in its --dir), found as
    `ps` would find it, not by anything `serve` says."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and running_redis(int(entry.name)):
            try:
                if Path(os.readlink(entry / "cwd")) == data_dir.resolve():
                    return int(entry.name)
            except OSError:
                continue
    return None


def _redis_pid(data_dir: Path) -> int:
    pid = _redis_serving(data_dir)
    assert pid is not None, f"no Redis runs in {data_dir}"
    return pid


def _health(server: ServerProcess) -> httpx.Response:
    return httpx.get(server.url + "/api/health", timeout=10)


def _healthy(server: ServerProcess) -> bool:
    try:
        return _health(server).status_code == 200
    except httpx.HTTPError:
        return False


def _end(pid: int) -> None:
    """Leave nothing running, whatever the test found."""
    if running_redis(pid):
        os.kill(pid, signal.SIGKILL)


def _add_chapters(api: Api, report_id: str, count: int, start: int = 0) -> list[int]:
    return [api.submit(report_id, {"type": "AddChapter", "title": f"Chapitre {n}"})["version"] for n in range(start, start + count)]


@linux_only
def test_a_killed_redis_is_started_again_and_every_acknowledged_edit_is_kept(data_dir: Path) -> None:
    with ServerProcess(data_dir=data_dir) as server:
        api = _administrator(server)
        report_id = api.create_report("Projet de rapport")
        acknowledged = [1, *_add_chapters(api, report_id, 9)]
        live_url = f"{server.ws_url}/api/reports/{report_id}/live"
        with connect_sync(live_url, additional_headers={"Authorization": f"Bearer {api.token}"}) as live:
            assert json.loads(live.recv(timeout=10))["type"] == "snapshot"
            # Once an edit sent on it is acknowledged, the connection is fully set up.
            command = {"type": "AddChapter", "title": "Chapitre 9"}
            live.send(json.dumps({"type": "command", "command_id": "before-the-kill", "command": command}))
            answers = [json.loads(live.recv(timeout=10)) for _ in range(2)]
            assert [answer["type"] for answer in answers] == ["event", "ack"]
            acknowledged.append(answers[1]["version"])
            killed = _redis_pid(data_dir)
            os.kill(killed, signal.SIGKILL)
            _wait_until(lambda: not _healthy(server), 5, "the service still said it was healthy")
            _wait_until(lambda: _healthy(server), 20, "the service was not healthy again")
            assert _redis_pid(data_dir) != killed
            acknowledged += _add_chapters(api, report_id, 3, start=10)
            received = [json.loads(live.recv(timeout=10))["event"]["version"] for _ in range(3)]
        assert received == [12, 13, 14], "a drafter connected throughout sees the edits made after the restart"
        assert [event.version for event in api.events(report_id)] == acknowledged == list(range(1, 15))
        output = server.output_so_far()
    assert f"the embedded Redis exited with signal SIGKILL" in output
    assert f"restarting it on {data_dir.resolve()}" in output
    assert f"The embedded Redis was restarted on {data_dir.resolve()}" in output


@linux_only
def test_a_redis_ended_by_a_signal_without_a_name_is_started_again(data_dir: Path) -> None:
    """A real-time signal (SIGRTMIN + 6) has no name in Python's enum: the watch must still
    say how Redis ended and start it again, not die of it and leave the service without Redis."""
    with ServerProcess(data_dir=data_dir) as server:
        killed = _redis_pid(data_dir)
        os.kill(killed, signal.SIGRTMIN + 6)
        _wait_until(lambda: _redis_serving(data_dir) not in (None, killed), 20, "Redis was not started again")
        _wait_until(lambda: _healthy(server), 20, "the service was not healthy again")
        output = server.output_so_far()
    assert f"the embedded Redis exited with signal {signal.SIGRTMIN + 6}" in output, output


@linux_only
def test_a_redis_that_cannot_start_again_is_said_and_unhealthy_until_it_can(data_dir: Path) -> None:
    with ServerProcess(data_dir=data_dir) as server:
        api = _administrator(server)
        report_id = api.create_report("Projet de rapport")
        _add_chapters(api, report_id, 3)
        # Damage the middle of the append-only file (Redis only appends to it while it runs),
        # then kill Redis: it cannot load the file again.
        incremental = _newest_incremental_aof(data_dir)
        content = incremental.read_bytes()
        damaged_at = content.index(b"*", 100)
        with incremental.open("r+b") as damage:
            damage.seek(damaged_at)
            damage.write(b"!")
        os.kill(_redis_pid(data_dir), signal.SIGKILL)
        said = "the embedded Redis cannot start again: "
        _wait_until(lambda: said in server.output_so_far(), 10, "serve did not say Redis could not start")
        response = _health(server)
        assert response.status_code == 503 and response.json()["code"] == "redis_unavailable"
        assert "Bad file format reading the append only file" in response.json()["message"]
        with incremental.open("r+b") as repair:
            repair.seek(damaged_at)
            repair.write(b"*")
        _wait_until(lambda: _healthy(server), 20, "the service was not healthy again once the file was repaired")
        assert [event.version for event in api.events(report_id)] == [1, 2, 3, 4]
        output = server.output_so_far()
    assert re.search(r"cannot start again: .*Bad file format reading the append only file .*; trying again in \d+s", output)


@pytest.mark.skipif(not ON_LINUX, reason="the kernel ends the child with its parent on Linux only")
def test_a_killed_serve_takes_its_redis_with_it_and_the_next_serve_has_every_edit(data_dir: Path) -> None:
    first = ServerProcess(data_dir=data_dir).start()
    redis_pid = None
    try:
        redis_pid = _redis_pid(data_dir)
        api = _administrator(first)
        report_id = api.create_report("Projet de rapport")
        _add_chapters(api, report_id, 5)
        first.stop(signum=signal.SIGKILL)
        _wait_until(lambda: not running_redis(redis_pid), 10, "the Redis of a killed serve still ran")
    finally:
        first.stop()
        if redis_pid is not None:
            _end(redis_pid)
    with ServerProcess(data_dir=data_dir) as second:
        api = Api(second.url, api.token)
        assert [event.version for event in api.events(report_id)] == list(range(1, 7))
        assert api.submit(report_id, {"type": "AddChapter", "title": "Après"})["version"] == 7


def test_a_redis_left_running_on_the_directory_is_stopped_by_the_next_serve(data_dir: Path) -> None:
    """Where the kernel does not end Redis with its parent (or before it has), the next serve
    finds it by its pid file and stops it before starting its own: never two on one file."""
    make_private(data_dir)
    left = subprocess.Popen(
        [find_redis_server(), *server_arguments(data_dir, data_dir / "redis.sock")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(lambda: (data_dir / PID_FILE).exists(), 10, "the Redis wrote no pid file")
        with ServerProcess(data_dir=data_dir) as server:
            assert left.wait(5) == 0, "stopped with SIGTERM: it flushed its file and exited"
            assert f"Stopped Redis process {left.pid}, left running on {data_dir.resolve()}" in server.output_so_far()
            api = _administrator(server)
            assert api.submit(api.create_report("Projet de rapport"), {"type": "AddChapter", "title": "I"})["version"] == 2
    finally:
        if left.poll() is None:
            left.kill()
        left.wait()


@linux_only
def test_a_pid_file_naming_the_redis_of_another_directory_stops_nothing(tmp_path: Path) -> None:
    """A pid file left behind (Redis killed with its serve) may name a pid the system has
    since given to another Redis of the same user, serving another directory: not ours to stop."""
    with EmbeddedRedis(tmp_path / "other") as other:
        assert other.process is not None
        data_dir = tmp_path / "data"
        make_private(data_dir)
        (data_dir / PID_FILE).write_text(f"{other.process.pid}\n")
        said: list[str] = []
        with EmbeddedRedis(data_dir, say=said.append):
            assert other.process.poll() is None, "the other directory's Redis was stopped"
        assert said == []


def test_a_second_serve_on_the_same_data_directory_refuses_at_once(data_dir: Path) -> None:
    with ServerProcess(data_dir=data_dir) as first:
        started = time.monotonic()
        refused = ServerProcess(data_dir=data_dir).run_refused()
        assert time.monotonic() - started < 10
        assert refused.returncode == 1
        assert f"is in use by another rapporteur serve (process {first.process.pid})" in refused.stderr
        api = _administrator(first)
        assert api.submit(api.create_report("Projet de rapport"), {"type": "AddChapter", "title": "I"})["version"] == 2


def test_a_cut_append_only_file_is_said_with_the_bytes_lost(data_dir: Path) -> None:
    with ServerProcess(data_dir=data_dir) as first:
        api = _administrator(first)
        report_id = api.create_report("Projet de rapport")
        _add_chapters(api, report_id, 5)
    incremental = _newest_incremental_aof(data_dir)
    size = incremental.stat().st_size - 10
    os.truncate(incremental, size)  # the end of the last write is lost
    with ServerProcess(data_dir=data_dir) as second:
        kept = incremental.stat().st_size
        output = second.output_so_far()
        api = Api(second.url, api.token)
        versions = [event.version for event in api.events(report_id)]
    assert kept < size, "Redis cut the whole incomplete command"
    assert (
        f"the last {size - kept} bytes of the append-only file {incremental.resolve()} were cut" in output
        and "edits acknowledged just before the crash may be lost; see deploy/README.md#repair" in output
    ), output
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 5


def test_serve_on_a_busy_port_exits_at_once_and_starts_no_redis(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        refused = ServerProcess(data_dir=data_dir, port=port).run_refused()
        elapsed = time.monotonic() - started
    assert refused.returncode == 1 and elapsed < 10
    assert f"cannot listen on http://127.0.0.1:{port}" in refused.stderr
    assert not (data_dir / "appendonlydir").exists(), "no Redis was started"
    assert "Sign in as the administrator" not in refused.stdout, "the first administrator's link is not spent"


def test_sigterm_ends_a_serve_whose_start_waits_on_redis() -> None:
    """Ctrl-C and SIGTERM work at any time, even while the app waits for a Redis that accepts
    connections and never answers (uvicorn alone would note the signal and carry on waiting
    until redis-py gives up on the connection)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(100)
        server = ServerProcess(redis_url=f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        process = server.launch()
        try:
            time.sleep(2)  # the app's start is waiting on the silent Redis by now
            assert process.poll() is None
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert process.wait(10) == 0, "stopped as asked, not failing to start later"
            assert time.monotonic() - started < 3
        finally:
            server.stop()


def _listening_tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


@linux_only
def test_the_data_and_the_redis_are_private_to_their_owner(data_dir: Path) -> None:
    # As older versions left it: readable by every local user.
    (data_dir / "appendonlydir").mkdir(parents=True)
    (data_dir / "redis.log").write_text("")
    for path, mode in ((data_dir, 0o755), (data_dir / "appendonlydir", 0o755), (data_dir / "redis.log", 0o644)):
        path.chmod(mode)
    with ServerProcess(data_dir=data_dir) as server:
        api = _administrator(server)
        api.submit(api.create_report("Projet de rapport"), {"type": "AddChapter", "title": "I"})
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        for path in data_dir.rglob("*"):
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
        redis_pid = _redis_pid(data_dir)
        sockets = {os.readlink(f"/proc/{redis_pid}/fd/{fd}") for fd in os.listdir(f"/proc/{redis_pid}/fd")}
        inodes = {link[len("socket:[") : -1] for link in sockets if link.startswith("socket:[")}
        assert inodes, "Redis has its sockets"
        assert not inodes & _listening_tcp_inodes(), "Redis listens on no TCP port, only on its private unix socket"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB file system of its own, to be filled up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def _free_bytes(path: Path) -> int:
    usage = os.statvfs(path)
    return usage.f_bavail * usage.f_frsize


def test_a_full_disk_is_unhealthy_until_space_is_freed_and_no_acknowledged_edit_is_lost(small_disk: Path) -> None:
    data_dir = small_disk / "data"
    with ServerProcess(data_dir=data_dir) as server:
        api = _administrator(server)
        report_id = api.create_report("Projet de rapport")
        chapter_id = api.submit(report_id, {"type": "AddChapter", "title": "I"})["events"][0]["data"]["chapter_id"]
        filler = small_disk / "filler"
        with filler.open("wb") as fill:
            fill.write(b"\0" * (_free_bytes(small_disk) - 300_000))
        response = _health(server)
        assert response.status_code == 503 and response.json()["code"] == "redis_cannot_write", response.text
        acknowledged = [1, 2]
        paragraph = {"type": "AddParagraph", "chapter_id": chapter_id, "text": "x" * 50_000}
        for _ in range(40):
            try:
                acknowledged.append(api.submit(report_id, paragraph)["version"])
            except ApiError:
                break
        else:
            pytest.fail("every edit was stored on a full disk")
        assert _health(server).status_code == 503
        full = f"the disk of {data_dir.resolve()} is full"
        # Said within the supervisor's check (a disk freed before it looks is never said full).
        _wait_until(lambda: full in server.output_so_far(), 5, "serve did not say the disk was full")
        filler.unlink()
        _wait_until(lambda: _healthy(server), 30, "the service was not healthy again once space was freed")
        acknowledged += _add_chapters(api, report_id, 1)
        assert [event.version for event in api.events(report_id)] == acknowledged
        room = f"There is room again on the disk of {data_dir.resolve()}"
        _wait_until(lambda: room in server.output_so_far(), 5, "serve did not say the disk had room again")
        output = server.output_so_far()
    assert "the embedded Redis exited with status 1: Short write while writing to the AOF file" in output


def test_a_deep_data_directory_gets_a_private_socket_elsewhere(tmp_path: Path) -> None:
    """A unix socket's path holds about 100 bytes: past that, Redis still listens on no TCP
    port, on a socket in a private directory of its own."""
    data_dir = tmp_path / ("d" * 60) / ("e" * 60)
    redis = EmbeddedRedis(data_dir)
    with redis:
        assert redis.url.startswith("unix://") and not redis.socket_path.is_relative_to(tmp_path)
        assert stat.S_IMODE(redis.socket_path.parent.stat().st_mode) == 0o700
        client = Redis.from_url(redis.url)
        try:
            assert client.set("written", "1") and client.get("written") == b"1"
        finally:
            client.close()
    assert not redis.socket_path.parent.exists(), "stopping removes the socket's directory"


def test_a_redis_that_refuses_writes_makes_health_503_until_it_writes_again(small_disk: Path) -> None:
    """Any Redis (here one with `appendfsync everysec`, which refuses writes after a failed
    one instead of exiting) answers pings while it cannot write: health asks it whether it can."""
    redis_dir = small_disk / "redis"
    make_private(redis_dir)
    redis = subprocess.Popen(
        [find_redis_server(), *server_arguments(redis_dir, redis_dir / "redis.sock"), "--appendfsync", "everysec"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until((redis_dir / "redis.sock").exists, 10, "Redis did not start")
        with ServerProcess(redis_url=f"unix://{redis_dir / 'redis.sock'}?db=0") as server:
            api = _administrator(server)
            report_id = api.create_report("Projet de rapport")
            chapter_id = api.submit(report_id, {"type": "AddChapter", "title": "I"})["events"][0]["data"]["chapter_id"]
            filler = small_disk / "filler"
            with filler.open("wb") as fill:
                fill.write(b"\0" * (_free_bytes(small_disk) - 100_000))
            acknowledged = [1, 2]
            paragraph = {"type": "AddParagraph", "chapter_id": chapter_id, "text": "x" * 50_000}
            for _ in range(40):
                try:
                    acknowledged.append(api.submit(report_id, paragraph)["version"])
                except ApiError:
                    break
                time.sleep(0.2)  # everysec: the failed write is noticed within a second
            else:
                pytest.fail("every edit was stored on a full disk")
            response = _health(server)
            assert response.status_code == 503 and response.json()["code"] == "redis_cannot_write", response.text
            filler.unlink()
            _wait_until(lambda: _healthy(server), 10, "the service was not healthy again once space was freed")
            acknowledged += _add_chapters(api, report_id, 1)
            assert [event.version for event in api.events(report_id)] == acknowledged
    finally:
        redis.terminate()
        redis.wait()
