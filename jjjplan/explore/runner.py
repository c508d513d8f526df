"""Evaluating chunks: one ``project_many`` call per chunk, on local processes or Dask.

A chunk is a pure function of (sweep spec, chunk index) — :func:`evaluate_chunk` — so it can
run anywhere and gives the same table. Workers return tables; only the calling process
writes files (a Dask cluster needs no shared disk), one complete chunk at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pyarrow as pa

from jjjplan.explore.outcomes import outcome_columns
from jjjplan.explore.sampling import SweepSpace, chunk_inputs
from jjjplan.scenario import Scenario


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be reached or used; the message is bilingual."""


@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker needs for its chunks (pickled once per task)."""

    space: SweepSpace
    seed: int
    samples: int
    chunk_size: int
    outcome_years: tuple[int, ...]
    data: object = None

    @property
    def n_chunks(self) -> int:
        return -(-self.samples // self.chunk_size)

    def size(self, chunk: int) -> int:
        return min(self.chunk_size, self.samples - chunk * self.chunk_size)


def evaluate_chunk(job: ChunkJob, chunk: int) -> pa.Table:
    """Inputs and outcomes of one chunk: ``sample`` id, input columns, then one column per
    indicator and outcome year (``bj_he_ratio@2035`` …)."""
    from jjjplan.batch import project_many

    values = chunk_inputs(job.space, job.seed, chunk, job.size(chunk))
    members: list[Scenario] = job.space.scenarios(values)
    batch = project_many(members, data=job.data)
    start = chunk * job.chunk_size
    columns: dict[str, np.ndarray] = {"sample": np.arange(start, start + len(members))}
    for j, name in enumerate(job.space.columns):
        columns[name] = np.ascontiguousarray(values[:, j])
    columns.update(outcome_columns(batch, job.outcome_years))
    return pa.table(columns)


def in_flight(workers: int) -> int:
    """Chunks submitted at once: enough to keep every worker busy while the caller writes
    the last result, few enough that memory is bounded by the chunk size, not the sweep."""
    return 2 * max(workers, 1)


def run_local(
    job: ChunkJob, chunks: Iterable[int], workers: int | None = None
) -> Iterator[tuple[int, pa.Table]]:
    """Chunks on local processes (in this process when one worker suffices), at most
    :func:`in_flight` at a time; a finished chunk is handed over and forgotten."""
    todo = list(chunks)
    workers = workers or min(os.cpu_count() or 1, len(todo)) or 1
    if workers <= 1 or len(todo) <= 1:
        for chunk in todo:
            yield chunk, evaluate_chunk(job, chunk)
        return
    pool = ProcessPoolExecutor(max_workers=workers)
    queue = iter(todo)
    pending: dict = {}
    try:
        while True:
            for chunk in islice(queue, in_flight(workers) - len(pending)):
                pending[pool.submit(evaluate_chunk, job, chunk)] = chunk
            if not pending:
                return
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield pending.pop(fut), fut.result()
    finally:  # Ctrl-C or an error: drop queued chunks, do not wait for running ones
        pool.shutdown(wait=False, cancel_futures=True)


def connect(address: str, timeout: float = 10.0):
    """A Dask ``Client`` for ``address`` (``tcp://host:port``), or a bilingual error."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise SchedulerError(
            "未安装 Dask：pip install 'jjjplan[explore]' / Dask is not installed: "
            "pip install 'jjjplan[explore]'"
        ) from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as err:
        raise SchedulerError(
            f"无法连接 Dask 调度器 {address}（{timeout:g} 秒内无应答）/ cannot reach the Dask "
            f"scheduler at {address} within {timeout:g} s: {type(err).__name__}: {err}"
        ) from None


def run_dask(job: ChunkJob, chunks: Iterable[int], address: str) -> Iterator[tuple[int, pa.Table]]:
    """Chunks as tasks on a Dask distributed cluster; results come back to this process.
    At most :func:`in_flight` chunks per worker thread are submitted at once, and a result
    is released on the cluster as soon as it is handed over."""
    from dask.distributed import as_completed as dask_completed

    client = connect(address)
    try:
        threads = sum(client.nthreads().values()) or 1
        job_future = client.scatter(job, broadcast=True)
        queue = iter(chunks)
        pending = {
            client.submit(evaluate_chunk, job_future, c, pure=False): c
            for c in islice(queue, in_flight(threads))
        }
        running = dask_completed(list(pending))
        for fut in running:
            chunk = pending.pop(fut)
            table = fut.result()
            fut.release()
            for nxt in islice(queue, 1):
                new = client.submit(evaluate_chunk, job_future, nxt, pure=False)
                pending[new] = nxt
                running.add(new)
            yield chunk, table
    finally:
        client.close()


def runner(
    scheduler: str | None, workers: int | None = None
) -> Callable[[ChunkJob, Iterable[int]], Iterator[tuple[int, pa.Table]]]:
    """Dask with a scheduler address, else local processes (``workers``, default all cores)."""
    if scheduler:
        return lambda job, chunks: run_dask(job, chunks, scheduler)
    return lambda job, chunks: run_local(job, chunks, workers)
