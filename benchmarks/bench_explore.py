"""Sweep throughput: samples per second of ``jjjplan.explore`` on local processes and on a
2-worker local Dask cluster (real scheduler + worker processes), and a large sweep's wall
time and peak memory (psutil, this process and its children).

Run: PYTHONPATH=. python benchmarks/bench_explore.py [--samples 4000] [--chunk 1000]
     PYTHONPATH=. python benchmarks/bench_explore.py --large 1000000   # the issue's goal
Needs the explore extra (dask[distributed], pyarrow, ema_workbench). Prints figures and the
Dask/local ratio; nothing is asserted. Each sample builds one Scenario and is projected in
its chunk's single project_many call; discovery (PRIM) is not timed here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

import jjjplan
from jjjplan.excel import read_workbook

ROOT = Path(__file__).resolve().parents[1]


class PeakMemory:
    """Peak resident memory of this process plus its children, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    def _rss(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a child may exit meanwhile
                total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakMemory:
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed(scenario, samples: int, chunk: int, scheduler: str | None = None) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as out, PeakMemory() as mem:
        t0 = time.perf_counter()
        jjjplan.explore(
            scenario, samples=samples, seed=1, chunk_size=chunk, out=out, scheduler=scheduler
        )
        return time.perf_counter() - t0, mem.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4_000)
    parser.add_argument("--chunk", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=0, help="also time a sweep this large")
    args = parser.parse_args()
    scenario = read_workbook(ROOT / "workbooks" / "05-coordinated.xlsx")
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"machine: {os.cpu_count()} cores{load}")
    local, local_mem = timed(scenario, args.samples, args.chunk)
    print(
        f"local processes: {args.samples} samples in {local:.1f} s = "
        f"{args.samples / local:,.0f} samples/s, peak memory {local_mem / 2**20:,.0f} MiB"
    )

    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        dask_s, dask_mem = timed(scenario, args.samples, args.chunk, cluster.scheduler_address)
    print(
        f"Dask 2 workers:  {args.samples} samples in {dask_s:.1f} s = "
        f"{args.samples / dask_s:,.0f} samples/s, peak memory {dask_mem / 2**20:,.0f} MiB "
        f"(Dask/local time ratio {dask_s / local:.2f})"
    )
    if args.large:
        large, large_mem = timed(scenario, args.large, 2_000)
        print(
            f"large sweep: {args.large:,} samples in {large:.0f} s "
            f"({args.large / large:,.0f} samples/s), peak memory {large_mem / 2**20:,.0f} MiB "
            "(goal: < 120 s; memory bounded by the chunk size)"
        )


if __name__ == "__main__":
    main()
