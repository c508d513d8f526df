"""Uncertainty timings: an ensemble, a Sobol sensitivity design, the dashboard's bands.

Run: .venv/bin/python benchmarks/bench_uncertainty.py [--draws 1000] [--sobol-n 1024]
     [--dash-draws 500] [--repeat 3]
Prints wall-clock seconds (best of --repeat) and the engine's per-member cost in a batch
versus one ``project()`` call, which tells the loop engine (ratio ~1) from the vectorised
one (ratio << 1). Goals (issue 10): ensemble of 1,000 draws <= 0.3 s, dashboard bands with
500 draws <= 150 ms. When --sobol-n is below 1,024 the full-size time is also given,
extrapolated linearly in the number of projections (and labelled so). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import jjjplan
from jjjplan.uncertainty import dashboard_bands, ensemble, sensitivity
from jjjplan.uncertainty.dashboard import dashboard_bands_and_probability
from jjjplan.uncertainty.design import uncertain_assumptions
from jjjplan.uncertainty.gsa import runs_needed


def best(fn, repeat: int) -> float:
    """Best wall-clock seconds of ``repeat`` runs; the CPU seconds of that run are kept in
    ``LAST_CPU`` (on a shared machine, wall time includes waiting for a core)."""
    global LAST_CPU
    runs = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t, time.process_time() - c))
    wall, LAST_CPU = min(runs)
    return wall


LAST_CPU = 0.0


def engine_ratio(k: int = 50) -> tuple[float, float]:
    """(ms per member inside one project_many batch, ms per single project() call)."""
    base = jjjplan.Scenario.baseline()
    scenarios = [base.replace(name=f"m{i}") for i in range(k)]
    batch = best(lambda: jjjplan.project_many(scenarios).gaps, 2) / k * 1e3
    single = best(lambda: [jjjplan.project(s).gaps for s in scenarios[:10]], 2) / 10 * 1e3
    return batch, single


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--sobol-n", type=int, default=1024)
    ap.add_argument("--dash-draws", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    s = jjjplan.Scenario.baseline()
    d = len(uncertain_assumptions())

    per_member, per_call = engine_ratio()
    kind = "vectorised" if per_member < 0.5 * per_call else "loop"
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"engine: {per_member:.2f} ms/member in a batch vs {per_call:.2f} ms per project()"
          f" -> {kind} engine")  # fmt: skip

    t = best(lambda: ensemble(s, draws=args.draws, seed=0).bands(), args.repeat)
    print(f"ensemble + bands, {args.draws} draws x {d} assumptions: {t:.3f} s "
          f"(CPU {LAST_CPU:.3f} s; goal <= 0.3 s for 1,000)")  # fmt: skip

    dashboard_bands(s, draws=args.dash_draws, seed=0)  # builds the cached design
    moved = s.replace(reform=dataclasses.replace(s.reform, origin_share=0.3))
    t = best(lambda: dashboard_bands(moved, draws=args.dash_draws, seed=0), args.repeat)
    print(f"dashboard bands on lever release, {args.dash_draws} draws: {t * 1e3:.0f} ms "
          f"(CPU {LAST_CPU * 1e3:.0f} ms; goal <= 150 ms)")  # fmt: skip

    # what the dashboard runs on every release: the scenario's bands and P(better than the
    # baseline) on common draws; the baseline's draws are projected on the first call only
    baseline = s.replace(name="baseline")
    dashboard_bands_and_probability(s, baseline, args.dash_draws, 0)
    t = best(lambda: dashboard_bands_and_probability(moved, baseline, args.dash_draws, 0),
             args.repeat)  # fmt: skip
    print(f"dashboard bands + P(better) on lever release, {args.dash_draws} draws: "
          f"{t * 1e3:.0f} ms (CPU {LAST_CPU * 1e3:.0f} ms; goal: well under 90 ms)")  # fmt: skip

    runs = runs_needed("sobol", d, args.sobol_n)
    t = best(lambda: sensitivity(s, "theil_t", 2035, "sobol", args.sobol_n, 0), 1)
    print(f"Sobol sensitivity, n = {args.sobol_n} ({runs:,} projections): {t:.1f} s "
          f"(CPU {LAST_CPU:.1f} s; {runs / t:,.0f} projections/s)")  # fmt: skip
    if args.sobol_n < 1024:
        full = runs_needed("sobol", d, 1024)
        print(f"  extrapolated to n = 1024 ({full:,} projections): {t * full / runs:.0f} s")


if __name__ == "__main__":
    main()
