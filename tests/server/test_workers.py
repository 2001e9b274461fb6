"""Worker processes with an answer-time budget (server/workers.py), as real processes."""

import asyncio
import os
import time

import pytest

from events.errors import DomainError
from server.workers import OverBudget, WorkerDied, Workers


def refuse(code: str) -> None:
    raise DomainError(code, "refused in a worker")


@pytest.fixture
async def workers() -> Workers:
    pool = Workers(size=1)
    yield pool
    await pool.close()


async def test_a_job_runs_in_another_process_and_its_result_comes_back(workers: Workers) -> None:
    assert await workers.run(10, os.getpid) != os.getpid()
    assert await workers.run(10, sum, [1, 2, 3]) == 6


async def test_an_error_raised_in_a_job_reaches_the_caller_with_its_code(workers: Workers) -> None:
    with pytest.raises(DomainError) as raised:
        await workers.run(10, refuse, "not_a_report")
    assert (raised.value.code, raised.value.message) == ("not_a_report", "refused in a worker")
    assert await workers.run(10, sum, [1]) == 1  # the worker is still there


async def test_a_job_past_its_budget_is_cut_off_and_its_worker_replaced(workers: Workers) -> None:
    before = await workers.run(10, os.getpid)
    started = time.monotonic()
    with pytest.raises(OverBudget):
        await workers.run(0.3, time.sleep, 60)
    assert time.monotonic() - started < 5
    after = await workers.run(10, os.getpid)
    assert after != before
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # the runaway is gone, not left computing


async def test_a_job_whose_caller_goes_away_stops_its_worker(workers: Workers) -> None:
    before = await workers.run(10, os.getpid)
    job = asyncio.create_task(workers.run(60, time.sleep, 60))
    await asyncio.sleep(0.3)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert await workers.run(10, os.getpid) != before


async def test_jobs_beyond_the_pool_wait_for_a_free_worker_within_their_budget(workers: Workers) -> None:
    busy = asyncio.create_task(workers.run(10, time.sleep, 1))
    await asyncio.sleep(0.1)
    with pytest.raises(OverBudget):
        await workers.run(0.3, sum, [1])  # the only worker stays busy past this budget
    await busy
    assert await workers.run(10, sum, [2]) == 2


async def test_a_worker_that_dies_mid_job_is_replaced_and_the_caller_told_how_it_ended(workers: Workers) -> None:
    before = await workers.run(10, os.getpid)
    with pytest.raises(WorkerDied, match=r"exited \(3\)"):
        await workers.run(10, os._exit, 3)
    assert await workers.run(10, os.getpid) != before


async def test_long_jobs_leave_a_worker_for_the_others() -> None:
    """However many imports are posted at once, a rendering still finds a worker at once."""
    pool = Workers(size=2)
    try:
        await asyncio.gather(pool.run(10, sum, [1]), pool.run(10, sum, [1]))  # both workers started
        long_jobs = [asyncio.create_task(pool.run_long(10, time.sleep, 1)) for _ in range(2)]
        await asyncio.sleep(0.2)
        assert await pool.run(0.5, sum, [2]) == 2
        await asyncio.gather(*long_jobs)  # the second waited for the first, within its budget
        busy = asyncio.create_task(pool.run_long(10, time.sleep, 1))
        await asyncio.sleep(0.1)
        with pytest.raises(OverBudget):
            await pool.run_long(0.3, sum, [3])  # waiting for the long jobs' worker counts
        await busy
    finally:
        await pool.close()
