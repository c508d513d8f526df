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
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.stats import qmc

from jjjplan.goalseek.levers import LeverSpace, SeekError, lever_space, resolve_free
from jjjplan.goalseek.problem import (
    Evaluator,
    Problem,
    SeekProgress,
    achieved_values,
    margin_objective,
    single_target_objective,
)
from jjjplan.goalseek.result import OBJECTIVES, SeekResult, build_result, lever_effects
from jjjplan.scenario import Scenario
from jjjplan.targets import Target, parse_target

__all__ = ["DEFAULT_DRAWS", "OBJECTIVES", "SeekResult", "lever_effects", "seek"]

DEFAULT_DRAWS = 16


def _integer_neighbours(ev: Evaluator, problem: Problem, x: np.ndarray) -> np.ndarray:
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


def _feasible(margins: np.ndarray, ev: Evaluator) -> bool:
    return bool((margins >= -1e-9 * np.maximum(1.0, ev.scale)).all())


def _snap(ev: Evaluator, x: np.ndarray, x0: np.ndarray) -> np.ndarray:
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
    data: Any = None,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[SeekProgress], None] | None = None,
) -> SeekResult:
    """Find lever settings of ``scenario`` that meet ``targets``.

    ``free``: levers to search (default :data:`~jjjplan.goalseek.levers.FREE_LEVERS`, all
    numeric levers of the four pathways); ``lock``: levers held where they are.
    ``objective``: one of :data:`OBJECTIVES`. ``robust``: share of assumption draws
    (``n_draws`` common Latin-hypercube draws) in which every target must hold.
    ``data``: the baseline data to search on — a :class:`jjjplan.baseline.Dataset` (e.g. a
    planner's data workbook read by :func:`jjjplan.baseline.resolve`) or None for the bundled
    data of the scenario's vintage; every projection of the search uses it.
    ``cancelled``: asked before every batch of projections; True stops the search with
    :class:`~jjjplan.goalseek.problem.SeekCancelled`. ``progress``: called after every batch
    with a :class:`~jjjplan.goalseek.problem.SeekProgress` (both for the dashboard's
    background seek; scripts leave them out).
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
    ev = Evaluator(
        space,
        targets,
        float(robust) if robust else None,
        n_draws,
        data=data,
        cancelled=cancelled,
        progress=progress,
    )
    problem = Problem(ev, objective, space.clean(space.x0))

    x0 = space.clean(space.x0)
    x, best = _search(ev, problem, x0)
    return build_result(ev, problem, scenario, x, best, objective, started)


def _search(
    ev: Evaluator, problem: Problem, x0: np.ndarray
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
                return _snap(ev, _toward(ev, problem, x, y), x0), None
            if _feasible(ev.run(seed)[0][0], ev):  # the search walked off a feasible seed
                found = [_toward(ev, problem, near, seed) for near in (x, y)]
                return _snap(ev, min(found, key=lambda c: _score(problem, c)), x0), None
    if len(points) == 1:  # one target: its closest point is the compromise
        return points[0], best
    prio = np.array([10.0 ** (1 - t.priority) for t in ev.targets])
    fun, grad = margin_objective(problem, prio, 1e-4)
    return problem.solve(x, fun, grad, targets_on=False), best


def _toward(ev: Evaluator, problem: Problem, near: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """The feasible point closest to ``near`` on the segment from ``near`` to ``feasible``,
    if it scores better than ``feasible`` (two batches of 17 points).

    Why: where the response is kinked (robust quantiles switch between draws, caps bind)
    SLSQP can stop just short of the targets; a restart from the far corner of the lever box
    then meets them at a much higher cost. Walking back along the segment recovers a point
    next to the nearly-feasible one. The lever box and the pole-weight simplex are convex,
    so every point of the segment is allowed."""
    lo, hi = 0.0, 1.0  # near + t (feasible - near): infeasible at lo (or untested), met at hi
    best = feasible
    for _ in range(2):
        ts = np.linspace(lo, hi, 17)
        xs = np.array([ev.space.clean(near + t * (feasible - near)) for t in ts])
        margins = ev.run(xs)[0]
        ok = [i for i in range(len(ts)) if _feasible(margins[i], ev)]
        if not ok:
            break
        i = ok[0]
        best = xs[i]
        if i == 0:
            break
        lo, hi = ts[i - 1], ts[i]
    if best is feasible:
        return feasible
    return best if _score(problem, best) <= _score(problem, feasible) else feasible


def _score(problem: Problem, x: np.ndarray) -> float:
    """The objective at ``x`` (one projection batch)."""
    _, _, invest, fiscal = problem.ev.run(x)
    return problem.score(x, invest[0], fiscal[0])


def _sample_best(ev: Evaluator) -> np.ndarray:
    """The point of a Latin-hypercube sample of the lever box (one batch) that falls least
    short of the targets."""
    seeds = _sample(ev.space, max(8, 4 * len(ev.space.low)))
    margins, *_ = ev.run(seeds)
    shortfall = np.sum(np.minimum(margins / ev.scale, 0.0) ** 2, axis=1)
    return seeds[int(np.argmin(shortfall))]


def _polish_integers(ev: Evaluator, problem: Problem, x: np.ndarray) -> np.ndarray:
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
    ev: Evaluator, problem: Problem, x: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each target's best achievable value on its own, and the levers that achieve it."""
    best = np.empty(len(ev.targets))
    points = []
    for j in range(len(ev.targets)):
        fun, grad = single_target_objective(problem, j)
        y = problem.solve(x, fun, grad, targets_on=False)
        y = _polish_integers_for(ev, problem, y, j)
        best[j] = achieved_values(ev, y)[j]
        points.append(y)
    return best, points


def _polish_integers_for(ev: Evaluator, problem: Problem, x: np.ndarray, j: int) -> np.ndarray:
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
