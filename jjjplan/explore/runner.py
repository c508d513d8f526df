"""Evaluating chunks: one engine call per chunk, on local processes or Dask.

A chunk is a pure function of (sweep spec, chunk index) — :func:`evaluate_chunk` — so it can
run anywhere and gives the same table. Local worker processes write their own chunks (same
disk; each file atomically, see :mod:`~.storage`) and report only the chunk index, so the
calling process does almost nothing and both cores project; Dask workers return tables and
the calling process writes them (a cluster needs no shared disk).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pyarrow as pa

from jjjplan.batch import Batch
from jjjplan.explore.members import MemberBuilder, collector_paused
from jjjplan.explore.outcomes import outcome_columns
from jjjplan.explore.sampling import SweepSpace, chunk_inputs
from jjjplan.explore.storage import ChunkStore
from jjjplan.model.engine import END_YEAR, resolve_data, run

#: What one chunk hands back: its index, and its table unless a worker already stored it.
Done = tuple[int, pa.Table | None]


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
    indicator and outcome year (``bj_he_ratio@2035`` …).

    The cyclic garbage collector is paused for the whole chunk: its ~70,000 member objects
    (none in a cycle; reference counting frees them when the chunk returns) would otherwise
    be walked by every collection that runs while the chunk is projected — 12-20% of a
    chunk's time (measured: 0.4-0.8 s of collections per 5 chunks of 2,000)."""
    with collector_paused():
        return _evaluate(job, chunk)


def project_chunk(space: SweepSpace, values: np.ndarray, data=None) -> Batch:
    """The projections of the members ``values`` describe (rows of sweep inputs): the
    engine entered with their lever arrays (:meth:`MemberBuilder.levers`), equal to the last
    bit to ``project_many(space.scenarios(values))`` without making ~30 objects per member
    and reading them back (tests pin the two equal)."""
    bd = resolve_data([space.levers.start], data)
    years = tuple(range(bd.years[0], END_YEAR + 1))  # the engine's projection years
    levers = MemberBuilder(space).levers(values, bd.units, bd.base_year, years)
    return Batch(run(levers, bd))


def _evaluate(job: ChunkJob, chunk: int) -> pa.Table:
    values = chunk_inputs(job.space, job.seed, chunk, job.size(chunk))
    batch = project_chunk(job.space, values, job.data)
    start = chunk * job.chunk_size
    columns: dict[str, np.ndarray] = {"sample": np.arange(start, start + len(batch))}
    for j, name in enumerate(job.space.columns):
        columns[name] = np.ascontiguousarray(values[:, j])
    columns.update(outcome_columns(batch, job.outcome_years))
    return pa.table(columns)


def in_flight(workers: int) -> int:
    """Chunks submitted at once: enough to keep every worker busy while the caller writes
    the last result, few enough that memory is bounded by the chunk size, not the sweep."""
    return 2 * max(workers, 1)


#: This worker process's job and store, sent once when the process starts (not per chunk).
_WORKER: dict[str, object] = {}


def _start_worker(job: ChunkJob, store: ChunkStore | None) -> None:
    """Worker set-up: one BLAS thread (the pool already has a process per core; BLAS's own
    threads would compete with the other worker for the same cores), and the job."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the explore extra
        pass
    else:
        threadpool_limits(1)
    _WORKER.update(job=job, store=store)


def _worker_chunk(chunk: int) -> Done:
    return _chunk(_WORKER["job"], chunk, _WORKER["store"])


def _chunk(job: ChunkJob, chunk: int, store: ChunkStore | None) -> Done:
    table = evaluate_chunk(job, chunk)
    if store is None:
        return chunk, table
    store.write(chunk, table)
    return chunk, None


def run_local(
    job: ChunkJob,
    chunks: Iterable[int],
    workers: int | None = None,
    store: ChunkStore | None = None,
) -> Iterator[Done]:
    """Chunks on local processes (in this process when one worker suffices), at most
    :func:`in_flight` at a time; a finished chunk is handed over and forgotten. With a
    ``store`` each worker writes its chunks itself and hands over ``(chunk, None)``."""
    todo = list(chunks)
    workers = workers or min(os.cpu_count() or 1, len(todo)) or 1
    if workers <= 1 or len(todo) <= 1:
        for chunk in todo:
            yield _chunk(job, chunk, store)
        return
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(job, store)
    )
    queue = iter(todo)
    pending: set = set()
    try:
        while True:
            for chunk in islice(queue, in_flight(workers) - len(pending)):
                pending.add(pool.submit(_worker_chunk, chunk))
            if not pending:
                return
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield fut.result()
    finally:
        # Ctrl-C or an error: queued chunks are dropped. Workers that write their own chunks
        # finish the one they are on (under a chunk's time), so that when this returns the
        # folder holds only complete chunk files; otherwise running chunks are not waited for.
        pool.shutdown(wait=store is not None, cancel_futures=True)


#: Seconds to wait for a Dask scheduler to answer (Dask retries the connection meanwhile).
CONNECT_TIMEOUT = 10.0


def connect(address: str, timeout: float | None = None):
    """A Dask ``Client`` for ``address`` (``tcp://host:port``), or a bilingual error after
    ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`)."""
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
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


def run_dask(
    job: ChunkJob, chunks: Iterable[int], address: str, store: ChunkStore | None = None
) -> Iterator[Done]:
    """Chunks as tasks on a Dask distributed cluster; results come back to this process
    (which writes them: ``store`` is not sent to the cluster, whose disks may differ).
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
) -> Callable[[ChunkJob, Iterable[int], ChunkStore | None], Iterator[Done]]:
    """Dask with a scheduler address, else local processes (``workers``, default all cores)."""
    if scheduler:
        return lambda job, chunks, store=None: run_dask(job, chunks, scheduler, store)
    return lambda job, chunks, store=None: run_local(job, chunks, workers, store)
