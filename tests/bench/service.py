"""The service under benchmark: an embedded Redis and one `rapporteur serve` on it, with
signed-in users, and the figures of both processes (CPU time, peak memory) from /proc.

Benchmarks sign in as anyone setting up a new service would: with the administrator's link
the server prints on an empty database, then by inviting the users they need.
"""

import os
import re
import signal
import tempfile
from pathlib import Path

from client.api import Api
from server.embedded_redis import EmbeddedRedis
from tests.processes import ServerProcess

# What `rapporteur serve` prints on a database without users.
ADMIN_LINK = re.compile(r"Sign in as the administrator \(this link works once\): (\S+)")
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def memory_kib(pid: int, field: str = "VmHWM") -> int:
    """A memory figure of a process from /proc/PID/status: VmHWM (peak resident), VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise ValueError(f"no {field} for process {pid}")


def signed_in_admin(server: ServerProcess) -> Api:
    """The administrator, signed in with the link the server printed on its empty database."""
    found = ADMIN_LINK.search(server.output_so_far())
    if found is None:
        raise RuntimeError(f"the server printed no administrator's link:\n{server.output_so_far()}")
    admin, _ = Api.sign_in(found.group(1))
    return admin


# A benchmark's user stands for many drafters at once (a hundred editors signed in as one) at
# a pace no person keeps: the administrator lifts their limits, as one would for a robot.
BENCH_LIMITS = {"reports": 1_000_000, "connections": 1_000_000, "requests_per_second": 1_000_000, "mib_per_minute": 1_000_000}


def invited_token(admin: Api, name: str, role: str = "drafter") -> str:
    """A new user's API token, through an invite as a person would get it, with BENCH_LIMITS."""
    user, signed_in = Api.sign_in(admin.add_user(name, role)["url"])
    assert user.token is not None
    admin.change_limits(signed_in["id"], BENCH_LIMITS)
    return user.token


class BenchService:
    """`with BenchService() as service:` a fresh service in a temporary directory, stopped
    (server, then Redis) at the end, even on an error or Ctrl-C."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="rapporteur-bench-")
        self.redis = EmbeddedRedis(Path(self._directory.name) / "redis")
        self.server: ServerProcess | None = None
        self.admin: Api | None = None

    def __enter__(self) -> "BenchService":
        try:
            self.redis.start()
            self.server = ServerProcess(self.redis.url).start()
            self.admin = signed_in_admin(self.server)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        """Stop both children, ignoring further Ctrl-C meanwhile."""
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if self.server is not None:
                self.server.stop()
        finally:
            self.redis.stop()
            self._directory.cleanup()
            signal.signal(signal.SIGINT, previous)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def token(self, name: str, role: str = "drafter") -> str:
        assert self.admin is not None
        return invited_token(self.admin, name, role)

    @property
    def pids(self) -> tuple[int, int]:
        """The server's and Redis's process ids."""
        assert self.server is not None and self.server.process is not None and self.redis.process is not None
        return self.server.process.pid, self.redis.process.pid

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def peak_memory_kib(self) -> int:
        """The server's peak resident memory plus Redis's (what the service needs at most)."""
        return sum(memory_kib(pid) for pid in self.pids)
