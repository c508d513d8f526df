"""Goal seek: the lever settings that meet planners' targets at least change or cost.

How: the free levers (:mod:`jjjplan.goalseek.levers`) are scaled to [0, 1] and searched by
``scipy.optimize.minimize(method="SLSQP")`` — targets are inequality constraints, pole
weights a linear equality (100%), bounds the allowed lever ranges. Gradients are forward
differences computed by ONE :func:`jjjplan.project_many` call per iteration (the point and
one step per lever), so a vectorised engine speeds the whole search. The response is
kinked (tax-sharing thresholds, caps, integer years), so:

* integer levers are fixed during a continuous search, then every whole-number neighbour
  (±2) is tried in one batch and the search is polished again with the best;
* if the search from the starting scenario fails, a Latin-hypercube sample of the lever box
  (one batch) seeds a second search;
* if targets still cannot be met, each target's best achievable value is found on its own,
  and the returned scenario is the priority-weighted closest compromise — never an exception.

Objectives: ``min-change`` (sum of squared changes, each as a share of the lever's allowed
range), ``min-investment`` (cumulative extra pole investment 2024–2035, 亿元) and
``min-fiscal-cost`` (that investment plus central one-off compensation, 亿元), the last two
with a small change penalty so levers without cost stay where they were.
``robust=p`` judges every candidate on the same assumption draws: a ≤ target must hold at
the p-quantile, a ≥ target at the (1−p)-quantile, so it is met in ≥ p of the draws.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import qmc

from jjjplan.batch import project_many
from jjjplan.goalseek.draws import assumption_draws
from jjjplan.goalseek.levers import LeverSpace, SeekError, lever_space, resolve_free
from jjjplan.scenario import Scenario
from jjjplan.targets import Target, indicator_values, parse_target

__all__ = ["OBJECTIVES", "SeekResult", "lever_effects", "seek"]

OBJECTIVES = {
    "min-change": ("最小改动", "smallest change from the starting scenario"),
    "min-fiscal-cost": (
        "最低财政成本",
        "least fiscal cost (pole investment + central compensation)",
    ),
    "min-investment": ("最少投资", "least extra pole investment"),
}
COST_SCALE = 1e4  # 亿元: puts cumulative costs on the same footing as lever changes
STEP = 1e-3  # forward-difference step, as a share of each lever's range
SAFETY = 1e-5  # targets are sought with this relative margin, so rounding never misses them
DEFAULT_DRAWS = 16


@dataclass(frozen=True)
class SeekResult:
    """What goal seek found.

    ``table``: one row per target — target, required, achieved, margin (positive = met),
    met, best_possible (closest achievable value with these free levers) and, when robust,
    p_met (share of assumption draws meeting it). ``changes``: one row per moved lever.
    """

    scenario: Scenario
    met: bool
    table: pd.DataFrame
    message: str
    changes: pd.DataFrame
    objective: str
    investment: float  # cumulative extra pole investment 2024–2035, 亿元
    fiscal_cost: float  # investment + central one-off compensation, 亿元
    evaluations: int
    seconds: float
    robust: float | None = None
    start: Scenario | None = field(default=None, repr=False)


class _Evaluator:
    """Candidate lever vectors → margins and costs, each batch in one project_many call."""

    def __init__(
        self, space: LeverSpace, targets: Sequence[Target], robust: float | None, n_draws: int
    ):
        self.space, self.targets, self.robust = space, list(targets), robust
        base = dict(space.start.assumptions)
        self.draws = assumption_draws(base, n_draws) if robust else [base]
        self.count = 0
        self.scale = np.array([max(abs(t.value), 1e-6) for t in self.targets])

    def run(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Margins [K, n] (raw units, positive = met), share of draws met [K, n],
        investment [K] and fiscal cost [K] for lever vectors ``xs`` [K, d]."""
        xs = np.atleast_2d(xs)
        scenarios = []
        for x in xs:
            s = self.space.scenario(x)
            if self.robust:
                scenarios.extend(s.replace(assumptions=a) for a in self.draws)
            else:
                scenarios.append(s)
        batch = project_many(scenarios)
        self.count += len(scenarios)
        k, d = len(xs), len(self.draws)
        margins = np.empty((k, len(self.targets)))
        share = np.empty_like(margins)
        for j, t in enumerate(self.targets):
            values = indicator_values(batch, t).reshape(k, d)
            share[:, j] = t.met(values).mean(axis=1)
            if not self.robust:
                margins[:, j] = t.slack(values[:, 0])
            else:
                hi = np.quantile(values, self.robust, axis=1)
                lo = np.quantile(values, 1 - self.robust, axis=1)
                if t.op == "<=":
                    margins[:, j] = t.slack(hi)
                elif t.op == ">=":
                    margins[:, j] = t.slack(lo)
                else:
                    margins[:, j] = np.minimum(t.slack(hi), t.slack(lo))
        invest = np.empty(k * d)
        comp = np.empty(k * d)
        for m in range(k * d):
            p = batch[m].projection
            invest[m] = p.pole_investment[1:].sum()
            comp[m] = p.ledger["compensation"][1:].sum() if "compensation" in p.ledger else 0.0
        invest = invest.reshape(k, d).mean(axis=1)
        fiscal = invest + comp.reshape(k, d).mean(axis=1)
        return margins, share, invest, fiscal


class _Problem:
    """The scaled search over the continuous free levers (integers held fixed)."""

    def __init__(self, ev: _Evaluator, objective: str, fixed: np.ndarray):
        self.ev, self.objective = ev, objective
        sp = ev.space
        self.low, self.span = sp.low, sp.high - sp.low
        self.span = np.where(self.span > 0, self.span, 1.0)
        self.z_start = (sp.x0 - self.low) / self.span
        self.fixed = fixed.copy()  # full x; integer entries are used
        self.free = np.flatnonzero(~sp.integer)
        self._cache: dict[bytes, tuple] = {}

    def x_of(self, zc: np.ndarray) -> np.ndarray:
        x = self.fixed.copy()
        x[self.free] = self.low[self.free] + self.span[self.free] * zc
        return x

    def z_of(self, x: np.ndarray) -> np.ndarray:
        return (x[self.free] - self.low[self.free]) / self.span[self.free]

    def change(self, x: np.ndarray) -> float:
        z = (x - self.low) / self.span
        return float(np.sum((z - self.z_start) ** 2))

    def score(self, x: np.ndarray, invest: float, fiscal: float) -> float:
        if self.objective == "min-change":
            return self.change(x)
        cost = invest if self.objective == "min-investment" else fiscal
        return cost / COST_SCALE + 1e-3 * self.change(x)

    def _points(self, zs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Objective [K] and scaled margins [K, n] at scaled points ``zs`` (one batch)."""
        xs = np.array([self.x_of(z) for z in zs])
        margins, _, invest, fiscal = self.ev.run(xs)
        f = np.array([self.score(xs[i], invest[i], fiscal[i]) for i in range(len(xs))])
        return f, margins / self.ev.scale

    def point(self, zc: np.ndarray) -> tuple[float, np.ndarray]:
        """Objective and scaled margins at ``zc`` (cached: SLSQP asks for both)."""
        zc = np.clip(np.asarray(zc, dtype=float), 0.0, 1.0)
        key = zc.tobytes()
        if key not in self._cache:
            f, c = self._points(zc[None, :])
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = (f[0], c[0])
        return self._cache[key]

    def evaluate(self, zc: np.ndarray):
        """Objective, its gradient, scaled margins and their Jacobian at ``zc``: the point
        and one forward step per lever in ONE project_many call."""
        zc = np.clip(np.asarray(zc, dtype=float), 0.0, 1.0)
        key = b"grad" + zc.tobytes()
        if key not in self._cache:
            n = len(zc)
            steps = np.where(zc + STEP <= 1.0, STEP, -STEP)
            pts = np.repeat(zc[None, :], n + 1, axis=0)
            pts[np.arange(1, n + 1), np.arange(n)] += steps
            f, c = self._points(pts)
            grad_f = (f[1:] - f[0]) / steps
            jac_c = ((c[1:] - c[0]) / steps[:, None]).T
            self._cache[zc.tobytes()] = (f[0], c[0])
            self._cache[key] = (f[0], grad_f, c[0], jac_c)
        return self._cache[key]

    def constraints(self, targets_on: bool) -> list[dict]:
        cons = []
        w = self.ev.space.weight_index()
        if len(w):
            pos = [int(np.flatnonzero(self.free == i)[0]) for i in w]
            fixed_sum = 0.0  # weights are never integer, so every weight is free
            a = np.zeros(len(self.free))
            a[pos] = self.span[w]
            base = float(self.low[w].sum()) + fixed_sum
            cons.append({"type": "eq", "fun": lambda z: a @ z + base - 1.0, "jac": lambda z: a})
        if targets_on:
            cons.append(
                {
                    "type": "ineq",
                    "fun": lambda z: self.point(z)[1] - SAFETY,
                    "jac": lambda z: self.evaluate(z)[3],
                }
            )
        return cons

    def solve(
        self, x_start: np.ndarray, fun=None, grad=None, targets_on=True, maxiter=40
    ) -> np.ndarray:
        """SLSQP from ``x_start`` (default objective, or ``fun``/``grad`` on the scaled
        free levers); returns the full lever vector, cleaned."""
        if fun is None:
            fun, grad = (lambda z: self.point(z)[0]), (lambda z: self.evaluate(z)[1])
        res = minimize(
            fun,
            np.clip(self.z_of(x_start), 0.0, 1.0),
            jac=grad,
            bounds=[(0.0, 1.0)] * len(self.free),
            constraints=self.constraints(targets_on),
            method="SLSQP",
            options={"maxiter": maxiter, "ftol": 1e-7},
        )
        return self.ev.space.clean(self.x_of(res.x))


def _margin_objective(problem: _Problem, weights: np.ndarray, change_weight: float):
    """Σ weight·max(0, −margin)² + change_weight·change: the closest compromise."""

    def dz(z):
        return np.clip(z, 0, 1) - problem.z_start[problem.free]

    def fun(z):
        short = np.minimum(problem.point(z)[1], 0.0)
        return float(np.sum(weights * short**2)) + change_weight * float(dz(z) @ dz(z))

    def grad(z):
        _, _, c, jac = problem.evaluate(z)
        short = np.minimum(c, 0.0)
        return (2 * weights * short) @ jac + 2 * change_weight * dz(z)

    return fun, grad


def _single_target_objective(problem: _Problem, j: int):
    """Maximise target j's scaled margin (its best achievable value)."""

    return (lambda z: -float(problem.point(z)[1][j])), (lambda z: -problem.evaluate(z)[3][j])


def _integer_neighbours(ev: _Evaluator, problem: _Problem, x: np.ndarray) -> np.ndarray:
    """Try every whole-number neighbour (±2) of the integer levers in one batch; keep the
    best (all targets met first, then the objective, then the least shortfall)."""
    idx = np.flatnonzero(ev.space.integer)
    if not len(idx):
        return x
    options = [
        [v for v in range(int(x[i]) - 2, int(x[i]) + 3) if ev.space.low[i] <= v <= ev.space.high[i]]
        for i in idx
    ]
    cands = []
    for combo in itertools.product(*options):
        c = x.copy()
        c[idx] = combo
        cands.append(c)
    xs = np.array(cands)
    margins, _, invest, fiscal = ev.run(xs)
    short = np.minimum(margins / ev.scale, 0.0)
    keys = [
        (
            not (short[i] >= -1e-9).all(),
            float(np.sum(short[i] ** 2)),
            problem.score(xs[i], invest[i], fiscal[i]),
        )
        for i in range(len(xs))
    ]
    return xs[min(range(len(xs)), key=keys.__getitem__)]


def _feasible(margins: np.ndarray, ev: _Evaluator) -> bool:
    return bool((margins >= -1e-9 * np.maximum(1.0, ev.scale)).all())


def _snap(ev: _Evaluator, x: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """Levers moved by less than 0.1% of their range go back to where they started
    (optimiser noise, not a change a planner should read), if the targets still hold."""
    span = ev.space.high - ev.space.low
    tiny = np.abs(x - x0) < 1e-3 * np.where(span > 0, span, 1.0)
    if not tiny.any():
        return x
    y = ev.space.clean(np.where(tiny, x0, x))
    return y if _feasible(ev.run(y)[0][0], ev) else x


def seek(
    scenario: Scenario,
    targets: Sequence[Target | str],
    free: Sequence[str] | None = None,
    objective: str = "min-change",
    robust: float | None = None,
    *,
    lock: Sequence[str] = (),
    n_draws: int = DEFAULT_DRAWS,
) -> SeekResult:
    """Find lever settings of ``scenario`` that meet ``targets``.

    ``free``: levers to search (default :data:`~jjjplan.goalseek.levers.FREE_LEVERS`, all
    numeric levers of the four pathways); ``lock``: levers held where they are.
    ``objective``: one of :data:`OBJECTIVES`. ``robust``: share of assumption draws
    (``n_draws`` common Latin-hypercube draws) in which every target must hold.
    Infeasible targets give ``met=False`` and the closest achievable values, never an error;
    a malformed request (unknown lever or objective, bad target text) raises SeekError or
    TargetError with a bilingual message.
    """
    started = time.perf_counter()
    if objective not in OBJECTIVES:
        raise SeekError(
            f"未知目标函数 {objective!r}，可选：{', '.join(OBJECTIVES)} / unknown objective "
            f"{objective!r}; choose one of: {', '.join(OBJECTIVES)}"
        )
    if robust is not None and not 0.5 <= float(robust) < 1.0:
        raise SeekError(
            f"稳健概率应在 0.5–0.99 之间，实际为 {robust!r} / robust must be a probability in "
            f"[0.5, 1), found {robust!r}"
        )
    targets = [t if isinstance(t, Target) else parse_target(t) for t in targets]
    if not targets:
        targets = list(getattr(scenario, "targets", ()) or ())
    if not targets:
        raise SeekError("没有目标 / no targets to seek (give targets or fill the Targets sheet)")
    space = lever_space(scenario, resolve_free(free, lock))
    ev = _Evaluator(space, targets, float(robust) if robust else None, n_draws)
    problem = _Problem(ev, objective, space.clean(space.x0))

    x0 = space.clean(space.x0)
    x, best = _search(ev, problem, x0)
    return _result(ev, problem, scenario, x, best, objective, started)


def _search(
    ev: _Evaluator, problem: _Problem, x0: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """The found levers, and each target's best achievable value when not all can be met.

    Constrained search from the start (then integer neighbours). If that fails, each
    target's best value is found on its own; if every one is achievable, the search is
    restarted from those points and from the best of a Latin-hypercube sample of the lever
    box; otherwise (or if that fails too) the closest compromise is returned."""
    if _feasible(ev.run(x0)[0][0], ev):
        return x0, None
    x = _polish_integers(ev, problem, problem.solve(x0))
    if _feasible(ev.run(x)[0][0], ev):
        return _snap(ev, x, x0), None
    best, points = _best_each(ev, problem, x)
    achievable = all(t.met(v) for t, v in zip(ev.targets, best, strict=True))
    if achievable:
        for seed in (*points, _sample_best(ev)):
            problem.fixed = seed.copy()
            y = _polish_integers(ev, problem, problem.solve(seed))
            if _feasible(ev.run(y)[0][0], ev):
                return _snap(ev, y, x0), None
    if len(points) == 1:  # one target: its closest point is the compromise
        return points[0], best
    prio = np.array([10.0 ** (1 - t.priority) for t in ev.targets])
    fun, grad = _margin_objective(problem, prio, 1e-4)
    return problem.solve(x, fun, grad, targets_on=False), best


def _sample_best(ev: _Evaluator) -> np.ndarray:
    """The point of a Latin-hypercube sample of the lever box (one batch) that falls least
    short of the targets."""
    seeds = _sample(ev.space, max(8, 4 * len(ev.space.low)))
    margins, *_ = ev.run(seeds)
    shortfall = np.sum(np.minimum(margins / ev.scale, 0.0) ** 2, axis=1)
    return seeds[int(np.argmin(shortfall))]


def _polish_integers(ev: _Evaluator, problem: _Problem, x: np.ndarray) -> np.ndarray:
    if not ev.space.integer.any():
        return x
    y = _integer_neighbours(ev, problem, x)
    if np.array_equal(y[ev.space.integer], x[ev.space.integer]):
        return x
    problem.fixed = y.copy()
    return problem.solve(y)


def _sample(space: LeverSpace, n: int) -> np.ndarray:
    u = qmc.LatinHypercube(d=len(space.low), seed=7).random(n)
    return np.array([space.clean(space.low + r * (space.high - space.low)) for r in u])


def _best_each(
    ev: _Evaluator, problem: _Problem, x: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each target's best achievable value on its own, and the levers that achieve it."""
    best = np.empty(len(ev.targets))
    points = []
    for j in range(len(ev.targets)):
        fun, grad = _single_target_objective(problem, j)
        y = problem.solve(x, fun, grad, targets_on=False)
        y = _polish_integers_for(ev, problem, y, j)
        best[j] = _values(ev, y)[j]
        points.append(y)
    return best, points


def _polish_integers_for(ev: _Evaluator, problem: _Problem, x: np.ndarray, j: int) -> np.ndarray:
    """Integer neighbours judged on target ``j`` alone."""
    idx = np.flatnonzero(ev.space.integer)
    if not len(idx):
        return x
    options = [range(int(ev.space.low[i]), int(ev.space.high[i]) + 1, 2) for i in idx]
    cands = [x]
    for combo in itertools.product(*options):
        c = x.copy()
        c[idx] = combo
        cands.append(c)
    margins, *_ = ev.run(np.array(cands))
    return cands[int(np.argmax(margins[:, j]))]


def _values(ev: _Evaluator, x: np.ndarray) -> np.ndarray:
    """Achieved indicator values at ``x`` (the judged quantile when robust)."""
    margins, *_ = ev.run(x)
    out = []
    for t, m in zip(ev.targets, margins[0], strict=True):
        if t.op == "<=":
            out.append(t.value - m)
        elif t.op == ">=":
            out.append(t.value + m)
        else:  # = : the side is not recoverable from the margin; recompute directly
            s = ev.space.scenario(x)
            out.append(float(indicator_values(project_many([s]), t)[0]))
    return np.array(out)


def _result(ev, problem, start, x, best, objective, started) -> SeekResult:
    space = ev.space
    found = space.scenario(x)
    margins, share, invest, fiscal = ev.run(x)
    achieved = _values(ev, x)
    met_each = margins[0] >= -1e-9 * np.maximum(1.0, ev.scale)
    table = pd.DataFrame(
        {
            "target": [t.key for t in ev.targets],
            "indicator": [t.label for t in ev.targets],
            "required": [f"{t.op} {t.value:g}" for t in ev.targets],
            "value": [t.value for t in ev.targets],
            "achieved": achieved,
            "margin": margins[0],
            "met": met_each,
            "best_possible": best if best is not None else achieved,
        }
    )
    if ev.robust:
        table["p_met"] = share[0]
    changes = _changes(space, x)
    met = bool(met_each.all())
    seconds = time.perf_counter() - started
    return SeekResult(
        scenario=found.replace(name=_found_name(start.name)),
        met=met,
        table=table,
        message=_message(ev, table, changes, met, objective),
        changes=changes,
        objective=objective,
        investment=float(invest[0]),
        fiscal_cost=float(fiscal[0]),
        evaluations=ev.count,
        seconds=seconds,
        robust=ev.robust,
        start=start,
    )


def lever_effects(result: SeekResult) -> pd.DataFrame:
    """Why each change was made: every target's achieved value with that one change undone
    (all other found levers kept), minus the value achieved — one project_many call.
    Rows = changed levers, columns = target keys."""
    from jjjplan.goalseek.levers import undo_change

    changed = list(result.changes["lever"])
    if not changed or result.start is None:
        return pd.DataFrame(index=pd.Index(changed, name="lever"))
    targets = [parse_target(k) for k in result.table["target"]]
    start = lever_space(result.start, resolve_free(None)).start
    rows = [undo_change(result.scenario, start, lever) for lever in changed]
    batch = project_many([result.scenario, *rows])
    out = {}
    for t in targets:
        values = indicator_values(batch, t)
        out[t.key] = values[1:] - values[0]
    return pd.DataFrame(out, index=pd.Index(changed, name="lever"))


def _found_name(name: str) -> str:
    suffix = " 目标反推 seek"
    return name if name.endswith(suffix) else f"{name}{suffix}"


def _changes(space: LeverSpace, x: np.ndarray) -> pd.DataFrame:
    x0 = space.clean(space.x0)
    rows = []
    for var, a, b in zip(space.variables, x0, x, strict=True):
        if abs(b - a) > 1e-9 * max(1.0, abs(a)):
            rows.append(
                {
                    "lever": var.name,
                    "start": a,
                    "found": b,
                    "change": b - a,
                    "share_of_range": (b - a) / var.span,
                }
            )
    return pd.DataFrame(rows, columns=["lever", "start", "found", "change", "share_of_range"])


def _message(
    ev: _Evaluator, table: pd.DataFrame, changes: pd.DataFrame, met: bool, objective: str
) -> str:
    zh_obj, en_obj = OBJECTIVES[objective]
    robust = f"（在 {ev.robust:.0%} 的参数抽样中成立）" if ev.robust else ""
    robust_en = f" (holding in {ev.robust:.0%} of assumption draws)" if ev.robust else ""
    if met:
        head = (
            f"已找到满足全部 {len(table)} 个目标的方案{robust}，目标函数：{zh_obj}；调整了 "
            f"{len(changes)} 个杠杆 / found levers meeting all {len(table)} target(s)"
            f"{robust_en} at {en_obj}; {len(changes)} lever value(s) changed"
        )
        return head
    lines = [
        f"无法同时满足全部目标{robust}；以下为可达到的最接近值 / the targets cannot all "
        f"be met{robust_en}; closest achievable values:"
    ]
    for row in table.itertuples():
        if not row.met:
            lines.append(
                f"  {row.target}: 最接近可达 closest achievable {row.best_possible:.4g}"
                f"（折中方案 compromise {row.achieved:.4g}）"
            )
    return "\n".join(lines)
