"""`rapporteur serve` on its embedded Redis, run as an operator runs it, for the fault scenarios.

A fresh data directory each time (on a small tmpfs for the disk-full scenario), always the
same port, so that clients find the service again after a restart. The embedded Redis is found
as serve's child process, whatever serve does to start it; a redis-py connection to it, for
the audit and for damage, is made from what serve printed.

Every process this module starts (serve, and through it Redis) is stopped by its pid at the
end, orphans included; the tmpfs is unmounted.
"""

import contextlib
import errno
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis

from client.api import Api
from server.embedded_redis import free_port
from tests.bench.service import invited_token, signed_in_admin
from tests.processes import ServerProcess

# How serve names its Redis: "Redis (…/valkey-server) on unix://DATA/redis.sock?db=0, data in …".
_REDIS_URL = re.compile(r" on (unix://\S+), data in ")
ORPHAN_GRACE_SECONDS = 5.0


class MountRefused(Exception):
    """The tmpfs for the disk-full scenario could not be mounted (not root, no privilege)."""


@dataclass(frozen=True)
class Process:
    """A process known by pid and start time, so a reused pid is never mistaken for it."""

    pid: int
    started: int

    @classmethod
    def of(cls, pid: int) -> "Process | None":
        stat = _stat(pid)
        return None if stat is None else cls(pid, int(stat[19]))

    def alive(self) -> bool:
        stat = _stat(self.pid)
        return stat is not None and int(stat[19]) == self.started and stat[0] != "Z"

    def signal(self, signum: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: state, ppid, … (None: no such process)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class FaultService:
    """`with FaultService(root) as service:` serve on a fresh data directory under `root`;
    `tmpfs_bytes`: that directory is on a tmpfs of this size (raises MountRefused)."""

    def __init__(self, root: Path, tmpfs_bytes: int | None = None) -> None:
        self.root = root
        self.mount = root / "disk" if tmpfs_bytes else None
        self.tmpfs_bytes = tmpfs_bytes
        self.data_dir = (self.mount or root) / "data"
        self.port = free_port()
        self.server: ServerProcess | None = None
        self.outputs: list[str] = []  # what each stopped serve printed
        self._redises: set[Process] = set()
        self._servers: set[Process] = set()
        self.admin_token = ""

    # Life cycle

    def __enter__(self) -> "FaultService":
        try:
            if self.mount is not None:
                self._mount()
            self.start_server()
            assert self.server is not None
            self.admin_token = signed_in_admin(self.server).token or ""
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serve, then every Redis seen (an orphan too), then unmount."""
        if self.server is not None:
            self.stop_server()
        for process in self._servers | self._redises:
            process.signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(p.alive() for p in self._servers | self._redises) and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.mount is not None and self.mount.is_mount():
            subprocess.run(["umount", "--lazy", str(self.mount)], check=False)

    def _mount(self) -> None:
        assert self.mount is not None
        self.mount.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.tmpfs_bytes},mode=0700", "tmpfs", str(self.mount)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise MountRefused(done.stderr.strip() or f"mount exited with {done.returncode}")

    def start_server(self) -> None:
        """Start serve on the data directory and the port; if it does not come up, stop it,
        keep what it printed and raise."""
        server = ServerProcess(data_dir=self.data_dir, port=self.port)
        try:
            server.start()
        except BaseException:
            self.outputs.append(server.stop())
            raise
        finally:
            if server.process is not None and (process := Process.of(server.process.pid)):
                self._servers.add(process)
        self.server = server
        self.redis_process()

    def stop_server(self, signum: int = signal.SIGTERM) -> int | None:
        """Stop serve as an operator does (SIGTERM; killed after 20 s), keeping its output;
        returns its exit status (-9: it had to be killed)."""
        assert self.server is not None
        self.outputs.append(self.server.stop(signum=signum))
        returncode = self.server.process.returncode if self.server.process else None
        self.server = None
        return returncode

    def kill_server(self) -> Process | None:
        """kill -9 serve; returns its Redis child if that outlived it (an orphan)."""
        assert self.server is not None and self.server.process is not None
        redis_process = self.redis_process()
        self.server.process.kill()
        self.server.process.wait()
        self.stop_server()
        if redis_process is None:
            return None
        # A Redis that ends with its parent gets SIGTERM and writes its file first: give it the
        # time that takes, so that a slow exit is not called an orphan.
        deadline = time.monotonic() + ORPHAN_GRACE_SECONDS
        while redis_process.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        return redis_process if redis_process.alive() else None

    # The embedded Redis

    def redis_process(self) -> Process | None:
        """serve's Redis: its descendant whose name says redis or valkey (None: none now)."""
        if self.server is None or self.server.process is None:
            return None
        for pid in _descendants(self.server.process.pid):
            if any(name in _command_name(pid) for name in ("redis", "valkey")) and (process := Process.of(pid)):
                self._redises.add(process)
                return process
        return None

    def inspector(self) -> aioredis.Redis:
        """A redis-py client of the running serve's Redis, on the socket serve printed."""
        assert self.server is not None
        found = _REDIS_URL.search(self.server.output_so_far())
        if found is None:
            raise RuntimeError(f"serve did not say where its Redis listens:\n{self.server.output_so_far()}")
        return aioredis.Redis.from_url(found.group(1))

    # Users

    def token(self, name: str) -> str:
        """A drafter's API token, invited by the administrator."""
        return invited_token(Api(self.server_url, self.admin_token), name)

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # The disk

    def fill_disk(self) -> int:
        """Fill the tmpfs to the last byte; returns the bytes written."""
        assert self.mount is not None
        written = 0
        chunk = b"\0" * 65536
        with open(self.mount / "filler", "wb", buffering=0) as filler:
            while True:
                try:
                    written += filler.write(chunk)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    if len(chunk) == 1:
                        return written
                    chunk = chunk[: len(chunk) // 2]

    def free_disk(self) -> None:
        assert self.mount is not None
        (self.mount / "filler").unlink(missing_ok=True)


def scratch_directory() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="rapporteur-faults-")
