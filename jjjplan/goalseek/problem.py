"""The scaled search problem of goal seek: candidates → margins and costs, by batch.

Why a module of its own: every evaluation of candidate levers goes through here, so "one
:func:`jjjplan.project_many` call per batch" holds in one place — the point and one forward
step per lever for a gradient, the integer neighbours, a Latin-hypercube sample — and, with
``robust``, every candidate is judged on the same assumption draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from jjjplan.batch import project_many
from jjjplan.goalseek.draws import assumption_draws
from jjjplan.goalseek.levers import LeverSpace
from jjjplan.targets import Target, indicator_values

COST_SCALE = 1e4  # 亿元: puts cumulative costs on the same footing as lever changes
STEP = 1e-3  # forward-difference step, as a share of each lever's range
SAFETY = 1e-5  # targets are sought with this relative margin, so rounding never misses them


class SeekCancelled(Exception):
    """The planner cancelled a running seek (raised between two batches of projections)."""


@dataclass(frozen=True)
class SeekProgress:
    """How far a running seek has got: batches of projections run, projections run, and the
    best worst-target margin seen so far as a share of its target value (≥ 0: all met)."""

    batches: int
    evaluations: int
    best_margin: float


class Evaluator:
    """Candidate lever vectors → margins and costs, each batch in one project_many call.

    ``data`` goes to every project_many call (None: the bundled data of the scenario's
    vintage). ``cancelled`` is asked before each batch (True stops the search with
    :class:`SeekCancelled`); ``progress`` is told after each batch."""

    def __init__(
        self,
        space: LeverSpace,
        targets: Sequence[Target],
        robust: float | None,
        n_draws: int,
        *,
        data: Any = None,
        cancelled: Callable[[], bool] | None = None,
        progress: Callable[[SeekProgress], None] | None = None,
    ):
        self.space, self.targets, self.robust = space, list(targets), robust
        base = dict(space.start.assumptions)
        self.draws = assumption_draws(base, n_draws) if robust else [base]
        self.data, self.cancelled, self.progress = data, cancelled, progress
        self.count = 0
        self.batches = 0
        self.best_margin = -np.inf
        self.scale = np.array([max(abs(t.value), 1e-6) for t in self.targets])

    def run(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Margins [K, n] (raw units, positive = met), share of draws met [K, n],
        investment [K] and fiscal cost [K] for lever vectors ``xs`` [K, d]."""
        if self.cancelled is not None and self.cancelled():
            raise SeekCancelled()
        xs = np.atleast_2d(xs)
        scenarios = []
        for x in xs:
            s = self.space.scenario(x)
            if self.robust:
                scenarios.extend(s.replace(assumptions=a) for a in self.draws)
            else:
                scenarios.append(s)
        batch = project_many(scenarios, data=self.data)
        self.count += len(scenarios)
        self.batches += 1
        k, d = len(xs), len(self.draws)
        margins = np.empty((k, len(self.targets)))
        share = np.empty_like(margins)
        for j, t in enumerate(self.targets):
            values = indicator_values(batch, t).reshape(k, d)
            share[:, j] = t.met(values).mean(axis=1)
            if not self.robust:
                margins[:, j] = t.slack(values[:, 0])
            else:
                # order statistics, so meeting the quantile means >= robust of the draws
                hi = np.quantile(values, self.robust, axis=1, method="higher")
                lo = np.quantile(values, 1 - self.robust, axis=1, method="lower")
                if t.op == "<=":
                    margins[:, j] = t.slack(hi)
                elif t.op == ">=":
                    margins[:, j] = t.slack(lo)
                else:
                    margins[:, j] = np.minimum(t.slack(hi), t.slack(lo))
        p = batch.projection  # costs from the batch arrays: [K·D, T, ...]
        invest = p.pole_investment[:, 1:].sum(axis=(1, 2)).reshape(k, d).mean(axis=1)
        comp = p.ledger.get("compensation")
        central = 0.0 if comp is None else comp[:, 1:].sum(axis=(1, 2)).reshape(k, d).mean(axis=1)
        fiscal = invest + central
        self._report(margins)
        return margins, share, invest, fiscal

    def _report(self, margins: np.ndarray) -> None:
        if len(self.targets):
            worst = (margins / self.scale).min(axis=1)
            self.best_margin = max(self.best_margin, float(worst.max()))
        if self.progress is not None:
            self.progress(SeekProgress(self.batches, self.count, self.best_margin))


class Problem:
    """The scaled search over the continuous free levers (integers held fixed)."""

    def __init__(self, ev: Evaluator, objective: str, fixed: np.ndarray):
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


def margin_objective(problem: Problem, weights: np.ndarray, change_weight: float):
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


def single_target_objective(problem: Problem, j: int):
    """Maximise target j's scaled margin (its best achievable value)."""

    return (lambda z: -float(problem.point(z)[1][j])), (lambda z: -problem.evaluate(z)[3][j])


def achieved_values(ev: Evaluator, x: np.ndarray) -> np.ndarray:
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
            out.append(float(indicator_values(project_many([s], data=ev.data), t)[0]))
    return np.array(out)
