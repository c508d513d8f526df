"""Sweep throughput and memory: where one chunk's time goes (stage by stage, in this
process), samples per second of ``jjjplan.explore`` on local processes and on a 2-worker
local Dask cluster (real scheduler + worker processes), a large sweep's wall time and peak
memory, and discovery's (PRIM) wall time and peak memory on that sweep.

Run: PYTHONPATH=. python benchmarks/bench_explore.py [--samples 8000] [--chunk 2000]
     PYTHONPATH=. python benchmarks/bench_explore.py --no-dask --large 1000000   # the goal
     PYTHONPATH=. python benchmarks/bench_explore.py --no-dask --large 100000 --discover
Needs the explore extra (dask[distributed], pyarrow, ema_workbench) and psutil. Peak memory
is the resident memory of this process plus its children (worker processes): RSS sampled
every 0.2 s, and on Linux PSS every 2 s (it counts the pages forked workers share with this
process once). CPU seconds (this process, its children) are the figure to compare between
runs on a loaded machine. Prints figures and ratios; nothing is asserted (goal: 1,000,000
samples < 120 s on 2 cores, memory bounded by the chunk size, not the sweep size).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pyarrow as pa

import jjjplan
from jjjplan.excel import read_workbook

ROOT = Path(__file__).resolve().parents[1]
WHERE = "bj_he_ratio@2035<=3.0"


class PeakMemory:
    """Peak resident memory of this process plus its children, sampled every 0.2 s, and the
    CPU seconds they used (this process's own, plus each child's last sample: a child that
    exits between two samples loses at most 0.2 s of it)."""

    def __init__(self) -> None:
        self.peak = 0
        self.peak_pss = 0  # Linux: shared pages split between the processes sharing them
        self._stop = threading.Event()
        self._child_cpu: dict[int, float] = {}

    @staticmethod
    def _pss(process: psutil.Process) -> int:
        """Proportional set size where the OS reports it (Linux), else 0. Forked workers
        share the parent's pages: RSS counts them once per process, PSS once in all."""
        try:
            return getattr(process.memory_full_info(), "pss", 0)
        except psutil.AccessDenied:
            return 0

    def _rss(self, with_pss: bool = True) -> int:
        me = psutil.Process()
        total, pss = me.memory_info().rss, self._pss(me) if with_pss else 0
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a child may exit meanwhile
                total += child.memory_info().rss
                pss += self._pss(child) if with_pss else 0
                cpu = child.cpu_times()
                self._child_cpu[child.pid] = cpu.user + cpu.system
        self.peak_pss = max(self.peak_pss, pss)
        return total

    def _own_cpu(self) -> float:
        cpu = psutil.Process().cpu_times()
        return cpu.user + cpu.system

    def _run(self) -> None:
        tick = 0
        while not self._stop.wait(0.2):
            tick += 1  # PSS every 2 s only: reading it costs this process CPU time
            self.peak = max(self.peak, self._rss(with_pss=tick % 10 == 0))
            self._monitor_cpu = time.thread_time()  # this sampling thread's own CPU time

    @property
    def cpu(self) -> tuple[float, float]:
        """(this process's CPU seconds without this sampling thread's, its children's)."""
        own = self._own_end - self._own_start - self._monitor_cpu
        return own, sum(self._child_cpu.values())

    def __enter__(self) -> PeakMemory:
        self._own_start = self._own_cpu()
        self.peak = self._rss()
        self._child_cpu.clear()
        self._monitor_cpu = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._own_end = self._own_cpu()


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def stages(scenario, chunk: int, repeat: int = 3) -> None:
    """One chunk, stage by stage, in this process as a worker runs it (one BLAS thread, the
    cyclic collector paused): CPU seconds, best of ``repeat`` after a warm-up chunk. A chunk
    enters the engine with lever arrays (``MemberBuilder.levers``, chain paths included);
    the chain paths alone, and the Scenario route it replaced (members built, then
    ``project_many``: the same numbers), are timed by separate calls for comparison."""
    import gc

    from threadpoolctl import threadpool_limits

    from jjjplan.batch import Batch, project_many
    from jjjplan.explore.members import MemberBuilder
    from jjjplan.explore.outcomes import outcome_columns
    from jjjplan.explore.sampling import chunk_inputs, sweep_space
    from jjjplan.explore.storage import ChunkStore
    from jjjplan.explore.sweep import OUTCOME_YEARS
    from jjjplan.model.engine import END_YEAR, resolve_data, run

    space = sweep_space(scenario)
    data = resolve_data([scenario])
    years = tuple(range(data.years[0], END_YEAR + 1))
    names = ("LHS inputs", "member levers", "engine", "outcomes", "table + Parquet file")
    best: list[float] = []
    with threadpool_limits(1), tempfile.TemporaryDirectory() as tmp:
        store = ChunkStore(Path(tmp), {})
        builder = MemberBuilder(space)
        for attempt in range(repeat + 1):
            gc.disable()
            t = [time.process_time()]
            values = chunk_inputs(space, 1, attempt, chunk)
            t.append(time.process_time())
            levers = builder.levers(values, data.units, data.base_year, years)
            t.append(time.process_time())
            batch = Batch(run(levers, data))
            t.append(time.process_time())
            columns = outcome_columns(batch, OUTCOME_YEARS)
            t.append(time.process_time())
            inputs = {c: values[:, j] for j, c in enumerate(space.columns)}
            store.write(attempt, pa.table({**inputs, **columns}))
            t.append(time.process_time())
            builder._chain_paths(values, 2024, years)
            t.append(time.process_time())
            project_many(space.scenarios(values))
            t.append(time.process_time())
            del levers, batch
            gc.enable()
            split = [b - a for a, b in itertools.pairwise(t)]
            if attempt and (not best or sum(split[:5]) < sum(best[:5])):
                best = split
    total = sum(best[:5])
    parts = ", ".join(f"{n} {s:.3f}" for n, s in zip(names, best, strict=False))
    scenario_route = best[0] + best[6] + sum(best[3:5])
    print(
        f"one chunk of {chunk} samples ({space.dims} inputs) as a worker runs it: {total:.2f} "
        f"CPU s = {chunk / total:,.0f} samples/s per core [{parts} s; within member levers: "
        f"chain paths {best[5]:.3f} s]; via Scenarios (members + project_many, same numbers) "
        f"{scenario_route:.2f} CPU s ({scenario_route / total:.1f}x)"
    )


@dataclass
class Timing:
    """One sweep's wall time, peak memory and CPU seconds (this process / its children)."""

    samples: int
    wall: float
    peak: int
    peak_pss: int
    cpu_parent: float
    cpu_children: float

    def line(self) -> str:
        cpu = self.cpu_parent + self.cpu_children
        return (
            f"{self.samples:,} samples in {self.wall:.1f} s = {self.samples / self.wall:,.0f} "
            f"samples/s, peak memory {mib(self.peak)} RSS ({mib(self.peak_pss)} PSS); CPU "
            f"{cpu:.1f} s (this process {self.cpu_parent:.1f}, children {self.cpu_children:.1f}) = "
            f"{cpu / self.samples * 1000:.3f} CPU s per 1,000 samples"
        )


def timed(
    scenario, samples: int, chunk: int, scheduler: str | None = None, out: Path | None = None
) -> Timing:
    with contextlib.ExitStack() as stack:
        if out is None:
            out = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            jjjplan.explore(
                scenario, samples=samples, seed=1, chunk_size=chunk, out=out, scheduler=scheduler
            )
            wall = time.perf_counter() - t0
    return Timing(samples, wall, mem.peak, mem.peak_pss, *mem.cpu)


def discover_on(folder: Path) -> None:
    """PRIM + feature scores for WHERE over a stored sweep (imports excluded)."""
    import warnings

    from jjjplan.explore import parse_where
    from jjjplan.explore.discovery import discover
    from jjjplan.explore.storage import read_metadata
    from jjjplan.explore.sweep import Sweep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import ema_workbench.analysis.feature_scoring
        import ema_workbench.analysis.prim  # noqa: F401
    spec = read_metadata(next((folder / "samples.parquet").glob("part-*.parquet")))["spec"]
    sweep = Sweep(spec, tuple(spec["inputs"]), folder, parse_where(WHERE))
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        d = discover(sweep)
        took = time.perf_counter() - t0
    print(
        f"discovery ({WHERE}) over {d.samples:,} samples: {took:.1f} s, peak memory "
        f"{mib(mem.peak)}; PRIM peeled {d.prim_samples:,}; share met {d.share_met:.1%}, "
        f"box coverage {d.coverage:.1%}, density {d.density:.1%}"
    )
    for words in d.box["words"]:
        print(f"  - {words}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster run")
    parser.add_argument("--no-stages", action="store_true", help="skip the one-chunk split")
    parser.add_argument("--large", type=int, default=0, help="also time a sweep this large")
    parser.add_argument("--discover", action="store_true", help="and discovery on it")
    args = parser.parse_args()
    scenario = read_workbook(ROOT / "workbooks" / "05-coordinated.xlsx")
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {os.cpu_count()} cores{load}")
    if not args.no_stages:
        stages(scenario, args.chunk)
    local = timed(scenario, args.samples, args.chunk)
    print(f"local processes: {local.line()}")
    if not args.no_dask:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            dask = timed(scenario, args.samples, args.chunk, cluster.scheduler_address)
        print(
            f"Dask 2 workers:  {dask.line()} (Dask/local time ratio {dask.wall / local.wall:.2f})"
        )
    if args.large:
        with tempfile.TemporaryDirectory() as out:
            large = timed(scenario, args.large, args.chunk, out=Path(out))
            size = sum(p.stat().st_size for p in (Path(out) / "samples.parquet").iterdir())
            print(
                f"large sweep: {large.line()}; 1,000,000 would take "
                f"{1e6 / args.large * large.wall:,.0f} s; peak memory vs {mib(local.peak)} at "
                f"{args.samples:,}; Parquet {mib(size)}"
            )
            if args.discover:
                discover_on(Path(out))
    load = f"load average at the end {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(load)


if __name__ == "__main__":
    main()
