"""Model speed: one project() call, a full Shapley run, and a batch of scenarios.

Run: .venv/bin/python benchmarks/bench_model.py
Prints medians over repeated runs; nothing here is asserted in tests.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import jjjplan
from jjjplan import GrowthPoles, Milestones, Reform, Scenario


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def batch(n: int) -> list[Scenario]:
    """n distinct scenarios sweeping the origin share and Baoding's pole weight."""
    out = []
    for i in range(n):
        bd = 0.1 + 0.5 * i / max(n - 1, 1)
        out.append(
            Scenario(
                name=f"s{i}",
                reform=Reform(origin_share=i / max(n - 1, 1)),
                poles=GrowthPoles(
                    weights={"TJ": 0.9 - bd, "BD": bd, "SJZ": 0.1},
                    investment=Milestones(0.005, 0.01, 0.01),
                ),
            )
        )
    return out


def gaps_of(s: Scenario):
    return jjjplan.project(s).gaps.loc[2035, "theil_t"]


def main() -> None:
    s = batch(2)[1]
    _ = jjjplan.project(s).gaps  # warm caches (data load, reference scenario)
    one = timed(lambda: jjjplan.project(s).gaps, 50)
    print(
        f"project() + gaps, one scenario: median {statistics.median(one) * 1e3:.2f} ms "
        f"(p95 {sorted(one)[int(0.95 * len(one)) - 1] * 1e3:.2f} ms, n=50)"
    )
    shap = timed(lambda: jjjplan.project(s).contributions, 10)
    print(
        f"Shapley contributions (16 projections + gaps): median "
        f"{statistics.median(shap) * 1e3:.1f} ms (n=10)"
    )
    scenarios = batch(200)
    t = time.perf_counter()
    for sc in scenarios:
        gaps_of(sc)
    seq = time.perf_counter() - t
    print(
        f"batch of 200 scenarios, sequential in one process: {seq:.2f} s "
        f"= {200 / seq:.0f} scenarios/s"
    )
    workers = os.cpu_count() or 1
    t = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(gaps_of, scenarios, chunksize=25))
    par = time.perf_counter() - t
    print(
        f"batch of 200 scenarios, {workers} worker processes (incl. start-up): {par:.2f} s "
        f"= {200 / par:.0f} scenarios/s"
    )


if __name__ == "__main__":
    main()
