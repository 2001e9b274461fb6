"""Real processes for tests: redis-server and uvicorn, on free ports, always stopped."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


class ServerProcess:
    """`rapporteur serve` in a child process, on a given Redis or an embedded one."""

    def __init__(
        self, redis_url: str | None = None, data_dir: Path | None = None, port: int | None = None, env: dict[str, str] | None = None
    ) -> None:
        """`env`: environment variables for the server besides ours (such as a budget)."""
        from server.embedded_redis import free_port

        self.port = port or free_port()
        self.redis_url = redis_url
        self.data_dir = data_dir
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.output = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _command(self) -> tuple[list[str], dict[str, str]]:
        command = [sys.executable, "-m", "client.cli", "serve", "--port", str(self.port)]
        if self.redis_url:
            command += ["--redis", self.redis_url]
        if self.data_dir:
            command += ["--data", str(self.data_dir)]
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        return command, env

    def run_refused(self, timeout: float = 20.0) -> subprocess.CompletedProcess[str]:
        """Run a `serve` that is expected to refuse to start, to its end (at most `timeout`)."""
        command, env = self._command()
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the process, without waiting for it to serve."""
        command, env = self._command()
        # A file, not a pipe: a chatty server must never block on a full pipe.
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        return self.process

    def start(self) -> "ServerProcess":
        """Start, and wait until it serves; a process that does not is stopped, never left."""
        self.launch()
        assert self.process is not None
        try:
            wait_for_port(self.port, self.process)
            # Listening is not yet serving (serve binds its port before the app starts, and
            # connections wait meanwhile): wait for the app's lifespan to finish.
            deadline = time.monotonic() + 20
            while not self._ready():
                if time.monotonic() > deadline:
                    raise TimeoutError("the server did not become ready")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise
        return self

    def _ready(self) -> bool:
        try:
            return httpx.get(self.url + "/api/health", timeout=20).status_code == 200
        except httpx.TransportError:
            return False

    def output_so_far(self) -> str:
        """What the running process has printed until now, such as the administrator's sign-in
        link. Read at an explicit offset (pread): the child shares the file's position, and a
        seek here would make it write over its own earlier output."""
        if self.process is None:
            return ""
        if self._log.closed:
            return self.output
        descriptor = self._log.fileno()
        return os.pread(descriptor, os.fstat(descriptor).st_size, 0).decode(errors="replace")

    def stop(self, timeout: float = 20.0, signum: int = signal.SIGINT) -> str:
        """Stop as Ctrl-C does (or with `signum`), and return what the process printed."""
        if self.process is None:
            return ""
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._log.closed:
            self._log.seek(0)
            self.output = self._log.read().decode(errors="replace")
            self._log.close()
        return self.output

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@contextlib.contextmanager
def stalled(process: subprocess.Popen[bytes] | None) -> Iterator[None]:
    """The process frozen (SIGSTOP) for the block, then thawed: a Redis so frozen still has
    its connections accepted by the kernel, and answers nothing."""
    assert process is not None
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)
