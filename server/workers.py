"""Worker processes for CPU-heavy work, each job with an answer-time budget.

Pure-Python work holds the GIL: run in a thread, it stalls the event loop all the same, and
every drafter of every report waits for one rendering of a long report. `Workers` runs such a
function in one of a few processes of its own instead, and the loop only waits for the answer.

Guarantees:
- at most `size` jobs run at once; the others wait for a free worker, within their budget;
  long jobs (`run_long`) at most `size - 1` (and 1), so that they never take every worker;
- a job that is not answered within its budget (waiting included) raises `OverBudget`, and
  the process running it is killed and replaced: a runaway job costs its budget, no more;
- a job whose caller goes away (a client that disconnected) is stopped the same way;
- a worker that dies mid-job (the system killing it for its memory) is replaced, and the
  caller gets WorkerDied with its exit status;
- what the function raises is raised to the caller (it must be picklable, as are its
  arguments and its result: pass encoded bytes rather than large object graphs, which cost
  more to pickle than to encode with msgspec).

Processes are started by a forkserver (never forked from the server, whose threads and
Redis connections they must not inherit), lazily, on the first job. They ignore SIGINT: the
server decides when they stop, and `close()` stops them.
"""

import asyncio
import concurrent.futures
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

DEFAULT_SIZE = 2


class OverBudget(Exception):
    """The job was not answered within its budget; its worker was replaced."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"not done within {budget:g} s")
        self.budget = budget


class WorkerDied(RuntimeError):
    """The worker process ended before it answered (killed by the system for its memory, say);
    it was replaced. Said with its exit status, rather than as the pipe's bare EOFError."""

    def __init__(self, exit_code: int | None) -> None:
        how = f"was killed by signal {-exit_code}" if exit_code is not None and exit_code < 0 else f"exited ({exit_code})"
        super().__init__(f"the worker process {how} before it answered")
        self.exit_code = exit_code


def budget_from_environment(variable: str, default: float) -> float:
    """A job's budget in seconds, from the environment variable `variable` (for tests and slow
    machines), or `default`. A value that is not a number above 0 is refused at start-up, naming
    the variable: 0 would refuse every job, and a typo would otherwise go unnoticed."""
    value = os.environ.get(variable)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{variable} is a number of seconds, not {value!r}") from None
    if not seconds > 0:
        raise ValueError(f"{variable} is a number of seconds above 0, not {value!r}")
    return seconds


def _serve(connection: multiprocessing.connection.Connection) -> None:
    """A worker's life: run each (function, arguments) received, send back what came of it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = connection.recv_bytes()
        except EOFError:
            return  # the server closed its end, or died
        try:
            function, args = pickle.loads(message)
            outcome: tuple[bool, object] = (True, function(*args))
        except Exception as error:  # noqa: BLE001 - handed to the caller, who raises it
            outcome = (False, error)
        try:
            connection.send(outcome)
        except Exception as error:  # noqa: BLE001 - an unpicklable result or error
            connection.send((False, RuntimeError(f"the worker could not send its answer back: {error!r}")))


class _Worker:
    """One process and our end of its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.connection, child = multiprocessing.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True, name="rapporteur-worker")
        self.process.start()
        child.close()

    def call(self, function: Callable[..., object], args: tuple[object, ...]) -> tuple[bool, object]:
        """Blocking: in a thread of the pool's own, never on the loop."""
        self.connection.send((function, args))
        return self.connection.recv()

    def kill(self) -> None:
        """At once (a signal): a thread blocked on the pipe then gets EOFError and ends."""
        self.process.kill()

    def reap(self) -> None:
        """Blocking, after `kill`: the process's exit status collected, the pipe closed."""
        self.process.join()
        self.connection.close()


class Workers:
    """A bounded pool of worker processes, shared by the whole server process."""

    def __init__(self, size: int = DEFAULT_SIZE, preload: Sequence[str] = ()) -> None:
        """`preload`: modules the forkserver imports once, so that a new worker (the first
        ones, or one replacing a killed one) starts with them already imported."""
        self._size = size
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))
        # A thread per running job waits on its pipe, so the loop never blocks on it; as many
        # again start and reap processes, even while every job's thread is still waiting.
        self._threads = concurrent.futures.ThreadPoolExecutor(2 * size, thread_name_prefix="workers")
        # Long jobs (imports: seconds each) take at most all workers but one, so that however
        # many are posted at once, the short ones (renderings, checks) still find a worker.
        self._long_jobs = asyncio.Semaphore(max(1, size - 1))
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._starting = asyncio.Lock()
        self._closed = False

    async def _start(self) -> asyncio.Queue[_Worker]:
        async with self._starting:
            if self._idle is None:
                idle: asyncio.Queue[_Worker] = asyncio.Queue()
                for _ in range(self._size):
                    idle.put_nowait(await self._new_worker())
                self._idle = idle
        return self._idle

    async def _new_worker(self) -> _Worker:
        # Starting one asks the forkserver (and starts it, the first time): not on the loop.
        worker = await asyncio.get_running_loop().run_in_executor(self._threads, _Worker, self._context)
        self._all.add(worker)
        return worker

    async def _replace(self, worker: _Worker) -> _Worker | None:
        worker.kill()
        self._all.discard(worker)
        await asyncio.get_running_loop().run_in_executor(self._threads, worker.reap)
        return None if self._closed else await self._new_worker()

    async def run(self, budget: float, function: Callable[..., T], *args: object) -> T:
        """`function(*args)` in a worker: its result, or its exception raised here; `OverBudget`
        if it is not answered within `budget` seconds, waiting for a free worker included."""
        if self._closed:
            raise RuntimeError("the workers are closed")
        idle = self._idle or await self._start()
        worker: _Worker | None = None
        stopped: _Worker | None = None
        try:
            async with asyncio.timeout(budget):
                worker = await idle.get()
                done, value = await asyncio.get_running_loop().run_in_executor(self._threads, worker.call, function, args)
        except BaseException as error:
            if worker is not None:
                # Cut off mid-job (budget spent, the caller gone, or the process died): it may be
                # busy for long yet, or hold half an answer in its pipe. Replace it.
                stopped, worker = worker, None
                worker = await self._replace(stopped)
            if isinstance(error, TimeoutError):
                raise OverBudget(budget) from None
            if stopped is not None and isinstance(error, (EOFError, OSError)):  # the pipe closed: it is gone
                raise WorkerDied(stopped.process.exitcode) from error
            raise
        finally:
            if worker is not None:
                idle.put_nowait(worker)
        if not done:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]

    async def run_long(self, budget: float, function: Callable[..., T], *args: object) -> T:
        """`run`, for a job that may take seconds (an import): it waits, within its budget, while
        all workers but one are busy with such jobs, so that one is left for the others."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(budget):
                await self._long_jobs.acquire()
        except TimeoutError:
            raise OverBudget(budget) from None
        try:
            return await self.run(budget - (loop.time() - started), function, *args)
        finally:
            self._long_jobs.release()

    async def close(self) -> None:
        """Stop every worker; a job still running gets an error."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        loop = asyncio.get_running_loop()
        for worker in list(self._all):
            await loop.run_in_executor(self._threads, worker.reap)
        self._all.clear()
        self._threads.shutdown(wait=False)
