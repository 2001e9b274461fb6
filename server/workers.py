"""A few worker processes for pure, CPU-heavy functions, each call within a time budget.

A thread does not keep the event loop free: pure Python (and `re`) holds the GIL, so every
other request waits for it. A worker process runs such a call on the other core instead, and
the loop only waits for its answer. Each call has a budget in seconds: past it, the worker is
killed (a running `re` ignores everything else) and the caller gets `TooCostly`; the next call
starts a fresh worker. The worker also limits its own CPU time (RLIMIT_CPU) to the budget, so
that it dies by itself if this process went away without killing it.

Workers start lazily, from a fork server (`multiprocessing`'s "forkserver": a clean process
that forks each worker, never this threaded, event-looping one) that has imported `preload`
already, so a replacement takes milliseconds. At most `count` calls run at once; more wait
for a free worker. Arguments and results travel pickled through a pipe: pass bytes or plain
values, and module-level functions.
"""

import asyncio
import contextlib
import math
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
from collections.abc import Callable, Sequence
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")


class TooCostly(Exception):
    """The call went past its budget (or its worker died): nothing came of it."""


def _serve(connection: multiprocessing.connection.Connection) -> None:
    """The worker's loop: a call in, its result (or the exception it raised) out, until the
    server closes the pipe."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a worker killed by its CPU limit leaves no core
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle: it kills its workers
    while True:
        try:
            function, arguments, seconds = connection.recv()
        except (EOFError, OSError):
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        limit = math.ceil(usage.ru_utime + usage.ru_stime + seconds) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
        try:
            outcome: tuple[bool, Any] = (True, function(*arguments))
        except Exception as error:  # the caller's to raise, as if the call had been local
            outcome = (False, error)
        try:
            connection.send(outcome)
        except (EOFError, OSError):
            return
        except Exception as error:  # a result or an error that does not pickle
            connection.send((False, RuntimeError(f"{function.__name__} gave what cannot be sent back: {error!r}")))


class _Worker:
    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child,), name="rapporteur-worker", daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()

    async def call(self, function: Callable[..., T], arguments: tuple[Any, ...], seconds: float) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        await asyncio.to_thread(self.connection.send, (function, arguments, seconds))
        answered = loop.create_future()
        descriptor = self.connection.fileno()
        loop.add_reader(descriptor, lambda: answered.done() or answered.set_result(None))
        try:
            await asyncio.wait_for(answered, max(0.0, deadline - loop.time()))
        except TimeoutError:
            raise TooCostly(f"took more than {seconds:g} s") from None
        finally:
            loop.remove_reader(descriptor)
        try:
            # The answer is coming: read it whole off the loop (it may be megabytes).
            succeeded, value = await asyncio.wait_for(asyncio.to_thread(self.connection.recv), max(1.0, deadline - loop.time()))
        except (EOFError, OSError, TimeoutError):
            raise TooCostly(f"its worker stopped (exit code {self.process.exitcode}), past its CPU budget or out of memory") from None
        if not succeeded:
            raise value
        return value

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class Workers:
    """`await workers.run(function, *arguments, seconds=10)`: `function(*arguments)` in a worker
    process, or `TooCostly` after `seconds`."""

    def __init__(self, count: int, preload: Sequence[str] = ()) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._preload = list(preload)
        self._free = asyncio.Semaphore(count)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()

    def _start(self) -> _Worker:
        if self._preload:
            self._context.set_forkserver_preload(self._preload)  # type: ignore[attr-defined]
        return _Worker(self._context)

    async def run(self, function: Callable[..., T], *arguments: Any, seconds: float) -> T:
        async with self._free:
            # Starting the fork server the first time takes a while: off the loop.
            worker = self._idle.pop() if self._idle else await asyncio.to_thread(self._start)
            self._all.add(worker)
            try:
                result = await worker.call(function, arguments, seconds)
            except BaseException as error:
                if isinstance(error, Exception) and not isinstance(error, TooCostly) and worker.process.is_alive():
                    self._idle.append(worker)  # the function raised: the worker is fine
                else:
                    self._all.discard(worker)
                    await asyncio.to_thread(worker.kill)
                raise
            self._idle.append(worker)
            return result

    def close(self) -> None:
        """Kill every worker, busy or not (the server is stopping)."""
        for worker in self._all:
            worker.kill()
        self._all.clear()
        self._idle.clear()

    @property
    def pids(self) -> list[int]:
        """The workers' process ids, for tests and measurements."""
        return [worker.process.pid for worker in self._all if worker.process.pid is not None]


def worker_count() -> int:
    """Workers for a server process: CPU-heavy calls beyond the cores only queue anyway."""
    return max(1, min(2, os.cpu_count() or 1))
