"""Keeps the embedded Redis running for as long as `serve` runs, and says when it cannot.

If Redis dies (killed, out of memory, or a write to a full disk: with `appendfsync always`
Redis exits rather than acknowledge what it could not write), it is started again on the same
data directory and socket, so the app's connections reconnect by themselves; `serve` says so
in its output. A Redis that keeps dying is started again ever later (up to every 30 s). While
it is down, or while its disk has no room for another message, `problem()` says why, and
/api/health answers 503 with it: the service is never reported healthy while it cannot write.

The watch runs in a thread: a Redis that the watch restarts is bound to that thread's life
(PR_SET_PDEATHSIG, see server/embedded_redis.py), and the thread lives until `stop`.
"""

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable

from events.errors import DomainError
from events.protocol import MAX_MESSAGE_BYTES
from server.embedded_redis import EmbeddedRedis, EmbeddedRedisError

# How often the watch looks at the disk while Redis runs.
CHECK_SECONDS = 1.0
FIRST_RETRY_SECONDS = 0.5
LAST_RETRY_SECONDS = 30.0
# A Redis that ran this long before dying is started again at once, not after a pause.
STABLE_SECONDS = 30.0
# Room for one more message of the largest size: below it, an edit may find no room, and
# Redis exits when a write fails (appendfsync always).
MIN_FREE_BYTES = MAX_MESSAGE_BYTES


def _exit_status(code: int) -> str:
    """How a process ended, as a person reads it: `signal SIGKILL`, `status 1`. A signal without
    a name (a real-time one) is given by number: a ValueError here would end the watch."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"status {code}"


class RedisSupervisor:
    def __init__(self, redis: EmbeddedRedis, say: Callable[[str], None] | None = None) -> None:
        self.redis = redis
        self.say = say or redis.say
        self._down: str | None = None  # why Redis is not running now
        self._disk_full = False
        self._stopping = threading.Event()
        self._starting = threading.Lock()  # one start or stop of the process at a time
        self._thread = threading.Thread(target=self._watch, name="embedded-redis-supervisor", daemon=True)

    def start(self) -> "RedisSupervisor":
        """Watch the Redis that `redis.start()` has started."""
        assert self.redis.process is not None
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._starting:
            self.redis.stop()
        if self._thread.is_alive():
            self._thread.join()

    def problem(self) -> DomainError | None:
        """Why the embedded Redis cannot take writes now, or None when it can."""
        down = self._down
        if down is not None:
            return DomainError("redis_unavailable", down)
        free = self._free_bytes()
        if free < MIN_FREE_BYTES:
            return DomainError(
                "redis_cannot_write",
                f"the disk of {self.redis.data_dir} is full ({free} bytes free, less than an edit may "
                "need): edits may fail until space is freed",
            )
        return None

    def _free_bytes(self) -> int:
        try:
            usage = os.statvfs(self.redis.data_dir)
        except OSError:
            return 0
        return usage.f_bavail * usage.f_frsize

    def _watch(self) -> None:
        started = time.monotonic()
        retry = FIRST_RETRY_SECONDS
        while not self._stopping.is_set():
            process = self.redis.process
            assert process is not None
            try:
                code = process.wait(CHECK_SECONDS)
            except subprocess.TimeoutExpired:
                self._watch_disk()
                continue
            if self._stopping.is_set():
                return
            self._watch_disk()  # a full disk is the likely cause: say it first
            self._down = f"the embedded Redis exited with {_exit_status(code)}: {self.redis.why()}"
            self.say(f"{self._down}; restarting it on {self.redis.data_dir}")
            if time.monotonic() - started < STABLE_SECONDS:
                delay, retry = retry, min(retry * 2, LAST_RETRY_SECONDS)
            else:
                delay, retry = 0.0, FIRST_RETRY_SECONDS
            if not self._restart(delay):
                return
            started = time.monotonic()

    def _restart(self, delay: float) -> bool:
        """Start Redis again, retrying with a growing pause; False if `stop` came first."""
        while not self._stopping.wait(delay):
            with self._starting:
                if self._stopping.is_set():
                    return False
                try:
                    self.redis.start()
                except (EmbeddedRedisError, OSError) as error:  # the lock is kept: never DataDirectoryInUse
                    failure = str(error)
                else:
                    self._down = None
                    self.say(f"The embedded Redis was restarted on {self.redis.data_dir} ({self.redis.url})")
                    return True
            delay = min(max(delay * 2, FIRST_RETRY_SECONDS), LAST_RETRY_SECONDS)
            self._down = f"the embedded Redis cannot start again: {failure}"
            self.say(f"{self._down}; trying again in {delay:g}s")
        return False

    def _watch_disk(self) -> None:
        """Say it once when the disk fills up, and once when there is room again."""
        full = self._free_bytes() < MIN_FREE_BYTES
        if full and not self._disk_full:
            self.say(
                f"WARNING: the disk of {self.redis.data_dir} is full: edits may fail (Redis exits "
                "rather than acknowledge a write it could not store, and is started again), and "
                "/api/health answers 503, until space is freed"
            )
        elif self._disk_full and not full:
            self.say(f"There is room again on the disk of {self.redis.data_dir}: edits are stored again")
        self._disk_full = full
