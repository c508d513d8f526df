"""Evaluate many member scenarios with :func:`jjjplan.project_many` and keep only numbers.

Members are evaluated in chunks of at most :data:`CHUNK` (one ``project_many`` call each): an
ensemble of up to ``CHUNK`` draws is a single call, while a 60,000-run Sobol design does not hold
60,000 full ``Results`` in memory at once. Between chunks a progress callback may report and
Ctrl-C can stop the run; nothing has been written by then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from jjjplan.batch import Batch, project_many
from jjjplan.chains import PROVINCES
from jjjplan.results import RATIO_NAMES, VARIABLES
from jjjplan.scenario import Scenario

#: Largest number of members in one ``project_many`` call.
CHUNK = 4096
#: Called as ``progress(done, total)`` after each chunk.
Progress = Callable[[int, int], None]

#: Regional figures the band tables show, per unit, province and JJJ.
BAND_VARIABLES = ("gdp", "gdp_per_capita")
#: Regional figures kept per member: the band variables, and population, which the band
#: tables leave out but a population target's P(met) needs.
REGION_VARIABLES = (*BAND_VARIABLES, "population")


@dataclass(frozen=True, eq=False)  # holds arrays: compare their contents, not objects
class Outcomes:
    """The numbers of K members: indicators [K, T, C] and regional figures [K, T, R, V] (V =
    :data:`REGION_VARIABLES`: GDP, per-capita GDP, population)."""

    years: np.ndarray
    indicator_names: tuple[str, ...]
    indicators: np.ndarray
    regions: tuple[str, ...]
    region_values: np.ndarray | None

    def indicator(self, name: str) -> np.ndarray:
        """[K, T] values of one indicator (a gap measure or ratio)."""
        return self.indicators[:, :, self.indicator_names.index(name)]

    def unit_of(self, name: str) -> str:
        """Unit of an indicator in band tables: share, ratio, or (gap measures) index."""
        if name == "jjj_share_national":
            return "share"
        return "ratio" if name.endswith("ratio") else "index"

    def take(self, start: int, stop: int) -> Outcomes:
        """Members ``start`` to ``stop - 1`` (one scenario's share of a joint batch)."""
        regions = None if self.region_values is None else self.region_values[start:stop]
        return replace(self, indicators=self.indicators[start:stop], region_values=regions)


def _indicator_array(batch: Batch) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    values_of = getattr(batch, "indicator_values", None)
    if values_of is not None:  # the vectorised batch: arrays, no DataFrame round trip
        values, names = values_of
        return values, tuple(names), np.asarray(batch.years)
    frame = batch.indicators
    years = frame.index.get_level_values("year").unique().to_numpy()
    k, t = len(batch), len(years)
    values = frame.to_numpy(dtype=float).reshape(k, t, frame.shape[1])
    return values, tuple(frame.columns), years


def _stacked(batch: Batch) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
    """GDP and population [K, T, N], unit codes and their provinces. A vectorised batch holds
    them as arrays already (``batch.projection``); otherwise they are stacked per member."""
    arrays = getattr(batch, "projection", None)
    if arrays is not None and getattr(arrays, "gdp", None) is not None and arrays.gdp.ndim == 3:
        return arrays.gdp, arrays.population, tuple(arrays.units), tuple(arrays.provinces)
    first = batch[0].projection
    gdp = np.stack([batch[k].projection.gdp for k in range(len(batch))])
    pop = np.stack([batch[k].projection.population for k in range(len(batch))])
    return gdp, pop, tuple(first.units), tuple(first.provinces)


def _region_array(batch: Batch) -> tuple[np.ndarray, tuple[str, ...]]:
    """GDP, per-capita GDP and population of each unit, each province and JJJ: [K, T, R, 3]
    (in :data:`REGION_VARIABLES` order)."""
    gdp, pop, units, provinces = _stacked(batch)
    province_of = np.array(provinces)
    group_gdp, group_pop, names = [gdp], [pop], list(units)
    for name in (*[p for p in PROVINCES if p not in units], "JJJ"):
        mask = np.ones(len(units), bool) if name == "JJJ" else province_of == name
        group_gdp.append(gdp[:, :, mask].sum(axis=2, keepdims=True))
        group_pop.append(pop[:, :, mask].sum(axis=2, keepdims=True))
        names.append(name)
    g = np.concatenate(group_gdp, axis=2)
    p = np.concatenate(group_pop, axis=2)
    return np.stack([g, g / p * 1e4, p], axis=3), tuple(names)


def evaluate(
    scenarios: Sequence[Scenario],
    *,
    regions: bool = False,
    progress: Progress | None = None,
    data: Any = None,
) -> Outcomes:
    """Project ``scenarios`` and return their indicators (and regional GDP if ``regions``);
    ``data`` is passed to :func:`project_many` (None: the bundled baseline data)."""
    scenarios = list(scenarios)
    total = len(scenarios)
    parts, region_parts = [], []
    names: tuple[str, ...] = ()
    region_names: tuple[str, ...] = ()
    years = np.array([])
    for start in range(0, total, CHUNK):
        batch = project_many(scenarios[start : start + CHUNK], data=data)
        values, names, years = _indicator_array(batch)
        parts.append(values)
        if regions:
            arr, region_names = _region_array(batch)
            region_parts.append(arr)
        del batch
        if progress is not None:
            progress(min(start + CHUNK, total), total)
    return Outcomes(
        years=years,
        indicator_names=names,
        indicators=np.concatenate(parts),
        regions=region_names,
        region_values=np.concatenate(region_parts) if regions else None,
    )


def region_unit(variable: str) -> str:
    return VARIABLES[variable][2]


__all__ = [
    "BAND_VARIABLES",
    "CHUNK",
    "RATIO_NAMES",
    "REGION_VARIABLES",
    "Outcomes",
    "evaluate",
    "region_unit",
]
