"""``compare_ensembles``: which scenario narrows the gaps, and how sure we can be.

Every scenario is projected on the *same* assumption draws (common random numbers), so a
difference between two scenarios in one draw is the effect of policy alone. For each outcome
(gap measures and per-capita ratios, all "lower is better") and year it reports the chance of
each rank, of being lowest, of beating every other scenario pairwise and of beating the
baseline. A probability between 40% and 60% is a coin flip: labelled 不确定 / undecided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from jjjplan.gaps import DECOMPOSITION_NAMES, GAP_MEASURE_NAMES
from jjjplan.scenario import Scenario
from jjjplan.uncertainty.design import (
    held_fixed,
    members,
    to_values,
    uncertain_assumptions,
    unit_design,
)
from jjjplan.uncertainty.ensembles import Ensemble
from jjjplan.uncertainty.evaluate import Progress, evaluate

#: Outcomes compared (smaller = smaller regional gap).
OUTCOMES = (*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES, "bj_he_ratio", "tj_he_ratio")
UNDECIDED_RANGE = (0.4, 0.6)
UNDECIDED = "不确定 / undecided"
BETTER, WORSE = "更优 / better", "更差 / worse"
LOWER, HIGHER = "更低 / lower", "更高 / higher"
#: Values this close (relative) count as a tie, half a win each.
TIE_RTOL = 1e-12


def verdict(p: float, yes: str = BETTER, no: str = WORSE) -> str:
    """``yes`` above 60%, ``no`` below 40%, otherwise 不确定 / undecided (ends included)."""
    lo, hi = UNDECIDED_RANGE
    if lo <= p <= hi:
        return UNDECIDED
    return yes if p > hi else no


def _lower(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 where a < b, ½ where they tie, 0 where a > b (elementwise)."""
    tie = np.isclose(a, b, rtol=TIE_RTOL, atol=0.0)
    return np.where(tie, 0.5, (a < b).astype(float))


@dataclass(frozen=True, eq=False)  # holds arrays: compare their contents, not objects
class RobustComparison:
    """Scenarios on common draws: their :class:`Ensemble` by name, and the probabilities.

    ``values`` is [S, K, T, C] (scenario, draw, year, outcome in :data:`OUTCOMES`).
    """

    ensembles: Mapping[str, Ensemble]
    baseline: str

    def __post_init__(self):
        if self.baseline not in self.ensembles:
            raise ValueError(
                f"基准情景不在对比中 / baseline {self.baseline!r} is not among {self.names}"
            )
        first = next(iter(self.ensembles.values()))
        for name, e in self.ensembles.items():
            if (e.method, e.seed, len(e)) != (first.method, first.seed, len(first)):
                raise ValueError(f"{name!r}: ensembles must share method, seed and draws")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.ensembles)

    @property
    def draws(self) -> int:
        return len(next(iter(self.ensembles.values())))

    @property
    def years(self) -> np.ndarray:
        return next(iter(self.ensembles.values())).years

    @property
    def outcomes(self) -> tuple[str, ...]:
        return OUTCOMES

    @cached_property
    def values(self) -> np.ndarray:
        return np.stack(
            [np.stack([e.outcomes.indicator(o) for o in OUTCOMES], axis=-1)
             for e in self.ensembles.values()]
        )  # fmt: skip

    def _tidy(self, arr: np.ndarray, extra: dict) -> pd.DataFrame:
        """[T, C] probabilities as rows outcome, year, <extra columns>, probability."""
        t, c = arr.shape
        df = pd.DataFrame(
            {
                "outcome": np.tile(self.outcomes, t),
                "year": np.repeat(self.years, c),
                **extra,
                "probability": arr.reshape(-1),
            }
        )
        return df

    @cached_property
    def ranks(self) -> pd.DataFrame:
        """P(scenario has rank r), rank 1 = lowest gap; ties share the ranks they span.
        Columns: outcome, year, scenario, rank, probability (sums to 1 per scenario)."""
        v = self.values
        s_count = len(self.names)
        parts = []
        for s, name in enumerate(self.names):
            ties = np.isclose(v, v[s], rtol=TIE_RTOL, atol=0.0)
            below = ((v < v[s]) & ~ties).sum(axis=0)  # [K, T, C]
            equal = ties.sum(axis=0)  # includes itself
            for r in range(1, s_count + 1):
                hit = (below < r) & (r <= below + equal)
                p = (hit / equal).mean(axis=0)
                parts.append(self._tidy(p, {"scenario": name, "rank": r}))
        return pd.concat(parts, ignore_index=True)

    @cached_property
    def lowest(self) -> pd.DataFrame:
        """P(scenario's value is lower than every other's): outcome, year, scenario,
        probability (sums to 1 over scenarios)."""
        r = self.ranks
        return r[r["rank"] == 1].drop(columns="rank").reset_index(drop=True)

    @cached_property
    def pairwise(self) -> pd.DataFrame:
        """P(scenario lower than other) for every ordered pair, with its verdict."""
        parts = []
        for a, name_a in enumerate(self.names):
            for b, name_b in enumerate(self.names):
                if a != b:
                    p = _lower(self.values[a], self.values[b]).mean(axis=0)
                    parts.append(self._tidy(p, {"scenario": name_a, "other": name_b}))
        df = pd.concat(parts, ignore_index=True)
        df["verdict"] = [verdict(p, LOWER, HIGHER) for p in df["probability"]]
        return df

    @cached_property
    def vs_baseline(self) -> pd.DataFrame:
        """P(scenario's gap is lower than the baseline's in the same draw), with verdict."""
        base = self.values[self.names.index(self.baseline)]
        parts = [
            self._tidy(_lower(self.values[s], base).mean(axis=0), {"scenario": name})
            for s, name in enumerate(self.names)
        ]
        df = pd.concat(parts, ignore_index=True)
        df["verdict"] = [verdict(p) for p in df["probability"]]
        return df


def compare_ensembles(
    scenarios: Mapping[str, Scenario],
    draws: int = 1000,
    seed: int = 0,
    method: str = "lhs",
    *,
    baseline: str | None = None,
    assumptions: Iterable[str] | None = None,
    progress: Progress | None = None,
    data: Any = None,
) -> RobustComparison:
    """Project every scenario on the same ``draws`` assumption draws (one ``project_many``
    call for all) and return their rank probabilities.

    ``baseline`` names the scenario the others are compared with (default: the one called
    "baseline", else the first). Assumptions a planner set in a workbook stay fixed for that
    scenario; all others take the common draws. ``data`` as for :func:`jjjplan.project_many`.
    """
    names = tuple(scenarios)
    if len(names) < 1:
        raise ValueError("compare_ensembles: no scenarios")
    for name, s in scenarios.items():
        if not isinstance(s, Scenario):
            raise TypeError(f"compare_ensembles: {name!r} is {type(s).__name__}, not a Scenario")
    if baseline is None:
        baseline = "baseline" if "baseline" in names else names[0]
    table = uncertain_assumptions(assumptions)
    values = to_values(unit_design(len(table), draws, method, seed), table)
    batch = [m for s in scenarios.values() for m in members(s, values, table)]
    out = evaluate(batch, regions=True, progress=progress, data=data)
    ensembles = {}
    for i, (name, s) in enumerate(scenarios.items()):
        fixed = held_fixed(s, table)
        samples = pd.DataFrame(values, columns=[a.id for a in table]).drop(columns=list(fixed))
        samples.index.name = "member"
        part = out.take(i * draws, (i + 1) * draws)
        ensembles[name] = Ensemble(s, method, seed, samples, fixed, part)
    return RobustComparison(ensembles, baseline)
