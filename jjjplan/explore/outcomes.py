"""A chunk's outcomes as arrays: the batch's indicators at the sweep's outcome years only.

Why restrict the years first: every indicator (gap measures, fiscal gaps, ratios) is a
cross-section of one year, so computing them for the two or three stored years gives the
same numbers as computing all ~20 projection years and selecting (tests check this) at a
tenth of the cost; and going straight from arrays skips a (member, year) DataFrame index.
The numbers still come from :class:`jjjplan.batch.Batch`'s own definitions, not a copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from jjjplan.batch import Batch

__all__ = ["at_years", "outcome_columns"]


def at_years(batch: Batch, years: Sequence[int]) -> Batch:
    """``batch`` restricted to ``years`` (the per-year arrays the indicators read)."""
    p = batch.projection
    where = {int(y): i for i, y in enumerate(p.years)}
    missing = [y for y in years if int(y) not in where]
    if missing:
        raise ValueError(f"outcome years {missing} are outside the projection {p.years[[0, -1]]}")
    idx = np.array([where[int(y)] for y in years])
    sliced = dataclasses.replace(
        p,
        years=p.years[idx],
        gdp=p.gdp[:, idx],
        population=p.population[:, idx],
        national_gdp=p.national_gdp[:, idx],
        deflator=p.deflator[:, idx],
        ledger={name: values[:, idx] for name, values in p.ledger.items()},
    )
    return Batch(sliced)


def outcome_columns(batch: Batch, years: Sequence[int]) -> dict[str, np.ndarray]:
    """``{"bj_he_ratio@2035": [K] …}``: every indicator at every year in ``years``."""
    indicators = at_years(batch, years).indicators
    values = indicators.to_numpy(dtype=float).reshape(len(batch), len(years), -1)
    return {
        f"{name}@{int(year)}": np.ascontiguousarray(values[:, t, j])
        for t, year in enumerate(years)
        for j, name in enumerate(indicators.columns)
    }
