"""Sweep speed: 1,000 scenarios differing in levers AND assumptions, evaluated three ways.

1. ``jjjplan.project_many`` (the vectorised engine, one call for the whole batch);
2. a Python loop of ``jjjplan.project`` over the same scenarios;
3. EMA Workbench's ``SequentialEvaluator`` running the same model function (build the
   Scenario, project it, return 2035 Theil T), the usual way exploratory modelling is done.

Run: PYTHONPATH=. python benchmarks/bench_sweep.py [--n 1000] [--repeat 3]
Needs the benchmark extra: pip install -e .[bench]  (ema_workbench).
Prints seconds and ratios; nothing is asserted (timings belong here, not in tests).

Also printed: where the time goes (reading the scenarios into arrays, the engine, the gap
measures) at K = 1 and K = n, and what the 300x goal against EMA would need: EMA's time is
n × (its own overhead + one project()), so as project() gets faster EMA gets faster too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import time
import warnings

import numpy as np

import jjjplan
from jjjplan import GrowthPoles, Innovation, Milestones, Reform, Scenario
from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.batch import Batch
from jjjplan.model import engine
from jjjplan.model.inputs import compile_inputs
from jjjplan.results import Results
from jjjplan.scenario import END_YEAR

#: Assumptions drawn in the sweep (ids), each from its own distribution via ppf.
SWEPT_ASSUMPTIONS = (
    "beta_conv",
    "m_local",
    "eps_tech",
    "alpha_agglo",
    "eta_origin",
    "eta_dest",
    "mig_share",
    "tax_local_per_va",
)
LEVERS = ("origin_share", "relocation_2030", "investment_2030", "tech_share_2035", "bd_weight")


def design(n: int, seed: int = 20261130) -> list[dict[str, float]]:
    """n points: uniform numbers mapped to levers (own ranges) and assumptions (ppf)."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, len(LEVERS) + len(SWEPT_ASSUMPTIONS)))
    rows = []
    for row in u:
        point = {
            "origin_share": row[0],
            "relocation_2030": 3000.0 * row[1],
            "investment_2030": 0.02 * row[2],
            "tech_share_2035": 0.088 + 0.3 * row[3],
            "bd_weight": 0.05 + 0.5 * row[4],
        }
        for j, aid in enumerate(SWEPT_ASSUMPTIONS):
            point[aid] = float(ASSUMPTION_BY_ID[aid].ppf(row[len(LEVERS) + j]))
        rows.append(point)
    return rows


def scenario(name: str = "sweep", **p: float) -> Scenario:
    """The model input for one design point (shared by all three evaluations)."""
    bd = p["bd_weight"]
    return Scenario(
        name=name,
        poles=GrowthPoles(
            weights={"TJ": 0.9 - bd, "BD": bd, "SJZ": 0.1},
            relocation=Milestones(300.0, p["relocation_2030"], p["relocation_2030"]),
            investment=Milestones(0.0, p["investment_2030"], p["investment_2030"]),
        ),
        innovation=Innovation(share=Milestones(0.088, 0.088, p["tech_share_2035"])),
        reform=Reform(origin_share=p["origin_share"]),
        assumptions={aid: p[aid] for aid in SWEPT_ASSUMPTIONS},
    )


def model_function(**p: float) -> dict[str, float]:
    """EMA's model function: one scenario in, 2035 Theil T out (same model, one at a time)."""
    r = jjjplan.project(scenario(**p))
    return {"theil_t_2035": float(r.gaps["theil_t"].iloc[-1])}


#: CPU seconds of the best (fastest wall-clock) run of the last ``best`` call: on a shared
#: machine wall time includes waiting for a core, CPU time much less so.
LAST_CPU = 0.0


def best(fn, repeat: int) -> tuple[float, object]:
    global LAST_CPU
    runs, out = [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        runs.append((time.perf_counter() - t, time.process_time() - c))
    wall, LAST_CPU = min(runs)
    return wall, out


def stages(scenarios: list[Scenario], repeat: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each stage of ``project_many(scenarios).gaps`` (one scenario:
    of ``project(s).gaps``), best of ``repeat``: compile (scenarios -> arrays), engine (the
    rest of ``engine.run``), gaps (``Batch.gaps``; one scenario: ``Results.gaps``)."""
    bd = engine.resolve_data(scenarios)
    years = tuple(range(bd.years[0], END_YEAR + 1))
    t_compile, _ = best(lambda: compile_inputs(scenarios, bd.units, bd.base_year, years), repeat)
    c_compile = LAST_CPU
    t_run, projection = best(lambda: engine.run(scenarios, bd), repeat)
    c_run = LAST_CPU
    if len(scenarios) == 1:
        t_gaps, _ = best(lambda: Results(projection.member(0)).gaps, repeat)
    else:
        t_gaps, _ = best(lambda: Batch(projection).gaps, repeat)
    return {
        "compile": (t_compile, c_compile),
        "engine": (t_run - t_compile, c_run - c_compile),
        "gaps": (t_gaps, LAST_CPU),
    }


def print_stages(label: str, split: dict[str, tuple[float, float]], scale: float, unit: str):
    parts = "  ".join(f"{k} {w * scale:7.3f} (CPU {c * scale:.3f})" for k, (w, c) in split.items())
    print(f"{label} {parts} {unit}")


def run_ema(points: list[dict[str, float]]) -> tuple[float, np.ndarray]:
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from ema_workbench import (
        Model,
        RealParameter,
        ScalarOutcome,
        SequentialEvaluator,
        perform_experiments,
    )
    from ema_workbench import Scenario as EmaScenario

    names = list(points[0])
    model = Model("jjjplan", function=model_function)
    model.uncertainties = [RealParameter(k, -1e9, 1e9) for k in names]
    model.outcomes = [ScalarOutcome("theil_t_2035")]
    designs = [EmaScenario(f"s{i}", **p) for i, p in enumerate(points)]
    t = time.perf_counter()
    with SequentialEvaluator(model) as evaluator, contextlib.redirect_stderr(io.StringIO()):
        _, outcomes = perform_experiments(model, scenarios=designs, evaluator=evaluator)
    return time.perf_counter() - t, np.asarray(outcomes["theil_t_2035"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-ema", action="store_true", help="skip EMA Workbench")
    args = ap.parse_args()
    points = design(args.n)

    t_build, scenarios = best(lambda: [scenario(f"s{i}", **p) for i, p in enumerate(points)], 1)
    _ = jjjplan.project(scenarios[0]).gaps  # warm caches and imports

    def many():
        return jjjplan.project_many(scenarios).gaps["theil_t"].xs(2035, level="year")

    t_many, theil_many = best(many, args.repeat)
    c_many = LAST_CPU
    t_one, _ = best(lambda: jjjplan.project(scenarios[0]).gaps, max(args.repeat, 50))
    c_one = LAST_CPU

    def loop():
        return np.array([jjjplan.project(s).gaps["theil_t"].iloc[-1] for s in scenarios])

    t_loop, theil_loop = best(loop, 1)
    c_loop = LAST_CPU
    err = float(np.max(np.abs(theil_loop - theil_many.to_numpy()) / theil_loop))

    print(f"scenarios: {args.n} (levers {len(LEVERS)}, assumptions {len(SWEPT_ASSUMPTIONS)})")
    print(f"building the Scenario objects:        {t_build:8.3f} s")
    cpu_one = f"(CPU {c_one * 1e3:.2f} ms)"
    print(f"one project() + gaps:                 {t_one * 1e3:8.2f} ms  {cpu_one}")
    print(f"project_many (one call) + gaps:       {t_many:8.3f} s   (CPU {c_many:.3f} s)")
    print(f"loop of project() + gaps:             {t_loop:8.3f} s   (CPU {c_loop:.3f} s)")
    print(f"max relative difference many vs loop: {err:.1e}")
    cpu_ratio = f"(CPU {c_loop / c_many:.1f}x)"
    print(f"ratio loop / project_many:            {t_loop / t_many:8.1f}x  {cpu_ratio}")
    if not args.no_ema:
        c = time.process_time()
        t_ema, theil_ema = run_ema(points)
        c_ema = time.process_time() - c
        err_ema = float(np.max(np.abs(theil_ema - theil_many.to_numpy()) / theil_ema))
        print(f"EMA Workbench SequentialEvaluator:    {t_ema:8.3f} s   (CPU {c_ema:.3f} s)")
        print(f"max relative difference many vs EMA:  {err_ema:.1e}")
        cpu_ratio = f"(CPU {c_ema / c_many:.1f}x)"
        print(f"ratio EMA sequential / project_many:  {t_ema / t_many:8.1f}x  {cpu_ratio}")
        fair = t_ema / (t_many + t_build)
        print(f"ratio EMA / (build + project_many):   {fair:8.1f}x")
    # where the time goes, K = 1 and K = n
    split_one = stages(scenarios[:1], max(args.repeat, 50))
    split_many = stages(scenarios, args.repeat)
    print_stages("stages, one project():    ", split_one, 1e3, "ms")
    print_stages(f"stages, project_many({args.n}):", split_many, 1e3, "ms")
    years = END_YEAR - jjjplan.project(scenarios[0]).base_year  # projected years
    per_member = t_many / args.n
    print(
        f"per member at K={args.n}: {per_member * 1e6:.1f} us "
        f"({per_member / years * 1e6:.2f} us per projected member-year, {years} years); "
        f"at K=1: {t_one * 1e3:.2f} ms ({t_one / per_member:.0f}x a member's share of the batch)"
    )
    if not args.no_ema:
        # EMA's own cost per experiment beyond project() + gaps, from CPU times (wall times
        # of two separate one-off runs on a shared machine can differ by more than it)
        overhead = max(c_ema - c_loop, 0.0) / args.n
        need = t_ema / 300.0
        print(
            f"EMA per experiment (CPU): {c_ema / args.n * 1e3:.2f} ms = project()+gaps "
            f"{c_loop / args.n * 1e3:.2f} ms + EMA's own {overhead * 1e3:.2f} ms "
            "(building the Scenario, its bookkeeping)"
        )
        print(
            f"300x EMA needs project_many + gaps <= {need * 1e3:.1f} ms wall "
            f"({c_ema / 300.0 * 1e3:.1f} ms CPU, {c_ema / 300.0 / args.n * 1e6:.1f} us per "
            f"member); now {t_many * 1e3:.1f} ms wall, {c_many * 1e3:.1f} ms CPU"
        )
        floor = overhead * args.n
        print(
            f"if project() cost nothing, EMA would still take {floor:.2f} s CPU: "
            f"{floor / c_many:.0f}x today's project_many (CPU)"
        )
    print(f"timings are the best of {args.repeat} runs (EMA and the loop: one run)")
    if hasattr(os, "getloadavg"):  # POSIX only; a shared machine skews absolute times
        print("load average (1/5/15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
