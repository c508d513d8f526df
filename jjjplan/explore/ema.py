"""``jjjplan.ema_model()``: jjjplan as an EMA Workbench ``Model``, so EMA users can run their
own experiments, PRIM, feature scoring or robust search on it.

Levers are the sweep's lever variables (``RealParameter``, ``IntegerParameter`` for whole
years), uncertainties the assumptions with a range, outcomes every indicator in 2030 and
2035 (``ScalarOutcome``, named as in ``samples.parquet``: ``bj_he_ratio@2035``). EMA samples
each pole weight on [0, 1] independently; the model function divides them by their sum, the
same simplex the sweep samples directly.
"""

from __future__ import annotations

import warnings

import numpy as np

from jjjplan.explore.sampling import SweepSpace, sweep_space
from jjjplan.explore.sweep import INDICATOR_COLUMNS as _INDICATORS
from jjjplan.explore.sweep import OUTCOME_YEARS
from jjjplan.scenario import Scenario


class JJJModelFunction:
    """The callable EMA runs: keyword inputs → {outcome name: value} (picklable)."""

    def __init__(self, space: SweepSpace, years: tuple[int, ...], data=None) -> None:
        self.space, self.years, self.data = space, years, data

    def __call__(self, **inputs: float) -> dict[str, float]:
        from jjjplan.batch import project_many

        row = np.array([float(inputs[c]) for c in self.space.columns])
        w = self.space.levers.weight_index()
        if len(w):
            total = row[w].sum()
            row[w] = row[w] / total if total > 0 else 1.0 / len(w)
        [member] = self.space.scenarios(row[None, :])
        ind = project_many([member], data=self.data).indicators
        return {
            f"{name}@{year}": float(ind.loc[(0, year), name])
            for year in self.years
            for name in _INDICATORS
        }


def ema_model(
    scenario: Scenario | None = None,
    levers: list[str] | tuple[str, ...] | None = None,
    assumptions: bool | list[str] | tuple[str, ...] = True,
    years: tuple[int, ...] = OUTCOME_YEARS,
    data=None,
    name: str = "jjjplan",
):
    """An EMA Workbench ``Model`` around ``scenario`` (default: the baseline)."""
    with warnings.catch_warnings():  # EMA warns about optional ipyparallel on import
        warnings.simplefilter("ignore")
        from ema_workbench import IntegerParameter, Model, RealParameter, ScalarOutcome

    space = sweep_space(scenario or Scenario.baseline(), levers, assumptions)
    model = Model(name, function=JJJModelFunction(space, tuple(years), data))
    model.levers = [
        IntegerParameter(v.name, int(v.low), int(v.high))
        if v.integer
        else RealParameter(v.name, float(v.low), float(v.high))
        for v in space.levers.variables
    ]
    model.uncertainties = [
        RealParameter("assumptions." + a.id, float(a.low), float(a.high)) for a in space.assumptions
    ]
    model.outcomes = [
        ScalarOutcome(f"{n}@{y}", kind=ScalarOutcome.INFO) for y in years for n in _INDICATORS
    ]
    return model


__all__ = ["JJJModelFunction", "ema_model"]
