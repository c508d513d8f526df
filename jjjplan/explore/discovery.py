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
import pyarrow as pa

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.explore.sampling import ASSUMPTION_PREFIX
from jjjplan.explore.storage import scan
from jjjplan.scenario import LEVERS

if TYPE_CHECKING:
    from jjjplan.explore.sweep import Sweep

#: PRIM's density threshold: a box is "found" when 80% of its samples meet the condition.
THRESHOLD = 0.8
#: Feature scoring fits extra trees on at most this many samples (time bounded, seeded).
SCORING_ROWS = 5_000
#: PRIM peels at most this many samples; beyond, a seeded uniform random subset (said so
#: in discovery.xlsx and the CLI). Why: EMA Workbench 2.5's PRIM keeps every candidate
#: peel of every step alive (~35 KB per sample with 87 inputs: 20,000 samples peak at
#: ~0.7 GB, 1,000,000 would need ~35 GB), and a box's limits and quasi-p-values are
#: already tight at this size. Its float64 inputs cannot be halved to float32 either:
#: EMA 2.5 takes float64 and int columns only and silently drops float32 ones.
PRIM_ROWS = 20_000


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
    samples: int = 0  # samples in the sweep (share_met is over all of them)
    prim_samples: int = 0  # samples PRIM peeled (all, or PRIM_ROWS of them)

    @property
    def subsampled(self) -> bool:
        return self.prim_samples < self.samples

    @property
    def prim_note(self) -> str:
        """How many samples PRIM peeled, in words (all, or a random subset above the cap)."""
        if not self.subsampled:
            return f"全部 {self.prim_samples:,} 个 / all {self.prim_samples:,}"
        return (
            f"随机抽取 {self.prim_samples:,} 个（共 {self.samples:,} 个；满足比例按全部样本计）"
            f"/ a seeded random {self.prim_samples:,} of {self.samples:,} (the share meeting "
            "the condition counts all samples)"
        )

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


@dataclass(frozen=True)
class PrimData:
    """What discovery reads from a sweep: PRIM's rows, and whole-sweep facts."""

    x: pd.DataFrame  # inputs of the PRIM rows (float64), in sample order
    outcome: np.ndarray  # the condition's indicator on the PRIM rows
    samples: int  # rows in the sweep
    share_met: float  # share of ALL samples meeting the condition
    low: pd.Series  # per input: smallest value sampled (all samples)
    high: pd.Series  # per input: largest value sampled


def prim_rows(samples: int, seed: int) -> np.ndarray | None:
    """Sample ids PRIM runs on: all (None) up to :data:`PRIM_ROWS`, else a seeded uniform
    random subset of that many, in sample order."""
    if samples <= PRIM_ROWS:
        return None
    return np.sort(np.random.default_rng([seed, samples]).choice(samples, PRIM_ROWS, False))


def read_prim_data(sweep: Sweep, column: str, met) -> PrimData:
    """One pass over the sweep, chunk by chunk, reading only the inputs and ``column``:
    memory holds one chunk plus PRIM's rows, whatever the sweep's size."""
    inputs = list(sweep.inputs)
    rows = prim_rows(int(sweep.spec["samples"]), int(sweep.spec.get("seed", 0)))
    if sweep.folder is not None:
        batches = scan(sweep.folder, [*inputs, column])
    else:
        batches = pa.Table.from_pandas(sweep.samples[["sample", *inputs, column]]).to_batches()
    kept, n, n_met = [], 0, 0
    low = np.full(len(inputs), np.inf)
    high = np.full(len(inputs), -np.inf)
    for batch in batches:
        if batch.num_rows == 0:
            continue
        outcome = batch.column(column).to_numpy(zero_copy_only=False)
        n += len(outcome)
        n_met += int(np.count_nonzero(met(outcome)))
        values = np.column_stack([batch.column(c).to_numpy(zero_copy_only=False) for c in inputs])
        low = np.minimum(low, values.min(axis=0))
        high = np.maximum(high, values.max(axis=0))
        if rows is not None:
            ids = batch.column("sample").to_numpy(zero_copy_only=False)
            batch = batch.filter(pa.array(np.isin(ids, rows, assume_unique=True)))
        kept.append(batch)
    table = pa.Table.from_batches(kept).sort_by("sample")
    x = table.select(inputs).to_pandas().astype(np.float64)  # EMA PRIM ignores float32
    outcome = table.column(column).to_numpy(zero_copy_only=False).astype(float)
    bounds = [pd.Series(b, index=inputs) for b in (low, high)]
    return PrimData(x, outcome, n, n_met / n, *bounds)


def discover(sweep: Sweep) -> Discovery:
    """PRIM box and feature scores for ``sweep.where`` over the sweep's samples (PRIM on
    at most :data:`PRIM_ROWS` of them, see :func:`prim_rows`)."""
    target = sweep.where
    if target is None:
        raise ValueError("discover needs a sweep with a where condition")
    column = f"{target.indicator}@{target.year}"
    data = read_prim_data(sweep, column, target.met)
    x, outcome = data.x, data.outcome
    met = target.met(outcome)
    goal = density_goal(data.share_met)
    box = _prim(x, met.astype(int), goal)
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]]
    trajectory = trajectory.reset_index(drop=True)
    chosen = _choose(trajectory, goal)
    [(_, limits)] = box.inspect(chosen, style="data")
    # a side is restricted when PRIM moved it from its own starting box (the range of the
    # rows it peeled, a subset above PRIM_ROWS), not from the range of every sample
    start = box.box_lims[0]
    rows = []
    for name in limits.index:
        low, high, qp_low, qp_high = limits.loc[name].to_numpy(dtype=float)
        lo_all, hi_all = float(data.low[name]), float(data.high[name])
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
                "words": box_words(
                    name, low, high, float(start.loc[0, name]), float(start.loc[1, name])
                ),
            }
        )
    return Discovery(
        condition=target.key,
        share_met=data.share_met,
        goal=goal,
        trajectory=trajectory,
        chosen=chosen,
        box=pd.DataFrame(rows),
        scores=feature_scores(x, outcome, seed=int(sweep.spec.get("seed", 0))),
        samples=data.samples,
        prim_samples=len(x),
    )


__all__ = [
    "PRIM_ROWS",
    "THRESHOLD",
    "Discovery",
    "box_words",
    "discover",
    "feature_scores",
    "input_label",
    "prim_rows",
]
