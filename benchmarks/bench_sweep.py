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
n × (its own overhead + one model-function call), so as project() gets faster EMA gets faster
too. The evidence for that ceiling, all measured in the same run:

* EMA's own time per experiment: its run time minus the time spent inside the model function
  (the function is wrapped by a timer, so nothing is inferred from two separate runs);
* the EMA / project_many ratio as a function of project_many's cost per member, and the cost
  per member 300x needs;
* numpy's cost per element at [1000, 13] for the engine's op mix (add, multiply, exp, log,
  power, the [K, 13] @ [13, 3] province sums, the batched [13, 13] spillover products), and
  the element operations per member-year of the engine's yearly loop, counted from its code
  (:func:`loop_element_ops`): together the numpy floor of the loop for n members.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import time
import timeit
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


def timed(fn):
    """``fn`` wrapped to add its wall and CPU seconds to ``wrapper.spent``: what EMA spends
    inside the model function, so its own time is the rest of its run."""

    def wrapper(**p: float):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(**p)
        finally:
            wrapper.spent[0] += time.perf_counter() - t
            wrapper.spent[1] += time.process_time() - c

    wrapper.spent = [0.0, 0.0]
    return wrapper


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


def run_ema(points: list[dict[str, float]]) -> tuple[float, np.ndarray, list[float]]:
    """(wall seconds, 2035 Theil T per point, [wall, CPU] seconds inside the model function)."""
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
    function = timed(model_function)
    model = Model("jjjplan", function=function)
    model.uncertainties = [RealParameter(k, -1e9, 1e9) for k in names]
    model.outcomes = [ScalarOutcome("theil_t_2035")]
    designs = [EmaScenario(f"s{i}", **p) for i, p in enumerate(points)]
    t = time.perf_counter()
    with SequentialEvaluator(model) as evaluator, contextlib.redirect_stderr(io.StringIO()):
        _, outcomes = perform_experiments(model, scenarios=designs, evaluator=evaluator)
    return time.perf_counter() - t, np.asarray(outcomes["theil_t_2035"]), function.spent


# -- the numpy floor -------------------------------------------------------------------------
def loop_element_ops(n: int = 13, provinces: int = 3, lags: float = 5.0) -> dict[str, float]:
    """Element operations per member and projected year in ``engine.run``'s yearly loop with
    relocation, pole investment and tax sharing on (the sweep; chain filling off), counted
    from the loop's code: each ufunc or reduction costs one operation per element of its
    output (a reduction: per element of its input), a matrix product one multiply-add per
    term. ``n`` units, ``provinces`` province sums, ``lags`` the mean length of the future
    fiscal path a year updates ((T - To - 1) / 2 = 5 for 2025-2035)."""
    N, P, L = n, provinces, lags
    return {
        # add, subtract, multiply, divide, negative, maximum, fmin and reductions, by step:
        # baseline 5N (sum, yb / sum, beta x, gfe -, yb *=); population and Y 2N; capacity
        # 2P; relocation 6N + 1 (scale the arrivals 2N, Beijing's outflow 1, value added 2N,
        # migrants 2N); cap excess 2N + 2; agglomeration 3N; spillover 2N; pole capital 4N;
        # debt service and cohort receipts on the future fiscal path 4LP; fiscal spending
        # P + 2N; pole capital's yield 2N
        "add_mul": 28 * N + 3 * P + 3 + 4 * L * P,
        # baseline ln(yb / sum) and exp(g) 2N; the spillover's log and exp 2N
        "exp_log": 4 * N,
        # (P_new / P_b) ** alpha
        "power": N,
        # [N] x [N, 3] products: capacity, arrivals, the cohort's bases, y_core, pole
        # capital, the fiscal spread: 6NP
        "matmul_mac": 6 * N * P,
        # the spillover operator, one [N, N] matrix-vector product per member
        "spill_mac": N * N,
    }


def _op_timings(rows: int, n: int, repeat: int) -> dict[str, tuple[float, int]]:
    """{op: (best seconds per call, elements computed)} at [rows, n], preallocated outputs."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.5, 2.0, (rows, n)), rng.uniform(0.5, 2.0, (rows, n))
    r = np.empty_like(x)
    m3, m3_out = rng.uniform(0, 1, (n, 3)), np.empty((rows, 3))
    op, vec_out = rng.uniform(0, 1, (rows, n, n)), np.empty((rows, n, 1))
    vec = x[:, :, None]
    ops = {
        "add": (lambda: np.add(x, y, out=r), x.size),
        "multiply": (lambda: np.multiply(x, y, out=r), x.size),
        "exp": (lambda: np.exp(x, out=r), x.size),
        "log": (lambda: np.log(x, out=r), x.size),
        "power": (lambda: np.power(x, y, out=r), x.size),
        "matmul_mac": (lambda: np.matmul(x, m3, out=m3_out), rows * n * 3),
        "spill_mac": (lambda: np.matmul(op, vec, out=vec_out), rows * n * n),
    }
    number = 200 if rows > 1 else 5000
    return {
        name: (min(timeit.repeat(fn, number=number, repeat=repeat)) / number, elements)
        for name, (fn, elements) in ops.items()
    }


def numpy_costs(k: int = 1000, n: int = 13, repeat: int = 7) -> dict[str, tuple[float, float]]:
    """{op: (ns per output element (per multiply-add for products) at [k, n], µs per call at
    [1, n])}: the op mix of the engine, preallocated outputs, best of ``repeat``."""
    big, one = _op_timings(k, n, repeat), _op_timings(1, n, repeat)
    return {name: (t / elements * 1e9, one[name][0] * 1e6) for name, (t, elements) in big.items()}


def print_floor(
    n_members: int, years: int, measured_engine: float, ema_per_experiment: float | None
) -> None:
    """The numpy floor of the yearly loop for ``n_members`` (counted ops × measured cost),
    and the highest EMA ratio it allows: EMA's time per experiment over the floor's time
    per member, as if project_many were nothing but its yearly loop at numpy's speed."""
    costs = numpy_costs()
    count = loop_element_ops()
    ns = {
        "add_mul": (costs["add"][0] + costs["multiply"][0]) / 2,
        "exp_log": (costs["exp"][0] + costs["log"][0]) / 2,
        "power": costs["power"][0],
        "matmul_mac": costs["matmul_mac"][0],
        "spill_mac": costs["spill_mac"][0],
    }
    print(
        "numpy cost at [1000, 13] (ns per element; products per multiply-add) and per call "
        "at [1, 13] (us): "
        + ", ".join(f"{k} {v[0]:.2f} ns / {v[1]:.2f} us" for k, v in costs.items())
    )
    per_member_year = sum(count[k] * ns[k] for k in count)
    total_ops = sum(count.values())
    floor = per_member_year * years * n_members * 1e-9
    print(
        "yearly loop, element ops per member-year (counted from engine.run's loop, "
        "bench_sweep.loop_element_ops): "
        + ", ".join(f"{k} {v:.0f}" for k, v in count.items())
        + f" = {total_ops:.0f}; at the costs above {per_member_year:.0f} ns per member-year"
    )
    print(
        f"numpy floor of the yearly loop alone for {n_members} members x {years} years: "
        f"{floor * 1e3:.1f} ms (measured engine stage incl. set-up: "
        f"{measured_engine * 1e3:.1f} ms)"
    )
    if ema_per_experiment is not None:
        each = floor / n_members
        print(
            "highest EMA ratio that floor allows (EMA per experiment "
            f"{ema_per_experiment * 1e3:.2f} ms / {each * 1e6:.2f} us per member): "
            f"{ema_per_experiment / each:.0f}x"
        )


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
    # distinct scenarios: nothing remembered from the previous call (sharing schedules)
    few = scenarios[: min(len(scenarios), 200)]
    t_few, _ = best(lambda: [jjjplan.project(s).gaps for s in few], args.repeat)
    t_distinct, c_distinct = t_few / len(few), LAST_CPU / len(few)

    def loop():
        return np.array([jjjplan.project(s).gaps["theil_t"].iloc[-1] for s in scenarios])

    t_loop, theil_loop = best(loop, 1)
    c_loop = LAST_CPU
    err = float(np.max(np.abs(theil_loop - theil_many.to_numpy()) / theil_loop))

    print(f"scenarios: {args.n} (levers {len(LEVERS)}, assumptions {len(SWEPT_ASSUMPTIONS)})")
    print(f"building the Scenario objects:        {t_build:8.3f} s")
    cpu_one = f"(CPU {c_one * 1e3:.2f} ms)"
    print(f"one project() + gaps:                 {t_one * 1e3:8.2f} ms  {cpu_one}")
    cpu_distinct = f"(CPU {c_distinct * 1e3:.2f} ms)"
    print(
        f"  ... {len(few)} distinct scenarios, per call: {t_distinct * 1e3:5.2f} ms  {cpu_distinct}"
    )
    print(f"project_many (one call) + gaps:       {t_many:8.3f} s   (CPU {c_many:.3f} s)")
    print(f"loop of project() + gaps:             {t_loop:8.3f} s   (CPU {c_loop:.3f} s)")
    print(f"max relative difference many vs loop: {err:.1e}")
    cpu_ratio = f"(CPU {c_loop / c_many:.1f}x)"
    print(f"ratio loop / project_many:            {t_loop / t_many:8.1f}x  {cpu_ratio}")
    if not args.no_ema:
        c = time.process_time()
        t_ema, theil_ema, inside = run_ema(points)
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
        # EMA's own cost per experiment: its run minus the time inside the model function
        own_wall, own_cpu = (t_ema - inside[0]) / args.n, (c_ema - inside[1]) / args.n
        f_wall, f_cpu = inside[0] / args.n, inside[1] / args.n
        per_exp, cpu_exp = t_ema / args.n * 1e3, c_ema / args.n * 1e3
        print(
            f"EMA per experiment: {per_exp:.2f} ms wall (CPU {cpu_exp:.2f}) = model function "
            f"(build the Scenario, project, gaps) {f_wall * 1e3:.2f} ms (CPU {f_cpu * 1e3:.2f})"
            f" + EMA's own {own_wall * 1e3:.2f} ms (CPU {own_cpu * 1e3:.2f})"
        )
        need = t_ema / 300.0 / args.n
        print(
            f"300x EMA needs project_many + gaps <= {need * 1e6:.1f} us per member wall "
            f"({need * args.n * 1e3:.1f} ms for {args.n}); now {per_member * 1e6:.1f} us"
        )
        print("EMA / project_many as a function of project_many's cost per member (EMA fixed):")
        for cost in (per_member, 50e-6, 30e-6, 20e-6, need, 10e-6):
            print(f"  {cost * 1e6:6.1f} us per member -> {t_ema / args.n / cost:6.0f}x")
        print(
            f"if project() cost nothing, EMA would still take {own_wall * args.n:.2f} s "
            f"(its own time): {own_wall * args.n / t_many:.0f}x today's project_many, and 300x "
            f"of that alone needs {own_wall / 300 * 1e6:.1f} us per member"
        )
    ema_each = None if args.no_ema else t_ema / args.n
    print_floor(args.n, years, split_many["engine"][0] + split_many["compile"][0], ema_each)
    print(f"timings are the best of {args.repeat} runs (EMA and the loop: one run)")
    if hasattr(os, "getloadavg"):  # POSIX only; a shared machine skews absolute times
        print("load average (1/5/15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
