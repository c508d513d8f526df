"""Scenario discovery over a sweep: EMA Workbench's PRIM and feature scoring.

PRIM (``ema_workbench.analysis.prim``) peels the input space towards the samples where
the ``where`` condition holds; its trajectory trades coverage (share of all such samples
inside the box) for density (share of the box's samples that meet the condition). The
chosen box is the most covering one whose density reaches :func:`density_goal` (else the
densest),
described lever by lever in planners' units with PRIM's quasi-p-values. Feature scores
(extra trees, EMA's ``feature_scoring``) rank every input for the continuous outcome.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.explore.sampling import ASSUMPTION_PREFIX
from jjjplan.scenario import LEVERS

if TYPE_CHECKING:
    from jjjplan.explore.sweep import Sweep

#: PRIM's density threshold: a box is "found" when 80% of its samples meet the condition.
THRESHOLD = 0.8
#: Feature scoring fits extra trees on at most this many samples (time bounded, seeded).
SCORING_ROWS = 5_000


@dataclass(frozen=True)
class Discovery:
    """PRIM and feature-scoring results for one ``where`` condition."""

    condition: str
    share_met: float
    goal: float  # density the chosen box had to reach
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim per peeling step
    chosen: int  # row of ``trajectory``
    box: pd.DataFrame  # restricted inputs: low, high, range low/high, qp values, words
    scores: pd.DataFrame  # input, score (descending)

    @property
    def coverage(self) -> float:
        return float(self.trajectory["coverage"].iloc[self.chosen])

    @property
    def density(self) -> float:
        return float(self.trajectory["density"].iloc[self.chosen])


def input_label(column: str) -> tuple[str, str, str, bool]:
    """(zh, en, unit, percent) of an input column (lever variable or assumption)."""
    if column.startswith(ASSUMPTION_PREFIX):
        a = ASSUMPTION_BY_ID[column[len(ASSUMPTION_PREFIX) :]]
        return a.name_zh, a.name_en, a.unit, a.unit.startswith("%")
    for path, spec in LEVERS.items():
        if column == path or column.startswith(path + "."):
            unit = column[len(path) + 1 :]
            zh, en = spec.name_zh, spec.name_en
            if unit:
                zh, en = f"{zh}（{unit}）", f"{en} ({unit})"
            return zh, en, spec.unit, spec.percent
    return column, column, "", False


_UNITLESS = {"", "share", "0–1", "0-1", "index", "ratio"}


def _fmt(value: float, percent: bool) -> str:
    return f"{value:.1%}" if percent else f"{value:,.3g}"


def box_words(column: str, low: float, high: float, lo_all: float, hi_all: float) -> str:
    """A restricted input in plain bilingual words."""
    zh, en, unit, pct = input_label(column)
    u = "" if pct or unit in _UNITLESS else f" {unit}"
    lo, hi = _fmt(low, pct) + u, _fmt(high, pct) + u
    if low > lo_all and high < hi_all:
        return f"{zh} 在 {lo} 至 {hi} 之间 / {en} between {lo} and {hi}"
    if low > lo_all:
        return f"{zh} 不低于 {lo} / {en} at least {lo}"
    return f"{zh} 不高于 {hi} / {en} at most {hi}"


def density_goal(share_met: float) -> float:
    """The density a chosen box must reach: 80%, or halfway from the sweep's own share of
    samples meeting the condition to 100% when that share is already high."""
    return max(THRESHOLD, (1 + share_met) / 2)


def _prim(x: pd.DataFrame, y: np.ndarray, threshold: float):
    with warnings.catch_warnings():  # EMA warns about optional ipyparallel on import
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        finder = prim.Prim(x, y, threshold=threshold)
        return finder.find_box()


def _choose(trajectory: pd.DataFrame, goal: float) -> int:
    """The most covering box whose density reaches ``goal`` (else the densest)."""
    dense = trajectory.index[trajectory["density"] >= goal]
    if len(dense) and trajectory.loc[dense, "res_dim"].max() > 0:
        ok = trajectory.loc[dense]
        ok = ok[ok["res_dim"] > 0] if (ok["res_dim"] > 0).any() else ok
        return int(trajectory.index.get_loc(ok["coverage"].idxmax()))
    return int(np.argmax(trajectory["density"].to_numpy()))


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Extra-trees feature scores (EMA ``get_ex_feature_scores``) for continuous ``y``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.feature_scoring import get_ex_feature_scores
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    if len(x) > SCORING_ROWS:
        keep = np.random.default_rng(seed).choice(len(x), SCORING_ROWS, replace=False)
        x, y = x.iloc[np.sort(keep)], y[np.sort(keep)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = get_ex_feature_scores(
            x.reset_index(drop=True), y, mode=RuleInductionType.REGRESSION, random_state=seed
        )
    frame = scores.reset_index()
    frame.columns = ["input", "score"]
    return frame.sort_values("score", ascending=False).reset_index(drop=True)


def discover(sweep: Sweep) -> Discovery:
    """PRIM box and feature scores for ``sweep.where`` over ``sweep.samples``."""
    target = sweep.where
    if target is None:
        raise ValueError("discover needs a sweep with a where condition")
    column = f"{target.indicator}@{target.year}"
    x = sweep.samples[list(sweep.inputs)].astype(float)
    outcome = sweep.samples[column].to_numpy(dtype=float)
    met = target.met(outcome)
    goal = density_goal(float(met.mean()))
    box = _prim(x, met.astype(int), goal)
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]]
    trajectory = trajectory.reset_index(drop=True)
    chosen = _choose(trajectory, goal)
    [(_, limits)] = box.inspect(chosen, style="data")
    rows = []
    for name in limits.index:
        low, high, qp_low, qp_high = limits.loc[name].to_numpy(dtype=float)
        lo_all, hi_all = float(x[name].min()), float(x[name].max())
        zh, en, unit, _ = input_label(name)
        rows.append(
            {
                "input": name,
                "name_zh": zh,
                "name_en": en,
                "unit": unit,
                "box_low": low,
                "box_high": high,
                "sampled_low": lo_all,
                "sampled_high": hi_all,
                "qp_low": qp_low,
                "qp_high": qp_high,
                "words": box_words(name, low, high, lo_all, hi_all),
            }
        )
    return Discovery(
        condition=target.key,
        share_met=float(met.mean()),
        goal=goal,
        trajectory=trajectory,
        chosen=chosen,
        box=pd.DataFrame(rows),
        scores=feature_scores(x, outcome, seed=int(sweep.spec.get("seed", 0))),
    )


__all__ = ["THRESHOLD", "Discovery", "box_words", "discover", "feature_scores", "input_label"]
