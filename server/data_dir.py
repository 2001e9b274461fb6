"""The embedded Redis's data directory: private to its owner, and used by one `serve` at a time.

Private, because whoever can read the append-only file can read every report and every
user's token hash, and whoever can talk to the Redis can mint an administrator: the directory
is 0700, the files Redis writes there 0600 (it runs with umask 077), and Redis listens on a
unix socket inside it, not on a TCP port.

One at a time, because two Redis servers appending to one append-only file corrupt it: the
first `serve` holds an exclusive lock on `DATA/.lock` for its whole life (the kernel releases
it when the process ends, however it ends), and a second one refuses to start. A Redis left
running by a `serve` that was killed (where the kernel does not end it with its parent) is
found by the pid file it keeps in the directory and stopped by the next `serve` that takes
the lock, before it starts its own.
"""

import contextlib
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

LOCK_FILE = ".lock"
PID_FILE = "redis.pid"
# What Redis may have written in the directory before it was private (older versions of
# Rapporteur created it 0755, the files 0644).
REDIS_FILES = ("appendonlydir", "redis.log", PID_FILE, "dump.rdb")
STALE_SERVER_NAMES = ("redis-server", "valkey-server")
STALE_SERVER_STOP_SECONDS = 30.0


class DataDirectoryInUse(RuntimeError):
    """Another `rapporteur serve` holds the data directory."""


def make_private(data_dir: Path) -> None:
    """Create the directory if needed, and let no one but its owner in."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    for name in REDIS_FILES:
        path = data_dir / name
        if path.is_dir():
            path.chmod(0o700)
            for inner in path.iterdir():
                inner.chmod(0o600)
        elif path.exists():
            path.chmod(0o600)


def lock(data_dir: Path) -> int:
    """Take the directory for this process, or raise DataDirectoryInUse at once.

    Returns the lock file's descriptor: closing it (or the process ending) releases the lock.
    The holder's pid is written in the file, to name it in the refusal."""
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(descriptor)
        raise DataDirectoryInUse(
            f"the data directory {data_dir} is in use by another rapporteur serve (process {holder}): "
            "stop it first, or give another --data"
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return descriptor


def running_redis(pid: int) -> bool:
    """Whether `pid` is a live (not zombie) redis-server or valkey-server."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        name, state = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2]
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return False
        found = subprocess.run(["ps", "-p", str(pid), "-o", "stat=,comm="], capture_output=True, text=True).stdout.split()
        if len(found) < 2:
            return False
        state, name = found[0][0], Path(found[1]).name
    except (OSError, ValueError, IndexError):
        return False
    return state != "Z" and name in STALE_SERVER_NAMES


def stop_stale_server(data_dir: Path) -> int | None:
    """Stop a Redis still serving this directory for a `serve` that is gone; its pid, if any.

    Call it holding the lock: then no live `serve` owns that Redis. Its pid file names it;
    the name of the process and the directory it works in (Redis works in its --dir) guard
    against a pid the system has given to another program, or to the Redis of another
    directory."""
    try:
        pid = int((data_dir / PID_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if pid == os.getpid() or not running_redis(pid) or not _works_in(pid, data_dir):
        return None
    # It may end by itself meanwhile (ProcessLookupError); a Redis of another user's is not ours.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGTERM)  # Redis flushes its append-only file and exits
        _wait_for_end(pid, STALE_SERVER_STOP_SECONDS)
        if running_redis(pid):
            os.kill(pid, signal.SIGKILL)
            _wait_for_end(pid, STALE_SERVER_STOP_SECONDS)
    return pid


def _works_in(pid: int, data_dir: Path) -> bool:
    """Whether the process works in `data_dir`; where there is no /proc to tell (macOS), the
    name that running_redis checked must do."""
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd")) == data_dir.resolve()
    except FileNotFoundError:
        return not Path("/proc/self/cwd").exists()
    except OSError:  # another user's process
        return False


def _wait_for_end(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while running_redis(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
